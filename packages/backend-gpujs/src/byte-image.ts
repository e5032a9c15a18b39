import { exactByteDivisor, scaleBytesInto } from "@tensorplug/core";

/** Whether this platform stores the low byte of a 16-bit value first, as `pairs` assumes. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A host-mode tensor uploaded as bytes that stand for `byte * scale` (see core's `uploadBytes`).
 * The bytes are kept as they are: a kernel that knows its operand is a `ByteImage` takes the bytes
 * (gpu.js widens them to floats natively while copying its arguments into WebAssembly memory) and
 * divides each value by `divisor`, which gives `Math.fround(byte * scale)` to the bit because
 * WebAssembly's float32 division is correctly rounded (see `exactByteDivisor`); webasm's byte-pair
 * products (`sources/byte-pairs.ts`) divide their sums of unscaled bytes once instead. Every other
 * use reads `values()`, the floats computed once on the host.
 */
export class ByteImage {
  readonly bytes: Uint8Array;
  readonly scale: number;
  /** The exact divisor of `scale`; a `ByteImage` is only made for scales that have one. */
  readonly divisor: number;
  private floats: Float32Array | undefined;

  private constructor(bytes: Uint8Array, scale: number, divisor: number) {
    this.bytes = bytes;
    this.scale = scale;
    this.divisor = divisor;
  }

  /**
   * A copy of `bytes` standing for `byte * scale`, written into `into` when given (which must have
   * the same length), or `undefined` when `scale` has no exact divisor.
   */
  static copy(bytes: Uint8Array, scale: number, into?: Uint8Array): ByteImage | undefined {
    const divisor = exactByteDivisor(scale);
    if (divisor === 0) return undefined;
    const kept = into ?? new Uint8Array(bytes.length);
    kept.set(bytes);
    return new ByteImage(kept, scale, divisor);
  }

  /**
   * The bytes as 16-bit values `byte[2q] + 256 byte[2q + 1]`, a view (no copy), when rows of
   * `cols` bytes split into whole pairs; else `undefined`. gpu.js converts them to floats while
   * copying its arguments, and a kernel that splits each one in two reads two elements per
   * gathered value (see `rowQuadsMatmulSpec`'s `pairsA`).
   */
  pairs(cols: number): Uint16Array | undefined {
    const { bytes } = this;
    if (!LITTLE_ENDIAN || cols % 2 !== 0 || bytes.byteOffset % 2 !== 0) return undefined;
    return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
  }

  /** The values as floats, `Math.fround(byte * scale)` each; computed on first use and kept. */
  values(): Float32Array {
    this.floats ??= scaleBytesInto(this.bytes, this.scale, new Float32Array(this.bytes.length));
    return this.floats;
  }
}
