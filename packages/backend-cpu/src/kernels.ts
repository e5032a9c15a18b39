import type { Broadcast } from "@tensorplug/core";

// Plain loops over Float32Array. Index arithmetic is hoisted out of inner loops; that is all the
// optimisation this file attempts — the fast paths belong to a later, measured change.

/** `c[m,n] = op(a) * op(b)` with `a` stored as `[m,k]` (or `[k,m]` when transposed) and likewise `b`. */
export function matmul(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): Float32Array {
  const c = new Float32Array(m * n);
  if (transB) {
    // b stored [n,k]: each output is a dot product of two strided rows.
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        const bRow = j * k;
        if (transA) for (let p = 0; p < k; p++) acc += a[p * m + i]! * b[bRow + p]!;
        else {
          const aRow = i * k;
          for (let p = 0; p < k; p++) acc += a[aRow + p]! * b[bRow + p]!;
        }
        c[i * n + j] = acc;
      }
    }
    return c;
  }
  // Skipping a zero of `a` saves half the work on image batches, but 0 * Infinity and 0 * NaN are
  // NaN: the skip is only sound where b's row is all finite (checked once, O(k*n)).
  const finite = finiteRows(b, k, n);
  if (transA) {
    // a stored [k,m]: walk a's rows, scattering each into every output row; b's row p is reused m times.
    for (let p = 0; p < k; p++) {
      const aRow = p * m;
      const bRow = p * n;
      for (let i = 0; i < m; i++) {
        const av = a[aRow + i]!;
        if (av === 0 && finite[p] === 1) continue;
        const cRow = i * n;
        for (let j = 0; j < n; j++) c[cRow + j]! += av * b[bRow + j]!;
      }
    }
    return c;
  }
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    const cRow = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[aRow + p]!;
      if (av === 0 && finite[p] === 1) continue;
      const bRow = p * n;
      for (let j = 0; j < n; j++) c[cRow + j]! += av * b[bRow + j]!;
    }
  }
  return c;
}

/** 1 for each row of the row-major `[k,n]` matrix `b` whose values are all finite, else 0. */
function finiteRows(b: Float32Array, k: number, n: number): Uint8Array {
  const out = new Uint8Array(k);
  for (let p = 0; p < k; p++) {
    let ok = 1;
    for (let j = p * n; j < (p + 1) * n; j++) {
      if (!Number.isFinite(b[j]!)) {
        ok = 0;
        break;
      }
    }
    out[p] = ok;
  }
  return out;
}

/** `y + alpha * x`, a loop of its own: the SGD update runs every batch, and a call per element would show. */
export function axpy(alpha: number, x: Float32Array, y: Float32Array): Float32Array {
  const out = new Float32Array(y.length);
  for (let i = 0; i < out.length; i++) out[i] = y[i]! + alpha * x[i]!;
  return out;
}

/** Element-wise `f(a, b)` with `b` broadcast as a scalar, `[1,n]` row, `[m,1]` column or same shape. */
export function binary(
  a: Float32Array,
  b: Float32Array | number,
  m: number,
  n: number,
  kind: Broadcast,
  f: (x: number, y: number) => number,
): Float32Array {
  const out = new Float32Array(m * n);
  if (typeof b === "number") {
    for (let i = 0; i < out.length; i++) out[i] = f(a[i]!, b);
    return out;
  }
  switch (kind) {
    case "same":
      for (let i = 0; i < out.length; i++) out[i] = f(a[i]!, b[i]!);
      break;
    case "row":
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = f(a[i * n + j]!, b[j]!);
      break;
    case "col":
      for (let i = 0; i < m; i++) {
        const y = b[i]!;
        for (let j = 0; j < n; j++) out[i * n + j] = f(a[i * n + j]!, y);
      }
      break;
    case "scalar":
      for (let i = 0; i < out.length; i++) out[i] = f(a[i]!, b[0]!);
      break;
  }
  return out;
}

export function unary(x: Float32Array, f: (v: number) => number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
  return out;
}

/** Sum or max along an axis, keeping it. Sums accumulate in float64 before rounding once. */
export function reduce(
  x: Float32Array,
  m: number,
  n: number,
  axis: 0 | 1,
  kind: "sum" | "max",
): Float32Array {
  const isMax = kind === "max";
  if (axis === 1) {
    const out = new Float32Array(m);
    for (let i = 0; i < m; i++) {
      let acc = isMax ? -Infinity : 0;
      const row = i * n;
      for (let j = 0; j < n; j++) {
        const v = x[row + j]!;
        acc = isMax ? (v > acc || Number.isNaN(v) ? v : acc) : acc + v;
        if (Number.isNaN(acc)) break;
      }
      out[i] = acc;
    }
    return out;
  }
  const acc = new Float64Array(n).fill(isMax ? -Infinity : 0);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) {
      const v = x[row + j]!;
      if (isMax) acc[j] = v > acc[j]! || Number.isNaN(v) ? v : acc[j]!;
      else acc[j]! += v;
    }
  }
  return Float32Array.from(acc);
}

/** Index of each row's largest value; the first one wins a tie. */
export function argmax(x: Float32Array, m: number, n: number): Float32Array {
  const out = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    let best = 0;
    let bestValue = x[row]!;
    for (let j = 1; j < n; j++) {
      const v = x[row + j]!;
      if (v > bestValue) {
        best = j;
        bestValue = v;
      }
    }
    out[i] = best;
  }
  return out;
}

/** Joins row-major blocks along rows (axis 0) or columns (axis 1). */
export function concat(
  parts: readonly { data: Float32Array; rows: number; cols: number }[],
  axis: 0 | 1,
): Float32Array {
  const rows = axis === 0 ? parts.reduce((s, p) => s + p.rows, 0) : parts[0]!.rows;
  const cols = axis === 1 ? parts.reduce((s, p) => s + p.cols, 0) : parts[0]!.cols;
  const out = new Float32Array(rows * cols);
  if (axis === 0) {
    let offset = 0;
    for (const p of parts) {
      out.set(p.data, offset);
      offset += p.data.length;
    }
    return out;
  }
  let colOffset = 0;
  for (const p of parts) {
    for (let i = 0; i < rows; i++)
      out.set(p.data.subarray(i * p.cols, (i + 1) * p.cols), i * cols + colOffset);
    colOffset += p.cols;
  }
  return out;
}

/** The stable softmax cross-entropy of each row in one pass: loss `[m]` and gradient `[m,n]`. */
export function softmaxCrossEntropy(
  z: Float32Array,
  onehot: Float32Array,
  m: number,
  n: number,
): { loss: Float32Array; grad: Float32Array } {
  const loss = new Float32Array(m);
  const grad = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, z[row + j]!);
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.exp(z[row + j]! - max);
    const logSum = Math.log(sum);
    let rowLoss = 0;
    for (let j = 0; j < n; j++) {
      const logp = z[row + j]! - max - logSum;
      const y = onehot[row + j]!;
      if (y !== 0) rowLoss -= y * logp;
      grad[row + j] = Math.exp(logp) - y;
    }
    loss[i] = rowLoss;
  }
  return { loss, grad };
}
