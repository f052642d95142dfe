/**
 * The words shown for a hovered pixel. Indices are zero-based, as in the tensor, so
 * a reader can look the same value up in the kernel.
 */

/** Four decimals for the [0, 1] pixels and losses this shows; exponent form outside that scale. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  const magnitude = Math.abs(value);
  return magnitude >= 1e4 || (magnitude > 0 && magnitude < 1e-3) ? value.toExponential(3) : value.toFixed(4);
}

export interface HoveredPixel {
  image: number;
  caption: string;
  panel: string;
  row: number;
  column: number;
  value: number;
  loss?: number;
}

export function readoutText(p: HoveredPixel): string {
  const parts = [
    `image ${p.image}${p.caption ? ` (${p.caption})` : ''}`,
    p.panel,
    `row ${p.row}, column ${p.column}`,
    `value ${formatValue(p.value)}`,
  ];
  if (p.loss !== undefined) parts.push(`loss ${formatValue(p.loss)}`);
  return parts.join(' · ');
}
