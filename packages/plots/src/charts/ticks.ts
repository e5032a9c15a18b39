/** A "nice" step (1, 2 or 5 times a power of ten) giving at most about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !(count > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  const factor = unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10;
  return factor * power;
}

/** Multiples of a nice step between `min` and `max` inclusive, rounded to the step's decimals. */
export function niceTicks(min: number, max: number, count: number): number[] {
  const step = niceStep(max - min, count);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const ticks: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) {
    ticks.push(Number((k * step).toFixed(decimals)));
  }
  return ticks;
}

/** Digits after the point needed to tell ticks apart. */
export function tickDecimals(ticks: readonly number[]): number {
  if (ticks.length < 2) return ticks[0] !== undefined && !Number.isInteger(ticks[0]) ? 2 : 0;
  const step = Math.abs(ticks[1]! - ticks[0]!);
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/** `[lo, hi]` widened to cover every value (non-finite values ignored). */
export function coverDomain(
  preferred: readonly [number, number],
  values: readonly number[],
): [number, number] {
  let [lo, hi] = preferred;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [lo, hi];
}
