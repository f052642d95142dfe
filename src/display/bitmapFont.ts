/**
 * A tiny bitmap font for the captions burned into PNG fallbacks. Node has no text
 * rasteriser without a native canvas, and the PNG must stand alone in published HTML, so
 * captions are drawn from these glyphs: 5 rows high, mostly 3 columns wide, capitals
 * only (lower case is drawn as capitals). Characters without a glyph are drawn as '?',
 * so nothing is silently dropped; the exact text is also in the bundle's text/plain.
 */

const GLYPH_ROWS: Record<string, string> = {
  A: '.#. #.# ### #.# #.#',
  B: '##. #.# ##. #.# ##.',
  C: '.## #.. #.. #.. .##',
  D: '##. #.# #.# #.# ##.',
  E: '### #.. ##. #.. ###',
  F: '### #.. ##. #.. #..',
  G: '.## #.. #.# #.# .##',
  H: '#.# #.# ### #.# #.#',
  I: '### .#. .#. .#. ###',
  J: '..# ..# ..# #.# .#.',
  K: '#.# #.# ##. #.# #.#',
  L: '#.. #.. #.. #.. ###',
  M: '#...# ##.## #.#.# #...# #...#',
  N: '#..# ##.# #.## #..# #..#',
  O: '.#. #.# #.# #.# .#.',
  P: '##. #.# ##. #.. #..',
  Q: '.#. #.# #.# ##. .##',
  R: '##. #.# ##. #.# #.#',
  S: '.## #.. .#. ..# ##.',
  T: '### .#. .#. .#. .#.',
  U: '#.# #.# #.# #.# ###',
  V: '#.# #.# #.# #.# .#.',
  W: '#...# #...# #.#.# ##.## #...#',
  X: '#.# #.# .#. #.# #.#',
  Y: '#.# #.# .#. .#. .#.',
  Z: '### ..# .#. #.. ###',
  '0': '### #.# #.# #.# ###',
  '1': '.#. ##. .#. .#. ###',
  '2': '##. ..# .#. #.. ###',
  '3': '##. ..# .#. ..# ##.',
  '4': '#.# #.# ### ..# ..#',
  '5': '### #.. ##. ..# ##.',
  '6': '.## #.. ### #.# ###',
  '7': '### ..# .#. .#. .#.',
  '8': '### #.# ### #.# ###',
  '9': '### #.# ### ..# ##.',
  ' ': '... ... ... ... ...',
  '.': '. . . . #',
  ',': '.. .. .. .# #.',
  ':': '. # . # .',
  ';': '.. .# .. .# #.',
  '-': '... ... ### ... ...',
  '+': '... .#. ### .#. ...',
  '=': '... ### ... ### ...',
  '/': '..# ..# .#. #.. #..',
  '(': '.# #. #. #. .#',
  ')': '#. .# .# .# #.',
  '[': '## #. #. #. ##',
  ']': '## .# .# .# ##',
  '%': '#.# ..# .#. #.. #.#',
  '?': '##. ..# .#. ... .#.',
  '!': '# # # . #',
  "'": '# # . . .',
  '"': '#.# #.# ... ... ...',
  _: '... ... ... ... ###',
  '<': '..# .#. #.. .#. ..#',
  '>': '#.. .#. ..# .#. #..',
  '#': '#.# ### #.# ### #.#',
  '|': '# # # # #',
  '×': '... #.# .#. #.# ...',
  '·': '. . # . .',
  '~': '.... .#.# #.#. .... ....',
  '≈': '.#.# #.#. .... .#.# #.#.',
  '–': '... ... ### ... ...',
};

export const GLYPH_HEIGHT = 5;
/** Blank columns between glyphs. */
const LETTER_SPACING = 1;

/** Each glyph as rows of on/off cells, parsed once. */
const GLYPHS = new Map<string, boolean[][]>(
  Object.entries(GLYPH_ROWS).map(([char, rows]) => [char, rows.split(' ').map((row) => [...row].map((c) => c === '#'))]),
);

function glyph(char: string): boolean[][] {
  return GLYPHS.get(char.toUpperCase()) ?? GLYPHS.get('?')!;
}

/** Width in font cells (multiply by the drawing scale for pixels). */
export function textWidth(text: string): number {
  const chars = [...text];
  return chars.reduce((sum, char) => sum + glyph(char)[0].length, 0) + Math.max(0, chars.length - 1) * LETTER_SPACING;
}

/** Something that can be painted one pixel at a time, e.g. an RGB raster. */
export interface PixelTarget {
  width: number;
  height: number;
  set(x: number, y: number, rgb: readonly [number, number, number]): void;
}

/** Draws `text` with its top-left corner at (x, y), each font cell `scale` pixels square. */
export function drawText(
  target: PixelTarget,
  text: string,
  x: number,
  y: number,
  scale: number,
  rgb: readonly [number, number, number],
): void {
  let cursor = x;
  for (const char of text) {
    const rows = glyph(char);
    rows.forEach((row, gy) =>
      row.forEach((on, gx) => {
        if (!on) return;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) target.set(cursor + gx * scale + dx, y + gy * scale + dy, rgb);
        }
      }),
    );
    cursor += (rows[0].length + LETTER_SPACING) * scale;
  }
}
