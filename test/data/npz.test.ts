import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.js';
import { NpzFormatError, readMnistNpz } from '../../src/data/npz.js';
import { tf } from '../../src/tf.js';
import { runPython } from '../helpers/python.js';

const dir = mkdtempSync(join(tmpdir(), 'losslens-npz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Arrays = Record<'x_train' | 'y_train' | 'x_test' | 'y_test', { shape: number[]; values: number[] }>;

// numpy writes the archives (deflated and stored) and reports what it wrote.
const expected = JSON.parse(
  runPython(
    `import io, json, sys, zipfile
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(7)
arrays = {
    'x_train': rng.integers(0, 256, (5, 4, 3), dtype=np.uint8),
    'y_train': rng.integers(0, 10, 5, dtype=np.uint8),
    'x_test': rng.integers(0, 256, (2, 4, 3), dtype=np.uint8),
    'y_test': rng.integers(0, 10, 2, dtype=np.uint8),
}
np.savez_compressed(d + '/mnist.npz', **arrays)
np.savez(d + '/stored.npz', **arrays)
np.savez(d + '/floats.npz', **{**arrays, 'x_test': arrays['x_test'].astype(np.float32)})
np.savez(d + '/fortran.npz', **{**arrays, 'x_train': np.asfortranarray(arrays['x_train'])})
np.savez(d + '/missing.npz', **{k: v for k, v in arrays.items() if k != 'y_test'})
with zipfile.ZipFile(d + '/version2.npz', 'w') as z:
    for name, a in arrays.items():
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, a, version=(2, 0))
        z.writestr(name + '.npy', buffer.getvalue())
print(json.dumps({k: {'shape': list(v.shape), 'values': v.ravel().tolist()} for k, v in arrays.items()}))`,
    [dir],
  ),
) as Arrays;

function npzError(name: string): NpzFormatError {
  try {
    readMnistNpz(join(dir, name));
  } catch (error) {
    expect(error).toBeInstanceOf(NpzFormatError);
    return error as NpzFormatError;
  }
  throw new Error(`readMnistNpz accepted ${name}`);
}

describe('readMnistNpz', () => {
  it.each(['mnist.npz', 'stored.npz', 'version2.npz'])('reads the four arrays of %s exactly', (name) => {
    const arrays = readMnistNpz(join(dir, name));
    for (const member of ['x_train', 'y_train', 'x_test', 'y_test'] as const) {
      expect(arrays[member].dims).toEqual(expected[member].shape);
      expect(Array.from(arrays[member].data)).toEqual(expected[member].values);
    }
  });

  it('rejects a dtype other than unsigned bytes, naming the member', () => {
    expect(npzError('floats.npz').message).toBe(
      `${join(dir, 'floats.npz')}:x_test.npy: holds dtype '<f4', expected unsigned bytes ('|u1'); save it with x.astype(np.uint8)`,
    );
  });

  it('rejects Fortran order', () => {
    expect(npzError('fortran.npz').message).toMatch(/x_train\.npy: is stored in Fortran \(column-major\) order/);
  });

  it('names a missing member and lists what is there', () => {
    expect(npzError('missing.npz').message).toMatch(/has no y_test\.npy member \(found: x_train\.npy, y_train\.npy, x_test\.npy\)/);
  });

  it('rejects a file that is not a zip archive', () => {
    writeFileSync(join(dir, 'text.npz'), 'not a zip archive at all');
    expect(npzError('text.npz').message).toMatch(/cannot open as a zip \(\.npz\) archive/);
  });
});

describe('loadMnist from an npz', () => {
  it('selects the split, scales to [0, 1] and applies the limit', () => {
    const before = tf.memory().numTensors;
    const { images, labels } = loadMnist({ source: { npz: join(dir, 'mnist.npz') }, split: 'test', limit: 1 });
    expect(images.shape).toEqual([1, 4, 3, 1]);
    expect(Array.from(images.dataSync())).toEqual(expected.x_test.values.slice(0, 12).map((value) => Math.fround(value / 255)));
    expect(Array.from(labels)).toEqual(expected.y_test.values.slice(0, 1));
    images.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
