/**
 * How losslens writes numbers and tables as text, in one place: durations, signed differences
 * with their intervals, counts with their nouns, terminal and Markdown tables. (A loss per pixel
 * is written by the protocol package's formatPerPixel, which the extension shares.)
 */

/** "1h 02m", "3m 07s", "12s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** "+0.78", "−0.06": a difference with its sign, to two decimals. */
export const formatSigned = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`;

/** "95%", "99.5%": a confidence level as a percentage, to one decimal where it has one. */
export const formatLevel = (level: number) => `${Number((level * 100).toFixed(1))}%`;

/** "+0.78 (95% interval +0.21 to +1.35)", or the mean alone with one seed. */
export function formatDifference(difference: { mean: number; interval: { level: number; low: number; high: number } | null }): string {
  const { interval } = difference;
  return interval
    ? `${formatSigned(difference.mean)} (${formatLevel(interval.level)} interval ${formatSigned(interval.low)} to ${formatSigned(interval.high)})`
    : `${formatSigned(difference.mean)} (one seed: no interval)`;
}

/** "1 epoch", "10,000 images": a count with its noun. */
export const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** Left-aligned first column, right-aligned numbers, two spaces between columns. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
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
