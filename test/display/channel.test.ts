import { afterEach, describe, expect, it } from 'vitest';
import { showMarkdown } from '../../src/display/show.js';
import { progressDisplay } from '../../src/display/progress.js';
import { TSLAB_VERSION } from '../../src/display/tslabAdapter.js';
import type { TrainingProgress } from '../../src/training/fit.js';
import { fakeTslab } from '../helpers/fakeTslab.js';

type Message = { content: Record<string, unknown>; update: boolean };
let kernel: ReturnType<typeof fakeTslab> | undefined;

/** A new cell in a fake kernel: tslab points its dist/jupyter.js's writer at each executed cell. */
function fakeKernel(): Message[] {
  const messages: Message[] = [];
  kernel ??= fakeTslab(TSLAB_VERSION, {});
  kernel.exports.lastWriteDisplayData = (content: Record<string, unknown>, update: boolean) => messages.push({ content, update });
  return messages;
}

afterEach(() => {
  kernel?.remove();
  kernel = undefined;
});

function report(epoch: number, batch: number): TrainingProgress {
  return {
    kind: batch === 3 ? 'epoch' : 'batch',
    epoch,
    epochs: 2,
    batch,
    batches: 3,
    loss: 0.5 / epoch,
    samplesPerSecond: 1000,
    etaSeconds: 10,
    elapsedSeconds: 5,
  };
}

describe('the kernel display channel', () => {
  it("sends whole bundles through tslab's writer", async () => {
    const messages = fakeKernel();
    await showMarkdown('hello');
    expect(messages).toEqual([
      { content: { data: { 'text/markdown': 'hello', 'text/plain': 'hello' }, metadata: {}, transient: {} }, update: false },
    ]);
  });

  it('updates one progress output in place, throttled, always keeping the final state', () => {
    const messages = fakeKernel();
    const display = progressDisplay({ label: 'run', minIntervalMs: 60_000 });
    for (let epoch = 1; epoch <= 2; epoch++) for (let batch = 1; batch <= 3; batch++) display.update(report(epoch, batch));

    // The first report, each epoch's end, and the first of epoch 2; mid-epoch batches fall inside the interval.
    expect(messages.map((m) => m.update)).toEqual([false, true, true, true]);
    const ids = new Set(messages.map((m) => (m.content.transient as { display_id: string }).display_id));
    expect(ids.size).toBe(1);
    const last = (messages.at(-1)!.content.data as Record<string, string>)['text/plain'];
    expect(last).toMatch(/^run +\[#{24}\] 100% +epoch 2\/2 · batch 3\/3 · loss 0\.2500 · 1,000 samples\/s · done in 5s$/);
  });

  it('keeps sending updates through the writer of the cell that created it', () => {
    const first = fakeKernel();
    const display = progressDisplay({ minIntervalMs: 0 });
    display.update(report(1, 1));
    const later = fakeKernel();
    display.update(report(1, 2));
    expect(first.map((m) => m.update)).toEqual([false, true]);
    expect(later).toEqual([]);
  });
});
