/**
 * The font of the kernel's figures: DejaVu Sans from the dejavu-fonts-ttf package (Latin
 * with accents, Greek, Cyrillic and the maths symbols losslens writes: × · ≈ – −). Layout
 * measures text with opentype.js in the same files the rasteriser draws with, so a title's
 * box is the width it is drawn at.
 */

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as opentype from 'opentype.js';

export const FONT_FAMILY = 'DejaVu Sans';
/** What an SVG names: browsers without DejaVu fall back to a close sans. */
export const FONT_STACK = `'${FONT_FAMILY}', Verdana, 'Bitstream Vera Sans', sans-serif`;

const FONT_FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' } as const;
export type FontWeight = keyof typeof FONT_FILES;

function fontDir(): string {
  let packageJson: string;
  try {
    packageJson = require.resolve('dejavu-fonts-ttf/package.json');
  } catch {
    throw new Error("the font package dejavu-fonts-ttf is not installed; run 'npm ci' (or bash scripts/setup.sh)");
  }
  return join(dirname(packageJson), 'ttf');
}

/** Paths of the regular and bold TTF files, for the rasteriser. */
export function fontFiles(): string[] {
  const dir = fontDir();
  return Object.values(FONT_FILES).map((file) => join(dir, file));
}

const parsed = new Map<FontWeight, opentype.Font>();

function font(weight: FontWeight): opentype.Font {
  let loaded = parsed.get(weight);
  if (loaded === undefined) {
    const bytes = readFileSync(join(fontDir(), FONT_FILES[weight]));
    loaded = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    parsed.set(weight, loaded);
  }
  return loaded;
}

/**
 * The advance width of `text` in pixels at `size` pixels per em, summed glyph by glyph.
 * opentype.js's getAdvanceWidth runs every GSUB lookup first and throws on one of DejaVu's
 * (a chained substitution, format 2). DejaVu's kerning is in GPOS, which this leaves out;
 * kerning only narrows text, so boxes err wide, never overlapping.
 */
export function textWidth(text: string, size: number, weight: FontWeight = 'regular'): number {
  const face = font(weight);
  let units = 0;
  for (const char of text) units += face.charToGlyph(char).advanceWidth ?? 0;
  return (units * size) / face.unitsPerEm;
}
