/**
 * `model.summary()` as Keras prints it in the question, returned as a string so a notebook can
 * display it and a test can read it, computed from the model's description. Columns widen
 * instead of truncating names the way old Keras did ("MaxPooling2").
 */
import type { Autoencoder } from './autoencoder.js';

const HEADERS = ['Layer (type)', 'Output Shape', 'Param #'] as const;
/** Keras 2's column widths at its default line length of 65. */
const KERAS_WIDTHS = [29, 26, 10] as const;

const thousands = (n: number) => n.toLocaleString('en-US');
const shapeText = (shape: readonly number[]) => `(None, ${shape.join(', ')})`;

export function summary(model: Autoencoder): string {
  const rows = [
    ['input_layer (InputLayer)', shapeText([model.height, model.width, 1]), '0'],
    ...model.layers.map((layer) => [
      `${layer.name} (${layer.className})`,
      shapeText(layer.outputShape),
      thousands(layer.weights.reduce((sum, weight) => sum + weight.shape.reduce((a, b) => a * b, 1), 0)),
    ]),
  ];
  const widths = KERAS_WIDTHS.map((minimum, column) =>
    Math.max(minimum, HEADERS[column].length + 1, ...rows.map((row) => row[column].length + 1)),
  );
  const lineLength = widths.reduce((a, b) => a + b, 0);
  const formatRow = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('')
      .trimEnd();
  const lines = ['Model: "functional"', '_'.repeat(lineLength), formatRow(HEADERS), '='.repeat(lineLength)];
  rows.forEach((row, i) => {
    lines.push(formatRow(row));
    lines.push(i === rows.length - 1 ? '='.repeat(lineLength) : '_'.repeat(lineLength));
  });
  lines.push(`Total params: ${thousands(model.parameters)}`, `Trainable params: ${thousands(model.parameters)}`, 'Non-trainable params: 0');
  return lines.join('\n');
}
