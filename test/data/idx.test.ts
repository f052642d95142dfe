import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { IdxFormatError, parseIdx, readIdxFile } from '../../src/data/idx.js';
import { defaultMnistFiles } from '../../src/data/mnist.js';
import { runPython } from '../helpers/python.js';

const dir = mkdtempSync(join(tmpdir(), 'losslens-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An IDX file: magic 0x00 0x00 type rank, big-endian uint32 dims, then the values. */
function idxBytes(dims: number[], values: number[], type = 0x08): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((dim, axis) => header.writeUInt32BE(dim, 4 + 4 * axis));
  return new Uint8Array(Buffer.concat([header, Buffer.from(values)]));
}

const values = Array.from({ length: 2 * 2 * 3 }, (_, i) => (i * 37) % 256);

function parseError(bytes: Uint8Array): IdxFormatError {
  try {
    parseIdx(bytes, 'images.idx');
  } catch (error) {
    expect(error).toBeInstanceOf(IdxFormatError);
    return error as IdxFormatError;
  }
  throw new Error('parseIdx accepted a malformed file');
}

describe('parseIdx', () => {
  it('reads dimensions and row-major bytes', () => {
    const parsed = parseIdx(idxBytes([2, 2, 3], values), 'images.idx');
    expect(parsed.dims).toEqual([2, 2, 3]);
    expect(Array.from(parsed.data)).toEqual(values);
  });

  it('names the file and the sizes when the data is truncated', () => {
    const bytes = idxBytes([2, 2, 3], values).subarray(0, 25);
    expect(parseError(bytes).message).toBe('images.idx: expected 28 bytes for 2×2×3, found 25 (the file is truncated)');
  });

  it('rejects bytes after the data', () => {
    const bytes = idxBytes([2, 2, 3], [...values, 0]);
    expect(parseError(bytes).message).toMatch(/^images\.idx: expected 28 bytes for 2×2×3, found 29 \(extra bytes/);
  });

  it('rejects a wrong magic number and hints at gzip', () => {
    expect(parseError(new Uint8Array([0x12, 0x34, 8, 1, 0, 0, 0, 0])).message).toMatch(
      /images\.idx: not an IDX file: magic number starts with 0x12 0x34/,
    );
    expect(parseError(gzipSync(idxBytes([1], [7]))).message).toMatch(/gzip-compressed; read it with readIdxFile/);
    expect(parseError(new Uint8Array([0, 0, 8])).message).toMatch(/only 3 bytes/);
  });

  it('rejects value types other than unsigned bytes', () => {
    expect(parseError(idxBytes([1], [0, 0, 0, 0], 0x0d)).message).toMatch(/holds float32 values \(type 0x0d\); only unsigned bytes/);
    expect(parseError(idxBytes([1], [0], 0x42)).message).toMatch(/unknown IDX value type 0x42/);
  });

  it('rejects a rank of zero and a truncated header', () => {
    expect(parseError(new Uint8Array([0, 0, 8, 0])).message).toMatch(/declares 0 dimensions/);
    expect(parseError(idxBytes([60000, 28, 28], []).subarray(0, 10)).message).toMatch(
      /truncated header: 3 dimensions need 16 header bytes, found 10/,
    );
  });

  it('checks the real MNIST training images: 60000×28×28', () => {
    const path = defaultMnistFiles('train').images;
    const bytes = new Uint8Array(readFileSync(path));
    expect(parseIdx(bytes, path).dims).toEqual([60000, 28, 28]);
    const truncated = bytes.subarray(0, 1000);
    expect(() => parseIdx(truncated, 'train-images-idx3-ubyte')).toThrow(
      'train-images-idx3-ubyte: expected 47040016 bytes for 60000×28×28, found 1000 (the file is truncated)',
    );
  });
});

describe('readIdxFile', () => {
  // Python's gzip module writes the original file name into the gzip header, as real .gz downloads do.
  const written = JSON.parse(
    runPython(
      `import gzip, json, struct, sys
d = sys.argv[1]
body = bytes([0, 0, 8, 2]) + struct.pack('>II', 2, 3) + bytes(range(10, 16))
open(d + '/plain-idx', 'wb').write(body)
with gzip.open(d + '/labels.idx.gz', 'wb') as f: f.write(body)
with gzip.open(d + '/no-suffix', 'wb') as f: f.write(body)
open(d + '/plain-named.gz', 'wb').write(body)
print(json.dumps(list(body[12:])))`,
      [dir],
    ),
  ) as number[];

  it.each(['plain-idx', 'labels.idx.gz', 'no-suffix', 'plain-named.gz'])('reads %s, detecting gzip by its magic bytes', (name) => {
    const parsed = readIdxFile(join(dir, name));
    expect(parsed.dims).toEqual([2, 3]);
    expect(Array.from(parsed.data)).toEqual(written);
  });

  it('names the file when the gzip stream is corrupt', () => {
    const path = join(dir, 'cut.gz');
    const gz = readFileSync(join(dir, 'labels.idx.gz'));
    writeFileSync(path, gz.subarray(0, gz.length - 12));
    expect(() => readIdxFile(path)).toThrow(IdxFormatError);
    expect(() => readIdxFile(path)).toThrow(new RegExp(`^${path.replace(/[.]/g, '\\.')}: corrupt gzip data`));
  });

  it('names the file when the decompressed IDX is truncated', () => {
    const path = join(dir, 'short.gz');
    writeFileSync(path, gzipSync(idxBytes([2, 3], [1, 2, 3])));
    expect(() => readIdxFile(path)).toThrow(`${path}: expected 18 bytes for 2×3, found 15 (the file is truncated)`);
  });
});
