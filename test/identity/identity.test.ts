/**
 * The results identity follows what the code computes: refactors of the training code keep it,
 * a one-ulp change to a constant the numbers depend on moves it, and neither the caller's thread
 * count nor a rebuild of the same sources changes it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordBuild, runningBuild, StaleBuildError } from '../../src/identity/build.js';
import {
  FINGERPRINT_TOLERANCE,
  identityOf,
  matchIdentity,
  resultsIdentity,
  runFingerprint,
  type ResultsIdentity,
} from '../../src/identity/identity.js';
import { runCli } from '../helpers/cli.js';
import { sourceTree, type SourceTree } from '../helpers/sourceTree.js';

/** The next float32 above `value`, as a literal (a one-ulp change of a float32 constant). */
function nextFloat32(value: number): string {
  const bits = new Float32Array([value]);
  new Uint32Array(bits.buffer)[0] += 1;
  return String(bits[0]);
}

type Edit = (tree: SourceTree) => void | Promise<void>;

const EDITS: Record<string, Edit> = {
  unchanged: () => {},
  'a function in src/training/ renamed': (tree) => tree.replace('training/fit.ts', /\btrainEpoch\b/g, 'runOneEpoch'),
  'a helper moved to another file': (tree) => {
    const helper = tree.read('training/shuffle.ts');
    tree.remove('training/shuffle.ts');
    tree.replace('training/fit.ts', "import { epochOrder } from './shuffle.js';", "import { createRng, deriveSeed } from '../random.js';");
    tree.write('training/fit.ts', `${tree.read('training/fit.ts')}\n${helper.slice(helper.indexOf('/** A Fisher'))}`);
  },
  'src/training/ reformatted': async (tree) => {
    for (const file of ['training/fit.ts', 'training/graph.ts', 'training/session.ts']) {
      const options = {
        parser: 'typescript',
        printWidth: 60,
        useTabs: true,
        semi: false,
        singleQuote: false,
        trailingComma: 'none',
      } as const;
      tree.write(file, await prettier.format(tree.read(file), options));
    }
  },
  "the ledger's probability clip one ulp larger": (tree) =>
    tree.replace('accounting/pixelLoss.ts', 'export const KERAS_EPSILON = 1e-7;', `export const KERAS_EPSILON = ${nextFloat32(1e-7)};`),
  "Adam's learning rate one ulp larger": (tree) =>
    tree.replace('model/autoencoder.ts', 'learningRate: 0.001,', `learningRate: ${nextFloat32(0.001)},`),
  "Adam's epsilon one ulp larger": (tree) => tree.replace('model/autoencoder.ts', 'epsilon: 1e-7 }', `epsilon: ${nextFloat32(1e-7)} }`),
};

const KEEPS = ['unchanged', 'a function in src/training/ renamed', 'a helper moved to another file', 'src/training/ reformatted'];

const identities = new Map<string, string>();
let built: ResultsIdentity;

beforeAll(async () => {
  built = await resultsIdentity();
  // Two fingerprints at a time: each runs with one TensorFlow thread.
  const names = Object.keys(EDITS);
  const lane = async () => {
    for (let name = names.shift(); name !== undefined; name = names.shift()) {
      const tree = sourceTree();
      try {
        await EDITS[name](tree);
        tree.compile();
        identities.set(name, identityOf(await runFingerprint(tree.dist)).id);
      } finally {
        tree.dispose();
      }
    }
  };
  await Promise.all([lane(), lane()]);
}, 600_000);

describe('the results identity', () => {
  it.each(KEEPS)('is kept when %s', (name) => {
    expect(identities.get(name)).toBe(built.id);
  });

  it.each(Object.keys(EDITS).filter((name) => !KEEPS.includes(name)))('moves with %s', (name) => {
    expect(identities.get(name)).toMatch(/^[0-9a-f]{16}$/);
    expect(identities.get(name)).not.toBe(built.id);
  });

  it('is the same whatever thread count the caller runs TensorFlow with', () => {
    const fresh = (threads: string) => {
      const run = runCli(['identity', '--fresh', '--json'], {
        timeout: 120_000,
        env: { ...process.env, TF_NUM_INTRAOP_THREADS: threads, TF_NUM_INTEROP_THREADS: threads },
      });
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as ResultsIdentity).id;
    };
    expect([fresh('1'), fresh('2')]).toEqual([built.id, built.id]);
  }, 240_000);
});

