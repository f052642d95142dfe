import { describe, expect, it } from 'vitest';
import { terminalProgress } from '../../src/cli/progress.js';
import type { TrainingProgress } from '../../src/training/fit.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  const stream = { isTTY, columns: 200, write: (text: string) => writes.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

const event = (kind: TrainingProgress['kind'], epoch: number, batch: number): TrainingProgress => ({
  kind,
  epoch,
  epochs: 2,
  batch,
  batches: 4,
  loss: 0.5,
  samplesPerSecond: 100,
  etaSeconds: 3,
  elapsedSeconds: 1,
});

describe('terminal progress', () => {
  it('redraws one line on a TTY and keeps a line per finished epoch', () => {
    const { stream, writes } = fakeStream(true);
    const progress = terminalProgress(stream, 'run');
    progress.update(event('batch', 1, 1));
    progress.update(event('batch', 1, 2));
    progress.update(event('epoch', 1, 4));
    progress.update(event('batch', 2, 1));
    progress.finish();
    const text = writes.join('');
    expect(text.split('\n')).toHaveLength(3);
    // The escape is what is under test: the terminal's erase-line sequence (ESC [2K) after a carriage return.
    // eslint-disable-next-line no-control-regex
    expect(text.match(/\r\x1b\[2K/g)).toHaveLength(4);
  });

  it('writes plain lines (no carriage returns) when not a TTY: one per epoch, batches throttled', () => {
    const { stream, writes } = fakeStream(false);
    const progress = terminalProgress(stream, 'run');
    progress.update(event('batch', 1, 1));
    progress.update(event('epoch', 1, 4));
    progress.note('evaluating');
    progress.finish();
    expect(writes).toHaveLength(2);
    expect(writes[0]).toMatch(/^run {2}\[.*epoch 1\/2 · batch 4\/4/);
    expect(writes.join('')).not.toMatch(/\r/);
    expect(writes[1]).toBe('run: evaluating\n');
  });
});
