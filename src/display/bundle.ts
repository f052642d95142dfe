/**
 * A Jupyter mime bundle as losslens sends it: JSON types are objects (nbformat rejects a
 * string under a +json type), binary images are base64 strings, and text/plain is always
 * present so any front end (or a terminal) shows something.
 */
export interface MimeBundle {
  data: Record<string, unknown> & { 'text/plain': string };
  metadata: Record<string, unknown>;
}

/** Markdown for prose that quotes computed numbers; the raw text doubles as text/plain. */
export function markdownBundle(markdown: string): MimeBundle {
  return { data: { 'text/markdown': markdown, 'text/plain': markdown }, metadata: {} };
}
