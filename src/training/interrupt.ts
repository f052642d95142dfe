/**
 * Ctrl-C for a training run: the first SIGINT asks `fit` to stop after the current batch
 * (keeping every finished epoch); a second one quits at once, as a user who presses it
 * twice expects.
 */
export function interruptOnSigint(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) {
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
