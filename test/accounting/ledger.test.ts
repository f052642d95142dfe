import { describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { createRng } from '../../src/random.js';
import { LedgerAccumulator, lossLedger, lossMapTensors, modelLossLedger, type LedgerPart } from '../../src/accounting/ledger.js';
import { KERAS_EPSILON, PIXEL_LOSSES } from '../../src/accounting/pixelLoss.js';
import { buildAutoencoder, initialWeights, type LossName } from '../../src/model/autoencoder.js';
import { toLayersModel } from '../../src/model/layers.js';

const RING = { top: 2, bottom: 2, left: 2, right: 2 };

/** Grey targets like padded MNIST (a black ring, strokes with grey edges) and imperfect predictions. */
function syntheticImages(count: number, size: number, seed: number): { targets: Float32Array; predictions: Float32Array } {
  const rng = createRng(seed);
  const targets = new Float32Array(count * size * size);
  const predictions = new Float32Array(targets.length);
  for (let i = 0; i < targets.length; i++) {
    const stroke = rng.uniform() < 0.2;
    targets[i] = stroke ? Math.round(rng.uniform() * 255) / 255 : 0;
    predictions[i] = Math.min(1, Math.max(0, targets[i] + 0.3 * rng.normal()));
  }
  return { targets, predictions };
}

function expectClose(actual: number, expected: number, relative = 1e-12): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(expected)));
}

function expectFloorPlusExcess(part: LedgerPart): void {
  expectClose(part.floor.perImage + part.excess.perImage, part.perImage);
  expectClose(part.floor.perPixel + part.excess.perPixel, part.perPixel);
  expect(part.excess.perImage).toBeGreaterThanOrEqual(0);
}

describe('loss ledger identities', () => {
  for (const loss of ['binaryCrossentropy', 'meanSquaredError'] as LossName[]) {
    it(`${loss}: regions and floor + excess add up to the totals`, () => {
      const { targets, predictions } = syntheticImages(50, 32, 7);
      const accumulator = new LedgerAccumulator(32, 32, { loss, border: RING });
      accumulator.addValues(targets, predictions);
      const { ledger, maps } = accumulator.finish();

      expect(ledger.pixels).toBe(1024);
      expect(ledger.images).toBe(50);
      expectClose(ledger.perPixel * ledger.pixels, ledger.perImage);
      const { inner, border } = ledger.regions;
      expect(border).not.toBeNull();
      expect(inner.pixels).toBe(784);
      expect(border!.pixels).toBe(240);
      expectClose(inner.perImage + border!.perImage, ledger.perImage);
      expectClose(inner.share + border!.share, 1);
      expectClose(inner.perPixel * inner.pixels, inner.perImage);
      for (const part of [ledger, inner, border!]) expectFloorPlusExcess(part);
      if (loss === 'meanSquaredError') expect(ledger.floor.perImage).toBe(0);
      else expect(ledger.floor.perImage).toBeGreaterThan(0);

      const mapMean = maps.loss.reduce((a, b) => a + b, 0) / maps.loss.length;
      expectClose(mapMean, ledger.perPixel);
      for (let i = 0; i < maps.loss.length; i++) expectClose(maps.floor[i] + maps.excess[i], maps.loss[i]);

      // The direct float64 mean over every pixel, computed without the ledger's bookkeeping.
      let direct = 0;
      for (let i = 0; i < targets.length; i++) direct += PIXEL_LOSSES[loss].loss(targets[i], predictions[i]);
      expectClose(direct / targets.length, ledger.perPixel);
    });
  }

  it('a perfect reconstruction leaves exactly the entropy floor (BCE) and nothing (MSE)', () => {
    const { targets } = syntheticImages(4, 28, 3);
    const bce = new LedgerAccumulator(28, 28, { loss: 'binaryCrossentropy' });
    bce.addValues(targets, targets);
    const { ledger } = bce.finish();
    expect(ledger.regions.border).toBeNull();
    expect(ledger.regions.inner.share).toBe(1);
    // Clipping to [ε, 1−ε] costs at most −log(1−ε) ≈ ε per black pixel.
    expect(ledger.excess.perPixel).toBeLessThan(2 * KERAS_EPSILON);
    expect(ledger.floor.perPixel).toBeGreaterThan(0);
    const mse = new LedgerAccumulator(28, 28, { loss: 'meanSquaredError' });
    mse.addValues(targets, targets);
    expect(mse.finish().ledger.perImage).toBe(0);
  });

  it('matches hand-computed values for one grey pixel', () => {
    const accumulator = new LedgerAccumulator(1, 1, { loss: 'binaryCrossentropy' });
    accumulator.addValues([0.5, 0.25], [0.5, 0.5]);
    const { ledger } = accumulator.finish();
    const h25 = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75));
    expectClose(ledger.floor.perPixel, (Math.LN2 + h25) / 2);
    expectClose(ledger.perPixel, Math.LN2);
  });
});

