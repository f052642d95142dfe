/**
 * Ctrl-C for a training run: SIGINT asks `fit` to stop after the current batch (keeping
 * every finished epoch). At a terminal a second SIGINT quits at once, as a user who
 * presses it twice expects; inside a Jupyter kernel (`repeatExits: false`) it must not,
 * since nbclient sends two in a row and quitting would kill the kernel and the session.
 */
export function interruptOnSigint(options: { repeatExits?: boolean } = {}): { signal: AbortSignal; dispose(): void } {
  const repeatExits = options.repeatExits ?? true;
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) {
      if (!repeatExits) return;
      dispose();
      process.kill(process.pid, 'SIGINT');
      return;
    }
    controller.abort(new Error('interrupted by SIGINT'));
  };
  const dispose = () => {
    process.off('SIGINT', onSigint);
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose };
}
