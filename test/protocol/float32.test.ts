import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeFloat32, encodeFloat32, Float32DecodeError } from '@losslens/protocol';

const awkward = new Float32Array([0, -0, 1, -1.5, 0.1, 3.4028234663852886e38, 1.401298464324817e-45, Infinity, -Infinity, NaN]);

/** The codec as a browser sees it: the module loaded again with no Buffer in the global scope. */
async function browserCodec(): Promise<typeof import('../../packages/protocol/src/float32.js')> {
  vi.stubGlobal('Buffer', undefined);
  vi.resetModules();
  return import('../../packages/protocol/src/float32.js');
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

describe('float32 ⇄ base64', () => {
  it('round-trips every bit, including -0, NaN, ±Infinity and subnormals', () => {
    const decoded = decodeFloat32(encodeFloat32(awkward), awkward.length);
    expect(new Uint32Array(decoded.buffer)).toEqual(new Uint32Array(awkward.buffer));
  });

  it('writes the little-endian bytes of a view, not of its whole buffer', () => {
    const view = awkward.subarray(2, 5);
    expect(encodeFloat32(view)).toBe(Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64'));
    expect(Array.from(decodeFloat32(encodeFloat32(view)))).toEqual([1, -1.5, Math.fround(0.1)]);
  });

  it("encodes and decodes the same without Node's Buffer (the extension in a browser)", async () => {
    const nodeText = encodeFloat32(awkward);
    const big = Float32Array.from({ length: 100_000 }, (_, i) => Math.sin(i));
    const bigText = encodeFloat32(big);
    const browser = await browserCodec();
    expect(globalThis.Buffer).toBeUndefined();
    expect(browser.encodeFloat32(awkward)).toBe(nodeText);
    expect(browser.encodeFloat32(big)).toBe(bigText);
    expect(new Uint32Array(browser.decodeFloat32(nodeText).buffer)).toEqual(new Uint32Array(awkward.buffer));
    expect(() => browser.decodeFloat32('AAA!AAAAAAA=')).toThrow('Float32 data is not valid base64');
  });

  it('refuses a length that does not fit, text that is not base64, and partial values', () => {
    const errorOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error;
      }
      throw new Error('accepted');
    };
    const wrongSize = errorOf(() => decodeFloat32(encodeFloat32(new Float32Array(3)), 4));
    expect(wrongSize).toBeInstanceOf(Float32DecodeError);
    expect(wrongSize).toBeInstanceOf(RangeError);
    expect((wrongSize as Float32DecodeError).problem).toBe('holds 12 bytes but the shape needs 4 Float32 values (16 bytes)');
    expect(() => decodeFloat32('AAAAA')).toThrow('Float32 data is not valid base64 (5 characters, not a multiple of 4)');
    // Buffer would skip the '!' and decode the rest; the codec refuses it as atob does.
    expect(() => decodeFloat32('AAA!AAAAAAA=')).toThrow('Float32 data is not valid base64');
    expect(() => decodeFloat32('AAAA')).toThrow('Float32 data holds 3 bytes, not a whole number of Float32 values');
  });
});
