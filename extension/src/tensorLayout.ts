/**
 * How a tensor grid fits on screen: integer zoom (so each tensor pixel is a whole square),
 * a stride that downsamples images too large to show, and pages that bound how much one
 * render draws, so a huge output never freezes the tab.
 */

/** Images are zoomed so their longer side is about this many CSS pixels. */
const TARGET_SIDE = 96;
/** Longer than this (in tensor pixels) and an image is shown with every n-th pixel. */
const MAX_DRAWN_SIDE = 256;
/** At most this many grid rows (images) per page... */
const MAX_ROWS_PER_PAGE = 100;
/** ...and at most this many drawn pixels per page, over all panels... */
const MAX_PIXELS_PER_PAGE = 1 << 21;
/** ...and at most this many canvases (images × panels) per page: each costs a context and a paint. */
export const MAX_CANVASES_PER_PAGE = 400;

/** How one panel's images are drawn. */
export interface PanelScale {
  height: number;
  width: number;
  /** Tensor pixels per drawn pixel along each axis (1 = every pixel). */
  stride: number;
  drawnHeight: number;
  drawnWidth: number;
}

export interface GridLayout {
  panels: PanelScale[];
  /** CSS pixels per drawn pixel, one for all panels so that their sizes compare. */
  zoom: number;
  /** Images per page. */
  pageSize: number;
  pageCount: number;
}

function panelScale(height: number, width: number): PanelScale {
  const stride = Math.ceil(Math.max(height, width) / MAX_DRAWN_SIDE);
  return { height, width, stride, drawnHeight: Math.ceil(height / stride), drawnWidth: Math.ceil(width / stride) };
}

/** The layout of `images` rows whose panels have the image sizes `sizes` ([height, width]). */
export function gridLayout(images: number, sizes: readonly (readonly [number, number])[]): GridLayout {
  const panels = sizes.map(([height, width]) => panelScale(height, width));
  const largestSide = Math.max(...panels.map((p) => Math.max(p.drawnHeight, p.drawnWidth)));
  const zoom = Math.max(1, Math.floor(TARGET_SIDE / largestSide));
  const pixelsPerRow = panels.reduce((sum, p) => sum + p.drawnHeight * p.drawnWidth, 0);
  const pageSize = Math.max(
    1,
    Math.min(MAX_ROWS_PER_PAGE, Math.floor(MAX_PIXELS_PER_PAGE / pixelsPerRow), Math.floor(MAX_CANVASES_PER_PAGE / panels.length)),
  );
  return { panels, zoom, pageSize, pageCount: Math.max(1, Math.ceil(images / pageSize)) };
}

/** The images [first, end) shown on `page`. */
export function pageRange(layout: GridLayout, images: number, page: number): { first: number; end: number } {
  const first = page * layout.pageSize;
  return { first, end: Math.min(images, first + layout.pageSize) };
}

/**
 * The tensor pixel under a pointer at CSS offset (x, y) inside a drawn image, or null
 * when the offset falls outside it (the pointer can sit on the canvas' last CSS pixel).
 */
export function pixelAt(scale: PanelScale, zoom: number, x: number, y: number): { row: number; column: number } | null {
  const row = Math.floor(y / zoom) * scale.stride;
  const column = Math.floor(x / zoom) * scale.stride;
  if (row < 0 || column < 0 || row >= scale.height || column >= scale.width) return null;
  return { row, column };
}

/** The visible notices for what the grid does not show one-to-one. */
export function layoutNotices(layout: GridLayout, images: number, truncatedFrom?: number): string[] {
  const notices: string[] = [];
  if (truncatedFrom !== undefined && truncatedFrom > images) {
    notices.push(`The kernel sent ${images} of ${truncatedFrom} images.`);
  }
  const stride = Math.max(...layout.panels.map((p) => p.stride));
  if (stride > 1) {
    notices.push(`Downsampled: 1 of every ${stride} pixels along each side is drawn; hover reads that pixel.`);
  }
  if (layout.pageCount > 1) {
    notices.push(`Paged: ${layout.pageSize} images per page, ${layout.pageCount} pages.`);
  }
  return notices;
}
