/**
 * A tensor payload laid out as an SVG figure: one column per panel (title, colour bar with
 * its range), one row per image (caption on the left), every image an embedded PNG and
 * every word real text. The same SVG, rasterised, is the bundle's PNG fallback.
 */

import { type BorderWidths, type Colormap, colorOf, colorTable, decodePanel, TABLE_SIZE, type TensorPayload } from '@losslens/protocol';
import { FONT_STACK, textWidth } from './fonts.js';
import { encodePng } from './rasterise.js';

/** The padded border's outline: the extension's dashed orange (JupyterLab's warn colour). */
export const OUTLINE_COLOR = '#f57c00';
const OUTLINE_DASH = '4 3';
const INK = '#222222';
const MUTED = '#555555';
const MARGIN = 12;
const COLUMN_GAP = 16;
const ROW_GAP = 8;
const TITLE_SIZE = 13;
const LABEL_SIZE = 11;
const CAPTION_SIZE = 12;
const BAR_HEIGHT = 8;
/** Images are scaled by a whole factor so the largest is about this many pixels. */
const TARGET_IMAGE_SIZE = 96;

/** "0–1", "0–0.693": short enough to sit under a panel title. */
export function rangeLabel([low, high]: [number, number]): string {
  return `${shortNumber(low)}–${shortNumber(high)}`;
}

function shortNumber(v: number): string {
  return String(Number(v.toPrecision(3)));
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

function pngHref(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}

/** One image of a panel, each tensor pixel a `scale` × `scale` block (no smoothing anywhere). */
function imagePixels(
  values: Float32Array,
  offset: number,
  h: number,
  w: number,
  scale: number,
  colormap: Colormap,
  range: [number, number],
): Uint8Array {
  const width = w * scale;
  const pixels = new Uint8Array(h * scale * width * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const rgb = colorOf(colormap, values[offset + y * w + x], range);
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) pixels.set(rgb, ((y * scale + dy) * width + x * scale + dx) * 3);
      }
    }
  }
  return pixels;
}

const colorBars = new Map<Colormap, Promise<string>>();

/** The colormap's 256 entries as a 256 × 1 PNG, stretched to the bar's size. */
function colorBarHref(colormap: Colormap): Promise<string> {
  let href = colorBars.get(colormap);
  if (href === undefined) {
    href = encodePng(new Uint8Array(colorTable(colormap)), 1, TABLE_SIZE).then(pngHref);
    colorBars.set(colormap, href);
  }
  return href;
}

function text(x: number, y: number, content: string, size: number, attributes = ''): string {
  return `<text x="${x}" y="${y}" font-size="${size}" ${attributes}>${escapeXml(content)}</text>`;
}

function outline(border: BorderWidths, left: number, top: number, w: number, h: number, scale: number): string {
  const x = left + border.left * scale;
  const y = top + border.top * scale;
  const width = (w - border.left - border.right) * scale;
  const height = (h - border.top - border.bottom) * scale;
  return `<rect x="${x}" y="${y}" width="${width}" height="${height}" fill="none" stroke="${OUTLINE_COLOR}" stroke-width="1.5" stroke-dasharray="${OUTLINE_DASH}"/>`;
}

