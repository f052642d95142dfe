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

/** One table cell's text: `|` would end the cell and a newline would end the row. */
function markdownCell(value: unknown): string {
  return String(value).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A GitHub-flavoured Markdown table; `rows` values are written with String(). */
export function markdownTable(columns: string[], rows: unknown[][]): string {
  for (const [index, row] of rows.entries()) {
    if (row.length !== columns.length) {
      throw new Error(`markdownTable: row ${index} has ${row.length} cells but there are ${columns.length} columns`);
    }
  }
  const line = (cells: unknown[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  return [line(columns), line(columns.map(() => '---')), ...rows.map(line)].join('\n');
}
