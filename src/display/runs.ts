/**
 * Running an experiment from a notebook: one output line per run that shows training
 * progress in place (and what the run is doing before and after training), or says the
 * result came from the cache, and ends with the outcome.
 */

import { DEFAULT_CONFIG, normaliseConfig, type ExperimentConfigInput } from '../settings/config.js';
import { runLabel } from '../settings/labels.js';
import { trainingSeconds, type CompletedResult } from '../results/result.js';
import { runExperiment, type RunOptions } from '../experiments/run.js';
import { runSeeds, type SeededConfigs, type SeedsResult } from '../experiments/seeds.js';
import { interruptOnSigint } from '../training/interrupt.js';
import { formatPerPixel } from '@losslens/protocol';
import { progressDisplay } from './progress.js';
import { formatDuration } from '../format.js';

/**
 * Jupyter's interrupt button sends SIGINT (nbclient sends two in a row); tslab then
 * abandons the cell's promise but cannot stop the work behind it. This turns every
 * SIGINT during a run into an abort, so training stops after the current batch with its
 * finished epochs checkpointed instead of running on unseen.
 *
 * The listener is added after a turn of the event loop: tslab runs a cell's synchronous
 * part under vm's breakOnSigint, and a SIGINT listener added inside that window did not
 * receive the signal in our tests (the kernel died instead).
 */
export async function abortOnInterrupt<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  await new Promise((resolve) => setImmediate(resolve));
  const interrupt = interruptOnSigint({ repeatExits: false });
  try {
    return await run(interrupt.signal);
  } finally {
    interrupt.dispose();
  }
}

/**
 * `runExperiment` with its progress shown in the cell, resolving only with a completed
 * result. The label defaults to its size and padding, its loss and noise where they are not
 * the tutorial's, and its seed (e.g. "32×32 edge+2 mse seed 1"; see runLabels). Unless `signal` is given,
 * interrupting the kernel stops the training (see abortOnInterrupt); running the cell
 * again resumes from the last finished epoch.
 */
export async function runWithProgress(
  config: ExperimentConfigInput,
  options: RunOptions & { label?: string } = {},
): Promise<CompletedResult> {
  const { label: given, ...runOptions } = options;
  const normalised = normaliseConfig(config);
  // Named against the same run with the tutorial's loss and noise: a line stays short in a
  // small-sized notebook but says "mse" or "noise 0.3" where that is what was changed.
  const tutorial = { ...normalised, loss: DEFAULT_CONFIG.loss, noiseFactor: DEFAULT_CONFIG.noiseFactor };
  const label = given ?? runLabel(normalised, { against: [tutorial], always: ['seed'] });
  const progress = progressDisplay({ label });
  progress.setMessage('starting');
  const run = (signal?: AbortSignal) =>
    runExperiment(normalised, { ...runOptions, signal, onProgress: progress.update, onStage: (stage) => progress.setMessage(stage) });
  const result = runOptions.signal ? await run(runOptions.signal) : await abortOnInterrupt(run);
  if (result.status !== 'completed') {
    const outcome = `${result.status}: ${result.message}`;
    progress.finish(outcome, { state: result.status });
    throw new Error(`${label} ${outcome}`);
  }
  const trained = `${formatDuration(trainingSeconds(result))} of training for ${result.config.epochs} epoch(s)`;
  const testLoss = `test loss ${formatPerPixel(result.testLoss)} per pixel`;
  const when = `${result.createdAt.slice(0, 16).replace('T', ' ')} UTC`;
  if (result.origin === 'archive') {
    const { commit, identity } = result.archive!;
    progress.finish(
      `from the published archive (computed ${when} by commit ${commit ?? 'unknown'}, identity ${identity}, ${trained}; ` +
        `force: true trains it afresh): ${testLoss}`,
      { state: 'completed', origin: 'archive' },
    );
  } else if (result.origin === 'cache') {
    progress.finish(`from the cache (computed ${when}, ${trained}): ${testLoss}`, { state: 'completed', origin: 'cache' });
  } else {
    progress.finish(`done: ${trained}${result.resumedFromEpoch ? ` (resumed after epoch ${result.resumedFromEpoch})` : ''}; ${testLoss}`, {
      state: 'completed',
      origin: 'computed',
    });
  }
  return result;
}

/**
 * `runSeeds` with each run's progress shown in the cell as `runWithProgress` shows it (one
 * line per run), resolving only when every run completed: each config once per seed,
 * seed-major, with each config's results and summary (mean, spread, confidence interval).
 */
export function runSeedsWithProgress(
  configs: ExperimentConfigInput | readonly ExperimentConfigInput[] | SeededConfigs,
  seeds?: readonly number[],
  options: RunOptions = {},
): Promise<SeedsResult<CompletedResult>> {
  return runSeeds(configs, seeds, { run: (config) => runWithProgress(config, options) });
}
