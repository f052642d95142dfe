/**
 * The IDX format of the original MNIST files: a 4-byte magic (0x00 0x00 type rank), one
 * big-endian uint32 per dimension, then the values in row-major order. Only unsigned bytes
 * (type 0x08) are supported, which is what every MNIST-style image and label file holds.
 */
import { gunzipSync } from 'node:zlib';
import { readDataFile } from './file.js';

/** A row-major array of unsigned bytes and its dimensions, as stored in IDX and .npy files. */
export interface UbyteArray {
  dims: number[];
  data: Uint8Array;
}

export class IdxFormatError extends Error {
  override name = 'IdxFormatError';
}

const UBYTE_TYPE = 0x08;
const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

/** Parse an uncompressed IDX file; `source` names it in error messages. The data is a view of `bytes`, not a copy. */
export function parseIdx(bytes: Uint8Array, source: string): UbyteArray {
  const fail = (what: string): never => {
    throw new IdxFormatError(`${source}: ${what}`);
  };
  if (bytes.length < 4) {
    fail(`not an IDX file: only ${bytes.length} bytes, shorter than the 4-byte magic number`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(
      `not an IDX file: magic number starts with ${hex(bytes[0])} ${hex(bytes[1])}, expected 0x00 0x00` +
        (bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (it is gzip-compressed; read it with readIdxFile)' : ''),
    );
  }
  const type = bytes[2];
  if (type !== UBYTE_TYPE) {
    const name = TYPE_NAMES[type];
    fail(
      name
        ? `holds ${name} values (type ${hex(type)}); only unsigned bytes (type 0x08) are supported`
        : `unknown IDX value type ${hex(type)}; only unsigned bytes (type 0x08) are supported`,
    );
  }
  const rank = bytes[3];
  if (rank === 0) {
    fail('the magic number declares 0 dimensions; an IDX array needs at least one');
  }
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    fail(`truncated header: ${rank} dimensions need ${headerLength} header bytes, found ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    dims.push(view.getUint32(4 + 4 * axis, false));
  }
  const expected = headerLength + dims.reduce((product, dim) => product * dim, 1);
  if (bytes.length !== expected) {
    fail(
      `expected ${expected} bytes for ${dims.join('×')}, found ${bytes.length}` +
        (bytes.length < expected ? ' (the file is truncated)' : ' (extra bytes after the data)'),
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/** Read an IDX file, plain or gzip-compressed (recognised by its 0x1f 0x8b magic, whatever the file name). */
export function readIdxFile(path: string): UbyteArray {
  let bytes: Uint8Array = readDataFile(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new IdxFormatError(`${path}: corrupt gzip data (${reason}); download the file again`);
    }
  }
  return parseIdx(bytes, path);
}
