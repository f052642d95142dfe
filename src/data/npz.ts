/**
 * Keras's `mnist.npz` (what `keras.datasets.mnist.load_data()` downloads): a zip archive,
 * stored or deflated, of four .npy arrays of unsigned bytes. The .npy header is a Python
 * dict literal, e.g. {'descr': '|u1', 'fortran_order': False, 'shape': (60000, 28, 28), }.
 */
import AdmZip from 'adm-zip';
import { readDataFile } from './file.js';
import type { UbyteArray } from './idx.js';

export class NpzFormatError extends Error {
  override name = 'NpzFormatError';
}

const MNIST_NPZ_MEMBERS = ['x_train', 'y_train', 'x_test', 'y_test'] as const;
export type MnistNpzMember = (typeof MNIST_NPZ_MEMBERS)[number];
export type MnistNpz = Record<MnistNpzMember, UbyteArray>;

const NPY_MAGIC = '\x93NUMPY';

function headerField(header: string, key: string, valuePattern: string): string | undefined {
  return new RegExp(`['"]${key}['"]\\s*:\\s*${valuePattern}`).exec(header)?.[1];
}

/** Parse one .npy array of unsigned bytes; `source` names it in error messages. */
function parseNpyUbyte(bytes: Uint8Array, source: string): UbyteArray {
  const fail = (what: string): never => {
    throw new NpzFormatError(`${source}: ${what}`);
  };
  if (bytes.length < 10 || String.fromCharCode(...bytes.subarray(0, 6)) !== NPY_MAGIC) {
    fail('not a .npy array (missing the \\x93NUMPY magic)');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Version 1 stores the header length in 2 bytes; versions 2 and 3 in 4 (3 only changes the header's encoding to UTF-8).
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('truncated .npy header');
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else {
    return fail(`unsupported .npy format version ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) {
    fail(`truncated .npy header: needs ${dataStart} bytes, found ${bytes.length}`);
  }
  const header = new TextDecoder().decode(bytes.subarray(headerStart, dataStart));
  const descr = headerField(header, 'descr', `['"]([^'"]*)['"]`);
  const fortranOrder = headerField(header, 'fortran_order', '(True|False)');
  const shapeText = headerField(header, 'shape', '\\(([^)]*)\\)');
  if (descr === undefined || fortranOrder === undefined || shapeText === undefined) {
    return fail(`.npy header not understood: ${header.trim()}`);
  }
  // One-byte values have no byte order, so numpy's '|u1' and an explicit '<u1' or '>u1' are the same.
  if (!/^[|<>=]?u1$/.test(descr)) {
    fail(`holds dtype '${descr}', expected unsigned bytes ('|u1'); save it with x.astype(np.uint8)`);
  }
  if (fortranOrder === 'True') {
    fail('is stored in Fortran (column-major) order; save it with np.ascontiguousarray(x)');
  }
  const dims = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : fail(`.npy shape (${shapeText}) is not a tuple of sizes`)));
  const expected = dataStart + dims.reduce((product, dim) => product * dim, 1);
  if (bytes.length !== expected) {
    fail(`expected ${expected} bytes for shape (${dims.join(', ')}) of '${descr}', found ${bytes.length}`);
  }
  return { dims, data: bytes.subarray(dataStart) };
}

/** Read the four arrays of a Keras `mnist.npz`: x_train, y_train, x_test, y_test. */
export function readMnistNpz(path: string): MnistNpz {
  const archive = readDataFile(path);
  let zip: AdmZip;
  try {
    zip = new AdmZip(archive);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new NpzFormatError(`${path}: cannot open as a zip (.npz) archive: ${reason}`);
  }
  const read = (member: MnistNpzMember): UbyteArray => {
    const entry = zip.getEntry(`${member}.npy`);
    if (entry === null) {
      const present = zip.getEntries().map((each) => each.entryName);
      throw new NpzFormatError(
        `${path}: has no ${member}.npy member (found: ${present.join(', ') || 'nothing'}); ` +
          `a Keras mnist.npz holds ${MNIST_NPZ_MEMBERS.map((name) => `${name}.npy`).join(', ')}`,
      );
    }
    let bytes: Buffer;
    try {
      bytes = entry.getData();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new NpzFormatError(`${path}: ${member}.npy cannot be decompressed: ${reason}`);
    }
    return parseNpyUbyte(bytes, `${path}:${member}.npy`);
  };
  return { x_train: read('x_train'), y_train: read('y_train'), x_test: read('x_test'), y_test: read('y_test') };
}
