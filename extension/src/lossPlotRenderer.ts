/**
 * Renders a losslens loss plot with vega-embed, with a toggle between the mean loss per
 * pixel and the total per image. The spec is rebuilt from the payload's numbers by the
 * same builder the kernel used, never taken from the payload, so an untrusted notebook
 * cannot smuggle data URLs or expressions into it.
 */

import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import {
  LOSS_MEASURES,
  type LossMeasure,
  type LossPlotPayload,
  lossPlotSpec,
  MEASURE_LABELS,
  validateLossPlotFields,
} from '@losslens/protocol';
import { showError } from './errorBox.js';

type VegaChunk = typeof import('./vegaEmbed.js');

export const RENDER_MEASURE = 'losslens:render-lossplot';
type EmbedResult = Awaited<ReturnType<VegaChunk['embedVegaLite']>>;

let vegaChunk: Promise<VegaChunk> | null = null;

/** Loads the vega chunk once per page, on the first plot. */
function loadVega(): Promise<VegaChunk> {
  vegaChunk ??= import('./vegaEmbed.js');
  return vegaChunk;
}

function darkTheme(): boolean {
  return document.body.dataset.jpThemeLight === 'false';
}

export class RenderedLossPlot extends Widget implements IRenderMime.IRenderer {
  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this._mimeType = options.mimeType;
    this.addClass('losslens-lossplot');
    // Vega draws with fixed colours, so a theme switch redraws the plot in the new theme.
    this._themeWatcher.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-light'] });
  }

  /** Never rejects: a payload that cannot be drawn becomes an error box in the output. */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    try {
      this._fields = validateLossPlotFields(model.data[this._mimeType]);
      const toolbar = document.createElement('div');
      toolbar.className = 'losslens-measure-toggle';
      toolbar.setAttribute('role', 'group');
      toolbar.setAttribute('aria-label', 'loss measure');
      this._buttons = LOSS_MEASURES.map((measure) => {
        const button = document.createElement('button');
        button.className = 'jp-Button losslens-measure-button';
        button.dataset.measure = measure;
        button.textContent = MEASURE_LABELS[measure].axis;
        button.addEventListener('click', () => void this._show(measure));
        return button;
      });
      toolbar.append(...this._buttons);
      this._chart = document.createElement('div');
      this._chart.className = 'losslens-chart';
      this.node.replaceChildren(toolbar, this._chart);
      await this._show(this._fields.measure);
    } catch (error) {
      showError(this.node, 'loss plot', error);
    }
  }

  dispose(): void {
    this._themeWatcher.disconnect();
    this._result?.finalize();
    super.dispose();
  }

  /** Each drawing (first render, toggle, theme switch) is recorded as a performance measure (RENDER_MEASURE). */
  private async _show(measure: LossMeasure): Promise<void> {
    try {
      const { embedVegaLite } = await loadVega();
      const start = performance.now();
      this._result?.finalize();
      this._result = await embedVegaLite(this._chart!, lossPlotSpec(this._fields!, measure), darkTheme());
      this.node.dataset.measure = measure;
      for (const button of this._buttons) button.setAttribute('aria-pressed', String(button.dataset.measure === measure));
      const detail = { points: this._fields!.points.length, annotations: this._fields!.annotations.length, measure };
      performance.measure(RENDER_MEASURE, { start, end: performance.now(), detail });
    } catch (error) {
      showError(this.node, 'loss plot', error);
    }
  }

  private _themeWatcher = new MutationObserver(() => {
    const measure = this.node.dataset.measure as LossMeasure | undefined;
    if (measure !== undefined && this._fields !== null) void this._show(measure);
  });
  private _mimeType: string;
  private _fields: Omit<LossPlotPayload, 'spec'> | null = null;
  private _buttons: HTMLButtonElement[] = [];
  private _chart: HTMLElement | null = null;
  private _result: EmbedResult | null = null;
}
