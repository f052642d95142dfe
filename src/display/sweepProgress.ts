/**
 * A sweep's progress as text: one line for the whole sweep and one per point that is
 * running or has finished, the same in a notebook (one output updated in place) and on a
 * terminal (src/cli/sweep.ts).
 */
import type { SweepEvent, SweepGrid, SweepOptions, SweepPoint, SweepResult } from '../experiments/sweep.js';
import { sweep } from '../experiments/sweep.js';
import type { ExperimentConfigInput } from '../settings/config.js';
import type { TrainingProgress } from '../training/fit.js';
import { formatPerPixel } from '@losslens/protocol';
import { progressDisplay, progressText, type ProgressPart, type RunState } from './progress.js';
import { abortOnInterrupt } from './runs.js';
import { showMarkdown } from './show.js';
import { formatDuration, markdownTable } from '../format.js';

/** Follows a sweep's events; `text()` says where it stands. */
export class SweepTracker {
  private points: readonly SweepPoint[] = [];
  private readonly progress = new Map<number, TrainingProgress>();
  private readonly stages = new Map<number, string>();
  private readonly startedAt = performance.now();
  executor = '';

  readonly update = (event: SweepEvent): void => {
    if (event.type === 'planned') {
      this.points = event.points;
      this.executor = event.executor;
    } else if (event.type === 'progress') {
      this.progress.set(event.point.index, event.progress);
    } else if (event.type === 'stage') {
      this.stages.set(event.point.index, event.message);
    }
  };

  /** "sweep: 4/9 points done (2 cached, 1 failed) · 2 running · 3 waiting · elapsed 1m 02s". */
  summary(): string {
    const count = (...statuses: SweepPoint['status'][]) => this.points.filter((p) => statuses.includes(p.status)).length;
    const done = count('completed', 'cached', 'diverged', 'failed', 'interrupted', 'cancelled');
    const details = [
      count('cached') ? `${count('cached')} cached` : '',
      count('failed') ? `${count('failed')} failed` : '',
      count('diverged') ? `${count('diverged')} diverged` : '',
      count('cancelled', 'interrupted') ? `${count('cancelled', 'interrupted')} cancelled` : '',
    ].filter(Boolean);
    return (
      `sweep (${this.executor}): ${done}/${this.points.length} points done${details.length ? ` (${details.join(', ')})` : ''}` +
      ` · ${count('running')} running · ${count('waiting')} waiting · elapsed ${formatDuration((performance.now() - this.startedAt) / 1000)}`
    );
  }

  /** One line for a point: its outcome, or its training progress while it runs. */
  pointLine(point: SweepPoint): string {
    const name = `#${point.index + 1} ${point.label}`;
    const where = point.node ? ` on ${point.node.slice(0, 12)}` : '';
    switch (point.status) {
      case 'running': {
        const progress = this.progress.get(point.index);
        if (progress) return `${progressText(progress, name)}${where}`;
        return `${name}  ${this.stages.get(point.index) ?? 'starting'}${where}`;
      }
      case 'completed':
      case 'cached': {
        // Worded as runWithProgress words a finished run, so a reader (or a check) sees one format.
        const result = point.result;
        const loss =
          result?.status === 'completed'
            ? `test loss ${formatPerPixel(result.ledger.perPixel)} per pixel, ${result.ledger.perImage.toFixed(2)} per image`
            : '';
        if (point.status === 'cached') {
          const from = result?.origin === 'archive' ? 'from the published archive' : 'from the cache';
          return `${name}  ${from} (computed ${result?.createdAt.slice(0, 16).replace('T', ' ')} UTC): ${loss}`;
        }
        return `${name}  done: ${formatDuration(point.seconds)}${where}; ${loss}`;
      }
      default:
        return `${name}  ${point.status}${point.error ? `: ${point.error}` : ''}`;
    }
  }

  /** Each point's state, for the display's machine-readable part (ProgressPart). */
  part(): ProgressPart {
    return {
      kind: 'sweep',
      points: this.points.map((point): RunState => ({ ...this.pointState(point), text: this.pointLine(point) })),
    };
  }

  private pointState(point: SweepPoint): RunState {
    const run = `#${point.index + 1} ${point.label}`;
    switch (point.status) {
      case 'waiting':
        return { run, state: 'pending' };
      case 'running': {
        const progress = this.progress.get(point.index);
        return progress
          ? { run, state: 'running', epoch: progress.epoch, epochs: progress.epochs, batch: progress.batch, batches: progress.batches }
          : { run, state: 'running' };
      }
      case 'completed':
        return { run, state: 'completed', origin: 'computed' };
      case 'cached':
        return { run, state: 'completed', origin: point.result?.origin === 'archive' ? 'archive' : 'cache' };
      default:
        return { run, state: point.status };
    }
  }

  /** The summary, then the points that are not waiting, in grid order. */
  text(): string {
    return [this.summary(), ...this.points.filter((p) => p.status !== 'waiting').map((p) => `  ${this.pointLine(p)}`)].join('\n');
  }
}

/** The sweep's table of ledgers as Markdown (one row per point). */
export function sweepTable(result: SweepResult): string {
  const number = (value: number | null, digits: number) => (value === null ? '—' : value.toFixed(digits));
  return markdownTable(
    ['point', 'status', 'pixels', 'loss per pixel', 'loss per image', 'inner 28×28', 'border ring', 'floor', 'excess', 'where', 'error'],
    result.rows.map((row) => [
      row.label,
      row.status,
      row.pixels,
      row.perPixel === null ? '—' : formatPerPixel(row.perPixel),
      number(row.perImage, 2),
      number(row.innerPerImage, 2),
      number(row.borderPerImage, 2),
      number(row.floorPerImage, 2),
      number(row.excessPerImage, 2),
      row.node ?? '',
      row.error ?? '',
    ]),
  );
}

/**
 * `sweep` with its progress in the running cell (one output, updated at most once a
 * second and at every point's start and end) and its table shown at the end. Unless
 * `signal` is given, interrupting the kernel cancels the points that have not started.
 */
export async function sweepWithProgress(
  grid: SweepGrid | readonly ExperimentConfigInput[],
  options: SweepOptions & { table?: boolean } = {},
): Promise<SweepResult> {
  const { table = true, ...sweepOptions } = options;
  const tracker = new SweepTracker();
  const display = progressDisplay();
  display.setMessage('planning the sweep', { kind: 'sweep', points: [] });
  let shownAt = 0;
  const onEvent = (event: SweepEvent) => {
    tracker.update(event);
    options.onEvent?.(event);
    const now = Date.now();
    if (event.type !== 'progress' || now - shownAt >= 1000) {
      display.setMessage(tracker.text(), tracker.part());
      shownAt = now;
    }
  };
  const run = (signal?: AbortSignal) => sweep(grid, { ...sweepOptions, signal, onEvent });
  const result = sweepOptions.signal ? await run(sweepOptions.signal) : await abortOnInterrupt(run);
  display.setMessage(tracker.text(), tracker.part());
  if (table) await showMarkdown(sweepTable(result));
  return result;
}
