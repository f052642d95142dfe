/**
 * Float32 arrays as base64 of their little-endian bytes: the one encoding of numbers in
 * payloads, cached results and checkpoints. Browser-safe: Node's Buffer is used when it is
 * there, since Node 20's btoa/atob are many times slower on payload-sized arrays; browsers
 * (no Buffer) use atob/btoa.
 */

/** The part of Node's Buffer used here, looked up at run time so browsers need no polyfill. */
interface NodeBufferClass {
  from(data: ArrayBufferLike, byteOffset: number, length: number): { toString(encoding: 'base64'): string };
  from(data: string, encoding: 'base64'): Uint8Array;
}
const NodeBuffer = (globalThis as { Buffer?: NodeBufferClass }).Buffer;

/** Base64 that cannot be decoded into the Float32 values asked for; `problem` reads after the field's name. */
export class Float32DecodeError extends RangeError {
  readonly problem: string;
  constructor(problem: string) {
    super(`Float32 data ${problem}`);
    this.name = 'Float32DecodeError';
    this.problem = problem;
  }
}

const grouped = (n: number) => n.toLocaleString('en-US');

/** Base64 of `values`' little-endian bytes. */
export function encodeFloat32(values: Float32Array): string {
  if (NodeBuffer) return NodeBuffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  // String.fromCharCode takes its arguments on the stack, so the bytes go in slices.
  const chunks: string[] = [];
  for (let i = 0; i < bytes.length; i += 0x8000) chunks.push(String.fromCharCode(...bytes.subarray(i, i + 0x8000)));
  return btoa(chunks.join(''));
}

/**
 * The little-endian Float32 values of `base64`, checked to hold exactly `expected` of them
 * when given (else any whole number). The length is checked before decoding, so a huge
 * string for a small shape costs nothing; text that is not base64 is refused, not skipped.
 */
export function decodeFloat32(base64: string, expected?: number): Float32Array {
  if (base64.length % 4 !== 0) {
    throw new Float32DecodeError(`is not valid base64 (${grouped(base64.length)} characters, not a multiple of 4)`);
  }
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  const byteCount = (base64.length / 4) * 3 - padding;
  if (expected !== undefined && byteCount !== expected * 4) {
    throw new Float32DecodeError(`holds ${byteCount} bytes but the shape needs ${expected} Float32 values (${expected * 4} bytes)`);
  }
  if (byteCount % 4 !== 0) throw new Float32DecodeError(`holds ${byteCount} bytes, not a whole number of Float32 values`);
  // Buffer skips characters outside the alphabet where atob throws; refuse them the same way in both.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new Float32DecodeError('is not valid base64');
  const bytes = NodeBuffer ? NodeBuffer.from(base64, 'base64') : binaryBytes(atob(base64));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(byteCount / 4);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}

function binaryBytes(binary: string): Uint8Array {
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
