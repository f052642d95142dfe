/**
 * Training progress on a terminal: one bar redrawn in place on a TTY, and on a pipe or
 * log file a plain line per finished epoch plus one every half minute in between (a
 * redrawn line would fill a log with carriage returns).
 */
import type { TrainingProgress } from '../training/fit.js';
import { progressText } from '../display/progress.js';

const PLAIN_INTERVAL_MS = 30_000;

export interface TerminalProgress {
  update(event: TrainingProgress): void;
  /** A line about what is happening (loading, resuming), kept above the bar. */
  note(message: string): void;
  /** Ends the bar's line so later output starts on a fresh one. */
  finish(): void;
}

export function terminalProgress(stream: NodeJS.WriteStream, label: string): TerminalProgress {
  const tty = stream.isTTY === true;
  let barShown = false;
  let lastPlain = Date.now();
  const clearBar = () => {
    if (barShown) stream.write('\r\x1b[2K');
    barShown = false;
  };
  return {
    update(event) {
      const text = progressText(event, label);
      if (tty) {
        const columns = stream.columns ?? 120;
        stream.write(`\r\x1b[2K${text.length > columns - 1 ? text.slice(0, columns - 1) : text}`);
        // Each finished epoch keeps its line, as Keras's progress bar does.
        barShown = event.kind !== 'epoch';
        if (!barShown) stream.write('\n');
      } else if (event.kind === 'epoch' || Date.now() - lastPlain >= PLAIN_INTERVAL_MS) {
        stream.write(`${text}\n`);
        lastPlain = Date.now();
      }
    },
    note(message) {
      clearBar();
      stream.write(`${label}: ${message}\n`);
    },
    finish() {
      if (barShown) stream.write('\n');
      barShown = false;
    },
  };
}
