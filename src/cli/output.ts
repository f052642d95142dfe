/**
 * What the commands print with --json, one JSON value on stdout each: the types a script (or
 * the notebook runner) reads them with. `losslens run --json` prints an ExperimentResult;
 * `losslens sweep-point` a PointOutcome (experiments/sweepExecutors.ts).
 */
import type { ExperimentComparison } from '../experiments/compare.js';
import type { ReproductionRow } from '../experiments/reproduction.js';
import type { ResultMetric } from '../experiments/seeds.js';
import type { SeedSummary } from '../statistics.js';
import type { SweepPoint, SweepResult } from '../experiments/sweep.js';
import type { ExperimentResult } from '../results/result.js';
import type { ExperimentConfig } from '../settings/config.js';

/** `losslens reproduce --json`. */
export interface ReproduceOutput {
  command: 'reproduce';
  seeds: number[];
  status: ExperimentResult['status'];
  runs: { label: string; results: ExperimentResult[]; summary: Partial<Record<ResultMetric, SeedSummary>> }[];
  /** The first seed's 28×28 run against its 32×32 one; null unless both completed. */
  comparison: ExperimentComparison | null;
  /** Every run next to the published archive's and the question's numbers; null unless all completed. */
  published: ReproductionRow[] | null;
}

/** `losslens sweep --json`. */
export interface SweepOutput extends Pick<SweepResult, 'status' | 'executor' | 'seconds' | 'rows'> {
  command: 'sweep';
  points: Pick<SweepPoint, 'index' | 'label' | 'key' | 'status' | 'node' | 'error' | 'seconds'>[];
}

/** One run a notebook asks for, as `losslens plan --json` lists it. */
export interface PlannedRunOutput {
  label: string;
  config: ExperimentConfig;
  key: string;
  epochs: number;
  /** Stored already: in the user's cache or in the published archive (`origin`). */
  cached: boolean;
  origin?: 'cache' | 'archive';
  /** Not stored, and an earlier run of the plan (in this notebook or the one named) trains it. */
  earlierIn?: string;
  /** Not stored, but an interrupted training left a checkpoint after this many epochs. */
  checkpointEpoch?: number;
  /** The published archive holds the run but computed it with other numbers, and why. */
  archiveMismatch?: string;
}

/** `losslens plan --json`: each notebook's runs, and the totals the plan's text ends with. */
export interface PlanOutput {
  command: 'plan';
  notebooks: { notebook: string; runs: PlannedRunOutput[] | null }[];
  totals: {
    /** Trainings needed: runs neither stored nor trained by an earlier run of the plan. */
    toTrain: number;
    /** Of those, how many resume from a checkpoint. */
    resuming: number;
    /** Every run the notebooks ask for, repeats included. */
    runs: number;
    inCache: number;
    inArchive: number;
    /** Runs an earlier notebook (or an earlier cell) of the plan trains. */
    trainedEarlier: number;
    /** Notebooks without a cell tagged `runs`. */
    uncounted: number;
  };
}

/** `losslens archive compare --json`. */
export interface ArchiveComparisonOutput {
  command: 'archive compare';
  /** The archive's identity and whether this build computes its numbers. */
  archive: { identity: string; createdAt: string; commit: string | null; fits: boolean } | null;
  rows: ReproductionRow[];
  /** Runs the notebooks read that this cache does not hold (not reproduced). */
  missing: string[];
}