describe('matchIdentity', () => {
  const base: ResultsIdentity = {
    id: 'aaaaaaaaaaaaaaaa',
    tfjsVersion: '4.22.0',
    tensorflowVersion: '2.21.0',
    cpu: 'x64 CPU A avx2 fma avx',
    runs: { tiny: '1'.repeat(64), 'loss=meanSquaredError': '2'.repeat(64) },
    summaries: { tiny: [0.5, 120.25, 0.00001], 'loss=meanSquaredError': [0.1] },
    computedAt: '2026-12-07T00:00:00.000Z',
  };
  const changedTiny = { ...base.runs, tiny: '3'.repeat(64) };

  it('accepts the same identity and refuses other tfjs or TensorFlow versions', () => {
    expect(matchIdentity(base, { ...base })).toEqual({ kind: 'same' });
    const other = matchIdentity(base, { ...base, id: 'b'.repeat(16), tensorflowVersion: '2.20.0' });
    expect(other).toMatchObject({
      kind: 'different',
      reason: expect.stringMatching(/TensorFlow 2\.20\.0.*TensorFlow 2\.21\.0/) as unknown,
    });
  });

  it('vouches for an earlier build whose every run it computes the same, and for no build with a run it lacks', () => {
    const earlier = { ...base, id: 'b'.repeat(16), runs: { tiny: base.runs.tiny } };
    expect(matchIdentity(base, earlier)).toEqual({ kind: 'covers', added: ['loss=meanSquaredError'] });
    expect(matchIdentity(earlier as ResultsIdentity, base).kind).toBe('different');
  });

  it('on the same CPU, a run with other numbers is other numbers', () => {
    const other = matchIdentity(base, { ...base, id: 'b'.repeat(16), runs: changedTiny });
    expect(other).toMatchObject({ kind: 'different', reason: expect.stringMatching(/fingerprint runs tiny;/) as unknown });
  });

  it('from another CPU, accepts summaries within the tolerance and refuses them beyond it', () => {
    const elsewhere = { ...base, id: 'c'.repeat(16), cpu: 'x64 CPU B avx512f avx2 fma avx', runs: changedTiny };
    const near = { ...elsewhere, summaries: { ...base.summaries, tiny: [0.5 * (1 + FINGERPRINT_TOLERANCE / 2), 120.25, 0.00001 + 1e-9] } };
    expect(matchIdentity(base, near)).toMatchObject({ kind: 'equivalent' });
    const far = { ...elsewhere, summaries: { ...base.summaries, tiny: [0.5 * (1 + 3 * FINGERPRINT_TOLERANCE), 120.25, 0.00001] } };
    expect(matchIdentity(base, far).kind).toBe('different');
    expect(matchIdentity(base, { ...elsewhere, summaries: { ...base.summaries, tiny: [0.5, 120.25] } }).kind).toBe('different');
    // A stamp, as a cached result carries it, has no summaries: across CPUs only equal hashes count.
    const { summaries: _summaries, computedAt: _computedAt, ...stamp } = near;
    expect(matchIdentity(base, stamp).kind).toBe('different');
  });
});

describe('the running build', () => {
  const folder = mkdtempSync(join(tmpdir(), 'losslens-build-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('from sources, is refused unless dist/ was built from exactly those sources', () => {
    mkdirSync(join(folder, 'src'), { recursive: true });
    mkdirSync(join(folder, 'dist'), { recursive: true });
    writeFileSync(join(folder, 'src', 'a.ts'), 'export const a = 1;');
    writeFileSync(join(folder, 'dist', 'a.js'), 'exports.a = 1;');
    expect(() => runningBuild(true, folder)).toThrow(StaleBuildError);
    expect(() => runningBuild(true, folder)).toThrow(/was not built from the sources .*; run npm run build/);
    writeFileSync(join(folder, 'dist', 'removed.js'), 'exports.gone = 1;');
    recordBuild(folder);
    // The build record says which sources dist/ holds, and what it held for a deleted source is gone.
    expect(runningBuild(true, folder).dist).toBe(join(folder, 'dist'));
    expect(existsSync(join(folder, 'dist', 'removed.js'))).toBe(false);
    expect(existsSync(join(folder, 'dist', 'a.js'))).toBe(true);
    writeFileSync(join(folder, 'src', 'a.ts'), 'export const a = 2;');
    expect(() => runningBuild(true, folder)).toThrow(StaleBuildError);
  });
});
