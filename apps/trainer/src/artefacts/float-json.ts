/**
 * The shortest decimal that reads back as the same float32. JSON numbers are doubles; printing a
 * float32 as a double takes up to 17 digits, while 6 to 9 always suffice to get the float back,
 * so a model file is half the size and still loads bit for bit.
 */
export function float32ForJson(value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`cannot store ${value} in JSON`);
  const target = Math.fround(value);
  for (let digits = 6; digits < 9; digits++) {
    const short = Number(target.toPrecision(digits));
    if (Math.fround(short) === target) return short;
  }
  return Number(target.toPrecision(9));
}

/** An array of float32 values as JSON-ready numbers. */
export function float32Array(values: Float32Array): number[] {
  return Array.from(values, float32ForJson);
}
