/**
 * Running an experiment from a notebook: one output line per run that shows training
 * progress in place, or says the result came from the cache, and ends with the outcome.
 */

import { describeConfig, normaliseConfig, type ExperimentConfigInput } from '../experiments/config.js';
import type { ExperimentResult } from '../experiments/result.js';
import { runExperiment, type RunOptions } from '../experiments/run.js';
import { formatDuration, progressDisplay } from './progress.js';

/** `runExperiment` with its progress shown in the cell; the label defaults to "32×32 edge+2 seed 1". */
export async function runWithProgress(
  config: ExperimentConfigInput,
  options: RunOptions & { label?: string } = {},
): Promise<ExperimentResult> {
  const { label: given, ...runOptions } = options;
  const normalised = normaliseConfig(config);
  const label = given ?? `${describeConfig(normalised)} seed ${normalised.seed}`;
  const progress = progressDisplay({ label });
  const result = await runExperiment(normalised, { ...runOptions, onProgress: progress.update });
  if (result.origin === 'cache') {
    const when = result.createdAt.slice(0, 16).replace('T', ' ');
    progress.finish(`from the cache: trained ${result.config.epochs} epoch(s) in ${formatDuration(result.timings.trainSeconds)} on ${when} UTC`);
  } else if (result.status !== 'completed') {
    progress.finish(`${result.status}: ${result.message ?? ''}`);
  }
  return result;
}
