/**
 * Data paths that are not data files: a directory, a missing file, a device;
 * and an IDX file with no images. Each is one line naming the path and what to give.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFileError } from '../../src/data/file.js';
import { readIdxFile } from '../../src/data/idx.js';
import { loadMnist, MnistDataError } from '../../src/data/mnist.js';
import { readMnistNpz } from '../../src/data/npz.js';

const dir = mkdtempSync(join(tmpdir(), 'losslens-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WANTED = 'give the path of an MNIST IDX file (plain or .gz) or a Keras mnist.npz';

describe('data paths', () => {
  it.each([
    ['a directory (EISDIR)', () => dir, `${dir} is a directory, not a file; ${WANTED}`],
    ['a missing file', () => join(dir, 'missing'), `${join(dir, 'missing')} does not exist; ${WANTED}`],
    ['a device that never ends', () => '/dev/zero', `/dev/zero is not a regular file (a device, FIFO or socket); ${WANTED}`],
  ])('%s is a DataFileError naming the path', (_what, path, message) => {
    for (const read of [readIdxFile, readMnistNpz]) {
      expect(() => read(path())).toThrow(DataFileError);
      expect(() => read(path())).toThrow(message);
    }
  });

  it('an IDX file with no images says so', () => {
    const header = (dims: number[]) => {
      const bytes = Buffer.alloc(4 + 4 * dims.length);
      bytes[2] = 0x08;
      bytes[3] = dims.length;
      dims.forEach((d, i) => bytes.writeUInt32BE(d, 4 + 4 * i));
      return bytes;
    };
    const images = join(dir, 'empty-images');
    const labels = join(dir, 'empty-labels');
    writeFileSync(images, header([0, 28, 28]));
    writeFileSync(labels, header([0]));
    expect(() => loadMnist({ source: { images, labels } })).toThrow(MnistDataError);
    expect(() => loadMnist({ source: { images, labels } })).toThrow(
      `${images} holds no images (its header declares 0×28×28); give a file with at least one image`,
    );
  });
});
