/**
 * Border widths: the pixels padding added on each side of an image. The kernel pads and
 * crops by them and splits the loss ledger into the inner region and the ring; payloads
 * carry them so the extension outlines the inner region. One type and one check for all.
 */

/** Pixels added on each side by padding; what lies inside them is the inner (original) region. */
export interface BorderWidths {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

const SIDES = ['top', 'bottom', 'left', 'right'] as const;

/**
 * Per-side widths from one width for all four sides, or a checked copy of per-side widths.
 * A side that is not a non-negative integer is a RangeError starting with `name`.
 */
export function borderWidths(width: number | BorderWidths, name = 'border width'): BorderWidths {
  const widths = typeof width === 'number' ? { top: width, bottom: width, left: width, right: width } : width;
  for (const side of SIDES) {
    const value = widths[side];
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} ${side} must be a non-negative integer, got ${value}`);
  }
  return { top: widths.top, bottom: widths.bottom, left: widths.left, right: widths.right };
}

/** Whether a `height × width` image keeps at least one pixel inside `border`. */
export function hasInnerRegion(border: BorderWidths, height: number, width: number): boolean {
  return border.top + border.bottom < height && border.left + border.right < width;
}
