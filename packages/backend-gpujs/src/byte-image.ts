import { exactByteDivisor, scaleBytesInto } from "@tensorplug/core";

/**
 * A host-mode tensor uploaded as bytes that stand for `byte * scale` (see core's `uploadBytes`).
 * The bytes are kept as they are: a kernel that knows its operand is a `ByteImage` takes the bytes
 * (gpu.js widens them to floats natively while copying its arguments into WebAssembly memory) and
 * divides each value by `divisor`, which gives `Math.fround(byte * scale)` to the bit because
 * WebAssembly's float32 division is correctly rounded (see `exactByteDivisor`). Every other use
 * reads `values()`, the floats computed once on the host.
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

  /** A copy of `bytes` standing for `byte * scale`, or `undefined` when `scale` has no exact divisor. */
  static of(bytes: Uint8Array, scale: number): ByteImage | undefined {
    const divisor = exactByteDivisor(scale);
    return divisor === 0 ? undefined : new ByteImage(bytes.slice(), scale, divisor);
  }

  /** The values as floats, `Math.fround(byte * scale)` each; computed on first use and kept. */
  values(): Float32Array {
    this.floats ??= scaleBytesInto(this.bytes, this.scale, new Float32Array(this.bytes.length));
    return this.floats;
  }
}
