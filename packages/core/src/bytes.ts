/**
 * Byte images as floats, exactly: every path that turns a stored byte into a value must give
 * `Math.fround(byte * scale)` to the bit, so that a backend keeping bytes and a backend scaling on
 * the host train identically.
 */

const MAX_EXACT_DIVISOR = 2 ** 24;
const divisors = new Map<number, number>();

/**
 * The integer `d` for which `Math.fround(byte / d) === Math.fround(byte * scale)` for every byte
 * 0-255, or 0 when there is none. A backend whose float32 division is IEEE (correctly rounded)
 * can then convert bytes to floats natively and divide by `d` on the device, instead of scaling
 * each value in a JavaScript loop. For the pixel scale 1/255 this is 255.
 *
 * Why it is exact: `byte` and `d` are integers below 2^24, so both are float32 as they are, and a
 * correctly rounded float32 quotient equals `Math.fround` of the double quotient (double rounding
 * is harmless for division when the wide format has at least 2p+2 bits). Whether that agrees
 * with rounding `byte * scale` is then checked, all 256 bytes, once per scale.
 */
export function exactByteDivisor(scale: number): number {
  const known = divisors.get(scale);
  if (known !== undefined) return known;
  let found = 0;
  const d = Math.round(1 / scale);
  if (Number.isFinite(d) && d >= 1 && d < MAX_EXACT_DIVISOR) {
    found = d;
    for (let byte = 0; byte < 256; byte++) {
      if (Math.fround(byte / d) !== Math.fround(byte * scale)) {
        found = 0;
        break;
      }
    }
  }
  divisors.set(scale, found);
  return found;
}

/**
 * Writes `Math.fround(byte * scale)` for each byte of `bytes` into `out` (which must be at least
 * as long) and returns `out`. A 256-entry table, so the loop does a load instead of a multiply
 * and a rounding per value.
 */
export function scaleBytesInto(bytes: Uint8Array, scale: number, out: Float32Array): Float32Array {
  const table = new Float32Array(256);
  for (let byte = 0; byte < 256; byte++) table[byte] = byte * scale;
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]!]!;
  return out;
}
