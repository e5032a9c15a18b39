/**
 * Index of the first element whose bits differ, or -1 when the arrays are bitwise equal. Bits, not
 * `===`, so that NaN equals itself and -0 differs from 0: determinism means the very same output.
 */
export function firstBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** Throws unless `a` and `b` hold the same bits; `label` names what was compared. */
export function assertSameBits(a: Float32Array, b: Float32Array, label: string): void {
  const i = firstBitDifference(a, b);
  if (i < 0) return;
  if (a.length !== b.length) throw new Error(`${label}: lengths ${a.length} and ${b.length} differ`);
  throw new Error(`${label}: element #${i} is ${a[i]} in one and ${b[i]} in the other`);
}
