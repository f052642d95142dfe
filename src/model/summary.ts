/**
 * `model.summary()` as Keras prints it in the question, returned as a string so a
 * notebook can display it and a test can read it (tfjs's own summary prints to the
 * console with different column widths and names). Columns widen instead of truncating
 * names the way old Keras did ("MaxPooling2").
 */
import type * as tfn from '@tensorflow/tfjs-node';

const HEADERS = ['Layer (type)', 'Output Shape', 'Param #'] as const;
/** Keras 2's column widths at its default line length of 65. */
const KERAS_WIDTHS = [29, 26, 10] as const;

function formatShape(shape: tfn.Shape | tfn.Shape[]): string {
  const one = (s: tfn.Shape) => `(${s.map((d) => (d === null ? 'None' : String(d))).join(', ')})`;
  return Array.isArray(shape[0]) ? (shape as tfn.Shape[]).map(one).join(', ') : one(shape as tfn.Shape);
}

function countParams(weights: tfn.LayerVariable[]): number {
  return weights.reduce((sum, w) => sum + w.shape.reduce<number>((product, d) => product * (d ?? 1), 1), 0);
}

const thousands = (n: number) => n.toLocaleString('en-US');

export function summary(model: tfn.LayersModel): string {
  const rows = model.layers.map((layer) => [
    `${layer.name} (${layer.getClassName()})`,
    formatShape(layer.outputShape),
    thousands(layer.countParams()),
  ]);
  const widths = KERAS_WIDTHS.map((minimum, column) =>
    Math.max(minimum, HEADERS[column].length + 1, ...rows.map((row) => row[column].length + 1)),
  );
  const lineLength = widths.reduce((a, b) => a + b, 0);
  const formatRow = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('')
      .trimEnd();

  const trainable = countParams(model.trainableWeights);
  const nonTrainable = countParams(model.nonTrainableWeights);
  const lines = [`Model: "${model.name}"`, '_'.repeat(lineLength), formatRow(HEADERS), '='.repeat(lineLength)];
  rows.forEach((row, i) => {
    lines.push(formatRow(row));
    lines.push(i === rows.length - 1 ? '='.repeat(lineLength) : '_'.repeat(lineLength));
  });
  lines.push(
    `Total params: ${thousands(trainable + nonTrainable)}`,
    `Trainable params: ${thousands(trainable)}`,
    `Non-trainable params: ${thousands(nonTrainable)}`,
  );
  return lines.join('\n');
}
