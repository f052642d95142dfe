/**
 * Training progress as ONE output updated in place: the first call sends a display_data
 * with a display_id, every later one an update_display_data for that id. Batch updates are
 * throttled (a notebook would otherwise re-render many times per second) but never
 * deferred to a timer: nothing is sent after the training call returns, so no stray output
 * can land in a later cell, and the last report always goes out, so the final state stays.
 */

import { randomBytes } from 'node:crypto';
import { currentSink, type DisplaySink } from './channel.js';
import type { MimeBundle } from './bundle.js';
import type { TrainingProgress } from '../training/fit.js';
import { formatDuration } from '../format.js';

/** The machine-readable part of a progress display, beside its text: what the notebook runner reads. */
export const PROGRESS_MIME = 'application/vnd.losslens.progress+json';

/** Where one run stands. */
export interface RunState {
  /** The run's label, as the text names it. */
  run: string;
  /** The run's line of the display's text, for a reader to be shown as it is. */
  text?: string;
  state: 'pending' | 'running' | 'completed' | 'interrupted' | 'diverged' | 'failed' | 'cancelled';
  /** With state 'completed': trained now, or read from the user's cache or the published archive. */
  origin?: 'computed' | 'cache' | 'archive';
  /** While training: 1-based epoch and batch of this run's training call. */
  epoch?: number;
  epochs?: number;
  batch?: number;
  batches?: number;
}

/** A progress display's part: one run, or a sweep's points. A JSON object, as nbformat wants mime values. */
export type ProgressPart = ({ kind: 'run' } & RunState) | { kind: 'sweep'; points: RunState[] };

export interface ProgressDisplayOptions {
  /** Shown before the numbers, e.g. the run's name. */
  label?: string;
  /** Fewest milliseconds between two updates within an epoch. Default 1000. */
  minIntervalMs?: number;
}

const BAR_WIDTH = 24;

function isLastReport(report: TrainingProgress): boolean {
  return report.epoch >= report.epochs && report.batch >= report.batches;
}

/** "[#########...............]  37%  epoch 4/10 · batch 120/469 · loss 0.1023 · …" */
export function progressText(report: TrainingProgress, label?: string): string {
  const done =
    report.epochs * report.batches > 0 ? ((report.epoch - 1) * report.batches + report.batch) / (report.epochs * report.batches) : 0;
  const fraction = Math.min(1, Math.max(0, done));
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%`;
  const timing = isLastReport(report)
    ? `done in ${formatDuration(report.elapsedSeconds)}`
    : `elapsed ${formatDuration(report.elapsedSeconds)} · ETA ${formatDuration(report.etaSeconds)}`;
  const parts = [
    `epoch ${report.epoch}/${report.epochs}`,
    `batch ${report.batch}/${report.batches}`,
    `loss ${Number.isFinite(report.loss) ? report.loss.toFixed(4) : String(report.loss)}`,
    `${Math.round(report.samplesPerSecond).toLocaleString('en-US')} samples/s`,
    timing,
  ];
  return `${label ? `${label}  ` : ''}${bar}  ${parts.join(' · ')}`;
}

export class ProgressDisplay {
  private readonly sink: DisplaySink;
  private readonly displayId = randomBytes(8).toString('hex');
  private readonly minIntervalMs: number;
  private sentAt = -Infinity;
  private sentEpoch = 0;
  private shown = false;
  private part: ProgressPart;

  constructor(private readonly options: ProgressDisplayOptions = {}) {
    // Bound now, in the cell that starts training: updates keep that cell as their parent.
    this.sink = currentSink();
    this.minIntervalMs = options.minIntervalMs ?? 1000;
    this.part = { kind: 'run', run: options.label ?? '', state: 'pending' };
  }

  /** Pass as `onProgress`; the method is bound so it can be handed over directly. */
  readonly update = (report: TrainingProgress): void => {
    const now = Date.now();
    // sentEpoch starts at 0 and epochs count from 1, so the first report is always due.
    const due =
      report.kind === 'epoch' || isLastReport(report) || report.epoch !== this.sentEpoch || now - this.sentAt >= this.minIntervalMs;
    if (!due) return;
    const { epoch, epochs, batch, batches } = report;
    this.part = { kind: 'run', run: this.options.label ?? '', state: 'running', epoch, epochs, batch, batches };
    this.send(progressText(report, this.options.label));
    this.sentAt = now;
    this.sentEpoch = report.epoch;
  };

  /**
   * Replaces the line with a message, e.g. "loading MNIST" or "interrupted at epoch 3".
   * Calling it right away creates the output while its cell is still running, so later
   * updates only ever replace it.
   */
  setMessage(message: string, part?: ProgressPart): void {
    if (part) this.part = part;
    else if (this.part.kind === 'run' && this.part.state === 'pending') this.part = { ...this.part, state: 'running' };
    this.send(`${this.options.label ? `${this.options.label}  ` : ''}${message}`);
  }

  /** A run's end: its state (and where its result came from) beside the message. */
  finish(message: string, state: Pick<RunState, 'state' | 'origin'>): void {
    this.setMessage(message, { kind: 'run', run: this.options.label ?? '', ...state });
  }

  private send(text: string): void {
    const part: ProgressPart = this.part.kind === 'run' ? { ...this.part, text } : this.part;
    const bundle: MimeBundle = { data: { 'text/plain': text, [PROGRESS_MIME]: part }, metadata: {} };
    this.sink.send(bundle, { displayId: this.displayId, update: this.shown });
    this.shown = true;
  }
}

/** A progress line for one training run; hand `display.update` to `fit` as `onProgress`. */
export function progressDisplay(options?: ProgressDisplayOptions): ProgressDisplay {
  return new ProgressDisplay(options);
}
