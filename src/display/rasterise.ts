/**
 * SVG to PNG for the kernel's figures: resvg (a maintained Rust rasteriser whose binary
 * ships in its npm package) draws the text with the DejaVu files from src/display/fonts.ts
 * and never with whatever fonts the machine has, so a figure looks the same everywhere.
 * The pixels are written as PNG at zlib level 9 by tfjs-node.
 */

import { Resvg } from '@resvg/resvg-js';
import { tf } from '../tf.js';
import { FONT_FAMILY, fontFiles } from './fonts.js';

/** zlib's best compression: figures are written once and read many times. */
const PNG_COMPRESSION = 9;

/** RGB pixels as a PNG at PNG_COMPRESSION. */
export async function encodePng(pixels: Uint8Array, height: number, width: number): Promise<Uint8Array> {
  const image = tf.tensor3d(pixels, [height, width, 3], 'int32');
  try {
    return await tf.node.encodePng(image, PNG_COMPRESSION);
  } finally {
    image.dispose();
  }
}

/**
 * `svg` drawn at `zoom` pixels per SVG unit onto white, as a PNG. Text in any font family
 * is drawn in DejaVu Sans, the only font loaded.
 */
export async function svgToPng(svg: string, zoom = 1): Promise<Uint8Array> {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: zoom },
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  const rendered = resvg.render();
  const { width, height } = rendered;
  const rgba = rendered.pixels;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgb[i] = rgba[j];
    rgb[i + 1] = rgba[j + 1];
    rgb[i + 2] = rgba[j + 2];
  }
  return encodePng(rgb, height, width);
}
