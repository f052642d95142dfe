/** A result the test expects to be completed, typed as one (the test fails with the run's status if not). */
import { requireCompleted, type CompletedResult, type ExperimentResult } from '../../src/results/result.js';

export const completed = (result: ExperimentResult): CompletedResult => requireCompleted(result, 'test');
