/**
 * The readable error a renderer shows instead of its output. Messages come from payloads
 * that may be untrusted, so they are only ever set as text.
 */

export function showError(node: HTMLElement, what: string, error: unknown): void {
  const box = document.createElement('div');
  box.className = 'losslens-error';
  box.setAttribute('role', 'alert');
  const title = document.createElement('strong');
  title.textContent = `losslens could not draw this ${what}`;
  const message = document.createElement('pre');
  message.textContent = error instanceof Error ? error.message : String(error);
  const hint = document.createElement('p');
  hint.textContent = 'Re-run the cell with the current losslens to rebuild the output; the rest of the notebook is unaffected.';
  box.append(title, message, hint);
  node.replaceChildren(box);
}
