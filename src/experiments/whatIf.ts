/**
 * The parameters of a what-if notebook (notebooks/03-what-if.ipynb): one padding against
 * the unpadded model, every other knob shared, over seeds. Annotating the parameter cell
 * with this type (`const params: WhatIfParams = {…}`) keeps "constant" a PadMode instead of
 * widening it to string, and checks each value where it is typed.
 */
import type { LossName } from '../model/autoencoder.js';
import type { PadMode } from '../transforms/pad.js';
import type { NoisePlacement } from '../transforms/dataset.js';
import type { LossRegion } from './config.js';

export interface WhatIfParams {
  /** Pixels added on each side (even). */
  padWidth: number;
  padMode: PadMode;
  /** Moves the original image down and right inside the padding (PadConfig.shift); default 0. */
  padShift?: number;
  /** Where the noise goes in the padded input; default 'afterPadding' (the question's). */
  noisePlacement?: NoisePlacement;
  /** Pixels the training loss covers; default 'all' (the question's). */
  lossRegion?: LossRegion;
  noiseFactor: number;
  loss: LossName;
  epochs: number;
  trainSamples: number;
  testSamples: number;
  seeds: number[];
}
