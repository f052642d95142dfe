/**
 * The notebook runner (scripts/run_notebooks.py) counts trainings from the typed part of each
 * progress display (PROGRESS_MIME), never from its text: any wording of the lines gives the same
 * counts, for single runs and for a sweep's points.
 */
import { describe, expect, it } from 'vitest';
import { PROGRESS_MIME, type ProgressPart } from '../../src/display/progress.js';
import { repoRoot, runPython } from '../helpers/python.js';

/** Feeds `displays` (display id → the parts it showed, in order) to the runner's mirror and returns its counts and log. */
function mirror(displays: Record<string, { part: ProgressPart; text: string }[]>): { counts: Record<string, number>; log: string } {
  const script = `
import io, json, sys
sys.path.insert(0, sys.argv[1] + "/scripts")
import nbformat
import run_notebooks as runner
assert runner.PROGRESS_MIME == sys.argv[3]
stream = io.StringIO()
reporter = runner.Reporter(stream)
client = runner.MirroringClient(nbformat.v4.new_notebook(), reporter, "test.ipynb", kernel_name="tslab")
for display_id, updates in json.loads(sys.argv[2]).items():
    for update in updates:
        client._mirror(display_id, update["part"], update["text"])
reporter.close()
print(json.dumps({"counts": client.counts(), "log": stream.getvalue()}))
`;
  return JSON.parse(runPython(script, [repoRoot, JSON.stringify(displays), PROGRESS_MIME])) as {
    counts: Record<string, number>;
    log: string;
  };
}

const run = (text: string, part: Omit<Extract<ProgressPart, { kind: 'run' }>, 'kind' | 'run' | 'text'>) => ({
  part: { kind: 'run' as const, run: 'a run', text, ...part },
  text,
});

describe('the notebook runner', () => {
  it('counts from the typed part, whatever the lines say', () => {
    const { counts, log } = mirror({
      a: [
        run('wörding one', { state: 'running', epoch: 1, epochs: 1, batch: 1, batches: 2 }),
        run('✓ finished', { state: 'completed', origin: 'computed' }),
      ],
      b: [run('from the cache (but this says otherwise: done:)', { state: 'completed', origin: 'archive' })],
      c: [run('sweep (nothing)', { state: 'completed', origin: 'cache' })],
      d: [
        {
          part: {
            kind: 'sweep',
            points: [
              { run: '#1', state: 'completed', origin: 'computed', text: 'x' },
              { run: '#2', state: 'completed', origin: 'cache', text: 'y' },
              { run: '#3', state: 'failed', text: 'z' },
            ],
          },
          text: 'done: from the cache',
        },
      ],
    });
    expect(counts).toEqual({ trained: 3, cache: 2, archive: 1 });
    // The lines themselves are shown as they are.
    expect(log).toContain('✓ finished');
  });

  it('shows a sweep point once per change of its state, not the whole block at every update', () => {
    const point = (state: 'pending' | 'running' | 'completed', epoch?: number) => ({
      run: '#1',
      state,
      ...(epoch ? { epoch, epochs: 2, batch: 3, batches: 3 } : {}),
      ...(state === 'completed' ? { origin: 'computed' as const } : {}),
      text: `#1 line ${state} ${epoch ?? ''}`,
    });
    const other = { run: '#2', state: 'pending' as const, text: '#2 waiting' };
    const updates = [point('pending'), point('running', 1), point('running', 1), point('running', 2), point('completed')].map((p) => ({
      part: { kind: 'sweep' as const, points: [p, other] },
      text: 'sweep block\nline\nline',
    }));
    const { log } = mirror({ s: updates });
    expect(log.split('\n').filter((line) => line.includes('#1 line'))).toEqual([
      '  #1 line running 1',
      '  #1 line running 2',
      '  #1 line completed',
    ]);
    expect(log).not.toContain('#2 waiting');
  });
});
