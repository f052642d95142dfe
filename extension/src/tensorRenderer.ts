/**
 * Renders a losslens tensor payload: one row per image, one column per panel (e.g. noisy
 * input | target | reconstruction | loss map), each image a canvas holding exactly its
 * tensor pixels, zoomed by CSS without smoothing.
 */

import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import { decodePanel, type TensorPanel, type TensorPayload, validateTensorPayload } from '@losslens/protocol';
import { colorTable, paintRgba, TABLE_SIZE } from './colormap.js';
import { showError } from './errorBox.js';
import { formatValue, readoutText } from './readout.js';
import { gridLayout, layoutNotices, pageRange, pixelAt, type GridLayout, type PanelScale } from './tensorLayout.js';

const HOVER_HINT = 'Hover over an image to read its pixels.';
export const RENDER_MEASURE = 'losslens:render-tensor';

interface DecodedPanel {
  panel: TensorPanel;
  values: Float32Array;
  loss?: Float32Array;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A horizontal strip of the colormap with the values at its two ends. */
function colorBar(panel: TensorPanel): HTMLElement {
  const bar = element('div', 'losslens-colorbar');
  const strip = document.createElement('canvas');
  strip.width = TABLE_SIZE;
  strip.height = 1;
  const context = strip.getContext('2d');
  if (context !== null) {
    const image = context.createImageData(TABLE_SIZE, 1);
    const table = colorTable(panel.colormap);
    for (let i = 0; i < TABLE_SIZE; i++) image.data.set([table[i * 3], table[i * 3 + 1], table[i * 3 + 2], 255], i * 4);
    context.putImageData(image, 0, 0);
  }
  bar.append(
    element('span', 'losslens-colorbar-label', formatValue(panel.range[0])),
    strip,
    element('span', 'losslens-colorbar-label', formatValue(panel.range[1])),
  );
  bar.title = `${panel.colormap} colormap`;
  return bar;
}

/** A dashed frame around the inner (unpadded) region, drawn over the canvas, not into it. */
function borderOutline(panel: TensorPanel, scale: PanelScale, zoom: number): HTMLElement {
  const { top, bottom, left, right } = panel.border!;
  const cssPerTensorPixel = zoom / scale.stride;
  const outline = element('div', 'losslens-border');
  outline.style.top = `${top * cssPerTensorPixel}px`;
  outline.style.left = `${left * cssPerTensorPixel}px`;
  outline.style.height = `${(scale.height - top - bottom) * cssPerTensorPixel}px`;
  outline.style.width = `${(scale.width - left - right) * cssPerTensorPixel}px`;
  outline.title = `padded border: ${top} top, ${bottom} bottom, ${left} left, ${right} right`;
  return outline;
}

export class RenderedTensor extends Widget implements IRenderMime.IRenderer {
  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this._mimeType = options.mimeType;
    this.addClass('losslens-tensor');
  }

