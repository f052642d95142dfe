/** A notebook's multi-line text field: nbformat stores it as one string or as a list of lines. */
export type NotebookText = string | string[];

/** The text of a source or output field (absent: empty). */
export function notebookText(value: NotebookText | undefined): string {
  return Array.isArray(value) ? value.join('') : (value ?? '');
}