describe('loss ledger against tfjs', () => {
  /** Two convs as data, with their initial weights, and the same model in tfjs-layers as the reference. */
  function tinyModel(size: number, loss: LossName) {
    const model = buildAutoencoder({
      height: size,
      width: size,
      seed: 1,
      loss,
      layers: [
        { kind: 'conv', filters: 4, kernelSize: 3, activation: 'relu' },
        { kind: 'conv', filters: 1, kernelSize: 3, activation: 'sigmoid' },
      ],
    });
    const weights = initialWeights(model);
    return { trained: { model, weights }, reference: toLayersModel(model, weights) };
  }

  for (const loss of ['binaryCrossentropy', 'meanSquaredError'] as LossName[]) {
    it(`${loss}: the ledger mean equals model.evaluate within 1e-5`, async () => {
      const count = 300;
      const { targets } = syntheticImages(count, 32, 11);
      const noisy = syntheticImages(count, 32, 12).predictions;
      const { trained, reference: model } = tinyModel(32, loss);
      const x = tf.tensor4d(noisy, [count, 32, 32, 1]);
      const y = tf.tensor4d(targets, [count, 32, 32, 1]);
      const evaluated = model.evaluate(x, y, { batchSize: 64 }) as import('@tensorflow/tfjs-node').Scalar;
      const before = tf.memory().numTensors;
      const { ledger } = await modelLossLedger(trained, x, y, { loss, border: RING, sliceSize: 70 });
      expect(tf.memory().numTensors).toBe(before);
      expect(Math.abs(ledger.perPixel - evaluated.dataSync()[0])).toBeLessThan(1e-5);

      // Slicing must not change anything but the order of float64 additions.
      const predictions = model.predict(x) as import('@tensorflow/tfjs-node').Tensor;
      const whole = lossLedger(y, predictions, { loss, border: RING, sliceSize: count });
      expectClose(whole.ledger.perImage, ledger.perImage, 1e-6);
      tf.dispose([x, y, evaluated, predictions, ...trained.weights]);
      model.dispose();
    });
  }

  it('returns the maps as [h, w] tensors', () => {
    const { targets, predictions } = syntheticImages(3, 28, 5);
    const accumulator = new LedgerAccumulator(28, 28, { loss: 'binaryCrossentropy' });
    accumulator.addValues(targets, predictions);
    const tensors = lossMapTensors(accumulator.finish().maps);
    expect(tensors.loss.shape).toEqual([28, 28]);
    tf.dispose(Object.values(tensors));
  });
});

describe('loss ledger errors', () => {
  it('rejects values outside [0, 1], mismatched shapes and impossible borders', () => {
    const accumulator = new LedgerAccumulator(2, 2, { loss: 'binaryCrossentropy' });
    expect(() => accumulator.addValues([0, 0, 0, 2], [0, 0, 0, 0])).toThrow(/must be in \[0, 1\]/);
    expect(() => accumulator.addValues([0, 0, 0, 0], [0, 0, 0, NaN])).toThrow(/diverged/);
    expect(() => accumulator.addValues([0, 0, 0], [0, 0, 0])).toThrow(/multiple of 2×2/);
    expect(() => accumulator.finish()).toThrow(/no images/);
    expect(() => new LedgerAccumulator(4, 4, { loss: 'binaryCrossentropy', border: { top: 2, bottom: 2, left: 0, right: 0 } })).toThrow(
      /no inner region/,
    );
    expect(() => new LedgerAccumulator(4, 4, { loss: 'hinge' as LossName })).toThrow(/loss must be/);
    const flat = tf.zeros([2, 4, 4]);
    expect(() => lossLedger(flat, flat, { loss: 'binaryCrossentropy' })).toThrow(/NHWC/);
    flat.dispose();
  });
});