  /**
   * Never rejects: a payload that cannot be drawn becomes an error box in the output.
   * Each render (decoding every image, drawing the first page) is recorded as a performance
   * measure (RENDER_MEASURE, with image counts as detail) for the browser's performance tools.
   */
  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const start = performance.now();
    try {
      const payload = validateTensorPayload(model.data[this._mimeType]);
      this._payload = payload;
      this._panels = payload.panels.map((panel, i) => ({ panel, ...decodePanel(panel, i) }));
      const sizes = payload.panels.map((p) => [p.shape[1], p.shape[2]] as const);
      this._gridLayout = gridLayout(payload.captions.length, sizes);
      this._showPage(0);
      const drawn = pageRange(this._gridLayout, payload.captions.length, 0);
      const detail = { images: payload.captions.length, drawn: drawn.end - drawn.first, panels: payload.panels.length };
      performance.measure(RENDER_MEASURE, { start, end: performance.now(), detail });
    } catch (error) {
      showError(this.node, 'tensor', error);
    }
    return Promise.resolve();
  }

  private _showPage(page: number): void {
    const payload = this._payload!;
    const layout = this._gridLayout!;
    const images = payload.captions.length;
    const notices = element('div', 'losslens-notices');
    for (const text of layoutNotices(layout, images, payload.truncatedFrom)) notices.append(element('p', 'losslens-notice', text));
    this._readout = element('div', 'losslens-readout', HOVER_HINT);
    this.node.replaceChildren(notices, ...(layout.pageCount > 1 ? [this._pager(page)] : []), this._grid(page), this._readout);
  }

  private _pager(page: number): HTMLElement {
    const pager = element('div', 'losslens-pager');
    const { first, end } = pageRange(this._gridLayout!, this._payload!.captions.length, page);
    const button = (text: string, target: number): HTMLButtonElement => {
      const b = element('button', 'jp-Button losslens-page-button', text);
      b.disabled = target < 0 || target >= this._gridLayout!.pageCount;
      b.addEventListener('click', () => this._showPage(target));
      return b;
    };
    pager.append(
      button('◀ previous', page - 1),
      element(
        'span',
        'losslens-page-label',
        `images ${first}–${end - 1} of ${this._payload!.captions.length} (page ${page + 1} of ${this._gridLayout!.pageCount})`,
      ),
      button('next ▶', page + 1),
    );
    return pager;
  }

  private _grid(page: number): HTMLElement {
    const payload = this._payload!;
    const layout = this._gridLayout!;
    const grid = element('div', 'losslens-grid');
    grid.style.gridTemplateColumns = `repeat(${payload.panels.length + 1}, max-content)`;
    grid.append(element('div', 'losslens-corner'));
    for (const { panel } of this._panels) {
      const header = element('div', 'losslens-panel-header');
      header.append(element('div', 'losslens-panel-title', panel.title), colorBar(panel));
      grid.append(header);
    }
    const { first, end } = pageRange(layout, payload.captions.length, page);
    for (let image = first; image < end; image++) {
      grid.append(element('div', 'losslens-caption', payload.captions[image]));
      this._panels.forEach(({ panel, values }, p) => {
        const scale = layout.panels[p];
        const cell = element('div', 'losslens-cell');
        const canvas = element('canvas', 'losslens-image');
        canvas.width = scale.drawnWidth;
        canvas.height = scale.drawnHeight;
        canvas.style.width = `${scale.drawnWidth * layout.zoom}px`;
        canvas.style.height = `${scale.drawnHeight * layout.zoom}px`;
        canvas.dataset.image = String(image);
        canvas.dataset.panel = String(p);
        const context = canvas.getContext('2d');
        if (context !== null) {
          context.imageSmoothingEnabled = false;
          const pixels = context.createImageData(scale.drawnWidth, scale.drawnHeight);
          const offset = image * scale.height * scale.width;
          paintRgba(pixels.data, values, offset, scale.height, scale.width, panel.range, panel.colormap, scale.stride);
          context.putImageData(pixels, 0, 0);
        }
        canvas.addEventListener('mousemove', (event) => this._hover(canvas, event));
        canvas.addEventListener('mouseleave', () => (this._readout!.textContent = HOVER_HINT));
        cell.append(canvas);
        if (panel.border !== undefined) cell.append(borderOutline(panel, scale, layout.zoom));
        grid.append(cell);
      });
    }
    return grid;
  }

  private _hover(canvas: HTMLCanvasElement, event: MouseEvent): void {
    const p = Number(canvas.dataset.panel);
    const scale = this._gridLayout!.panels[p];
    // offsetX/Y count from inside the canvas' frame, where its pixels start.
    const pixel = pixelAt(scale, this._gridLayout!.zoom, event.offsetX, event.offsetY);
    if (pixel === null) return;
    const image = Number(canvas.dataset.image);
    const { panel, values, loss } = this._panels[p];
    const index = (image * scale.height + pixel.row) * scale.width + pixel.column;
    this._readout!.textContent = readoutText({
      image,
      caption: this._payload!.captions[image],
      panel: panel.title,
      ...pixel,
      value: values[index],
      loss: loss?.[index],
    });
  }

  private _mimeType: string;
  private _payload: TensorPayload | null = null;
  private _panels: DecodedPanel[] = [];
  private _gridLayout: GridLayout | null = null;
  private _readout: HTMLElement | null = null;
}
