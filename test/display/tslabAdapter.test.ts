/**
 * The tslab adapter against the tslab this checkout installs (not a stand-in): if a tslab
 * upgrade moves or changes `lastWriteDisplayData`, the first test fails and names what.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { TSLAB_VERSION, TslabVersionError, tslabWriter } from '../../src/display/tslabAdapter.js';
import { fakeTslab } from '../helpers/fakeTslab.js';

const require = createRequire(import.meta.url);
let fake: { remove(): void } | undefined;

afterEach(() => {
  fake?.remove();
  fake = undefined;
});

describe('the tslab adapter', () => {
  it("works with the installed tslab: its version, and display.raw going through dist/jupyter.js's lastWriteDisplayData", () => {
    const manifest = require.resolve('tslab/package.json');
    expect((JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version).toBe(TSLAB_VERSION);
    const jupyterPath = join(dirname(manifest), 'dist', 'jupyter.js');
    const jupyter = require(jupyterPath) as Record<string, unknown>;
    const { display } = require('tslab') as { display: { raw(type: string, value: string): void } };
    expect(Object.keys(jupyter)).toContain('lastWriteDisplayData');
    try {
      // Outside a running cell tslab leaves the writer null: no kernel to write to, and no error.
      expect(jupyter.lastWriteDisplayData).toBeNull();
      expect(tslabWriter()).toBeUndefined();

      // What tslab's own display.raw does with the writer is what losslens does with a whole bundle.
      const calls: unknown[][] = [];
      jupyter.lastWriteDisplayData = (...args: unknown[]) => calls.push(args);
      display.raw('text/plain', 'hello');
      expect(calls).toHaveLength(1);
      const [content, update] = calls[0];
      expect(content).toEqual({ data: { 'text/plain': 'hello' }, metadata: {}, transient: { display_id: undefined } });
      // A display without an id is never an update (tslab passes its unset flag, undefined).
      expect(update).toBeFalsy();
      expect(calls[0]).toHaveLength(2);
      expect(tslabWriter()).toBe(jupyter.lastWriteDisplayData);
    } finally {
      jupyter.lastWriteDisplayData = null;
    }
  });

  it('refuses another tslab version, naming both', () => {
    fake = fakeTslab('1.1.0', { lastWriteDisplayData: () => undefined });
    expect(() => tslabWriter()).toThrow(TslabVersionError);
    expect(() => tslabWriter()).toThrow(
      `losslens sends displays through tslab ${TSLAB_VERSION}'s internals, but this kernel runs tslab 1.1.0`,
    );
  });

  it('refuses a tslab whose dist/jupyter.js has no lastWriteDisplayData', () => {
    fake = fakeTslab(TSLAB_VERSION, { somethingElse: () => undefined });
    expect(() => tslabWriter()).toThrow(/dist\/jupyter\.js .* has no lastWriteDisplayData/);
  });
});