/** The payload as an SVG figure; `description` becomes its accessible title. */
export async function tensorSvg(payload: TensorPayload, description: string): Promise<string> {
  const largest = Math.max(...payload.panels.flatMap((p) => [p.shape[1], p.shape[2]]));
  const scale = Math.max(1, Math.floor(TARGET_IMAGE_SIZE / largest));
  const labels = payload.panels.map((p) => [shortNumber(p.range[0]), shortNumber(p.range[1])]);
  // A colour bar is as wide as its images, or wider when its two end labels need it.
  const barWidths = payload.panels.map((p, i) =>
    Math.ceil(Math.max(p.shape[2] * scale, textWidth(labels[i][0], LABEL_SIZE) + textWidth(labels[i][1], LABEL_SIZE) + 8)),
  );
  const columnWidths = payload.panels.map((p, i) => Math.ceil(Math.max(barWidths[i], textWidth(p.title, TITLE_SIZE, 'bold'))));
  const rowHeight = Math.max(...payload.panels.map((p) => p.shape[1] * scale), CAPTION_SIZE * 1.5);
  const captionWidth = Math.ceil(Math.max(0, ...payload.captions.map((c) => textWidth(c, CAPTION_SIZE))));
  const barTop = MARGIN + TITLE_SIZE + 6;
  const labelBaseline = barTop + BAR_HEIGHT + 2 + LABEL_SIZE;
  const gridTop = labelBaseline + 4 + ROW_GAP;
  const rows = payload.captions.length;
  const footer = payload.truncatedFrom ? `the first ${rows} of ${payload.truncatedFrom} images` : undefined;
  const width =
    MARGIN + captionWidth + COLUMN_GAP + columnWidths.reduce((s, w) => s + w, 0) + COLUMN_GAP * (columnWidths.length - 1) + MARGIN;
  const gridBottom = gridTop + rows * rowHeight + (rows - 1) * ROW_GAP;
  const height = gridBottom + (footer ? 6 + LABEL_SIZE + 4 : 0) + MARGIN;

  const parts: string[] = [`<rect width="${width}" height="${height}" fill="white"/>`];
  payload.captions.forEach((caption, row) => {
    const middle = gridTop + row * (rowHeight + ROW_GAP) + rowHeight / 2;
    parts.push(text(MARGIN + captionWidth, Math.round(middle + CAPTION_SIZE * 0.35), caption, CAPTION_SIZE, 'text-anchor="end"'));
  });
  let left = MARGIN + captionWidth + COLUMN_GAP;
  for (const [index, panel] of payload.panels.entries()) {
    const [, h, w] = panel.shape;
    const columnWidth = columnWidths[index];
    const imageLeft = left + Math.floor((columnWidth - w * scale) / 2);
    const center = left + columnWidth / 2;
    parts.push(text(center, MARGIN + TITLE_SIZE, panel.title, TITLE_SIZE, 'text-anchor="middle" font-weight="bold"'));
    const barWidth = barWidths[index];
    const barLeft = center - barWidth / 2;
    parts.push(
      `<image x="${barLeft}" y="${barTop}" width="${barWidth}" height="${BAR_HEIGHT}" preserveAspectRatio="none" href="${await colorBarHref(panel.colormap)}"/>`,
      `<rect x="${barLeft}" y="${barTop}" width="${barWidth}" height="${BAR_HEIGHT}" fill="none" stroke="${MUTED}" stroke-width="0.5"/>`,
      text(barLeft, labelBaseline, labels[index][0], LABEL_SIZE, `fill="${MUTED}"`),
      text(barLeft + barWidth, labelBaseline, labels[index][1], LABEL_SIZE, `fill="${MUTED}" text-anchor="end"`),
    );
    const { values } = decodePanel(panel, index);
    for (let row = 0; row < rows; row++) {
      const top = gridTop + row * (rowHeight + ROW_GAP);
      const png = await encodePng(imagePixels(values, row * h * w, h, w, scale, panel.colormap, panel.range), h * scale, w * scale);
      parts.push(
        `<image x="${imageLeft}" y="${top}" width="${w * scale}" height="${h * scale}" image-rendering="optimizeSpeed" href="${pngHref(png)}"/>`,
      );
      if (panel.border) parts.push(outline(panel.border, imageLeft, top, w, h, scale));
    }
    left += columnWidth + COLUMN_GAP;
  }
  if (footer) parts.push(text(MARGIN, gridBottom + 6 + LABEL_SIZE, footer, LABEL_SIZE, `fill="${MUTED}"`));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="${escapeXml(FONT_STACK)}" fill="${INK}" role="img">`,
    `<title>${escapeXml(description)}</title>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
