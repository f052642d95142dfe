import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePanel, LOSSPLOT_MIME, lossPlotSpec, TENSOR_MIME, validateLossPlotFields, validateTensorPayload } from '@losslens/protocol';

const root = resolve(__dirname, '..', '..');
const fixture = join(root, 'test', 'fixtures', 'extension', 'losslens-outputs.ipynb');

interface Output {
  data: Record<string, unknown>;
}
const outputs = (JSON.parse(readFileSync(fixture, 'utf8')) as { cells: { outputs?: Output[] }[] }).cells.flatMap((c) => c.outputs ?? []);

/** The browser tests trust this notebook; these checks say when it needs regenerating (make-notebook.mjs). */
describe('the extension fixture notebook', () => {
  it('is valid nbformat', () => {
    const code = 'import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))';
    expect(() => execFileSync(join(root, '.venv', 'bin', 'python'), ['-c', code, fixture], { stdio: 'pipe' })).not.toThrow();
  });

  it('holds tensor payloads that validate and decode, except the one meant to be malformed', () => {
    const tensors = outputs.map((o) => o.data[TENSOR_MIME]).filter((p) => p !== undefined);
    const failures = tensors.flatMap((p) => {
      try {
        validateTensorPayload(p).panels.forEach(decodePanel);
        return [];
      } catch (error) {
        return [(error as Error).message];
      }
    });
    expect(tensors.length).toBeGreaterThanOrEqual(4);
    expect(failures).toEqual([expect.stringMatching(/^panels\[0\]\.values holds \d+ bytes/)]);
  });

  it('holds loss plots whose saved spec is what the builder makes now, except the tampered one', () => {
    const plots = outputs.map((o) => o.data[LOSSPLOT_MIME] as { spec: unknown } | undefined).filter((p) => p !== undefined);
    const current = plots.map((p) => {
      const fields = validateLossPlotFields(p);
      return JSON.stringify(p.spec) === JSON.stringify(lossPlotSpec(fields, fields.measure));
    });
    expect(current).toEqual([true, false]);
  });
});
