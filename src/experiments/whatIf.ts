/**
 * The parameters of a what-if notebook (notebooks/03-what-if.ipynb): one padding against
 * the unpadded model, every other knob shared, over seeds. Annotating the parameter cell
 * with this type (`const params: WhatIfParams = {…}`) keeps "constant" a PadMode instead of
 * widening it to string, and checks each value where it is typed.
 */
import type { LossName } from '../model/autoencoder.js';
import type { PadMode } from '../transforms/pad.js';

export interface WhatIfParams {
  /** Pixels added on each side (even). */
  padWidth: number;
  padMode: PadMode;
  noiseFactor: number;
  loss: LossName;
  epochs: number;
  trainSamples: number;
  testSamples: number;
  seeds: number[];
}
