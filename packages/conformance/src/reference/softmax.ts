import { at, type HostMatrix, type RefMatrix } from "./matrix.js";

/** Row-wise log-softmax via log-sum-exp around the row maximum, so any finite logits stay finite. */
export function logSoftmax(logits: HostMatrix): RefMatrix {
  const [m, n] = logits.shape;
  const data = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    let top = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) top = Math.max(top, at(logits, i, j));
    let total = 0;
    for (let j = 0; j < n; j++) total += Math.exp(at(logits, i, j) - top);
    const lse = Math.log(total);
    for (let j = 0; j < n; j++) data[i * n + j] = at(logits, i, j) - top - lse;
  }
  return { shape: logits.shape, data };
}

/** Row-wise softmax. */
export function softmax(logits: HostMatrix): RefMatrix {
  const logp = logSoftmax(logits);
  return { shape: logp.shape, data: logp.data.map(Math.exp) };
}

/** Per-row cross-entropy `[m,1]` against one-hot (or soft) labels, and its gradient `softmax - onehot`. */
export function softmaxCrossEntropy(
  logits: HostMatrix,
  onehot: HostMatrix,
): {
  /** `[m,1]`: per-row loss `-sum(onehot * logSoftmax(logits))`. */
  loss: RefMatrix;
  /** `[m,n]`: `softmax(logits) - onehot`. */
  grad: RefMatrix;
} {
  const [m, n] = logits.shape;
  if (onehot.shape[0] !== m || onehot.shape[1] !== n)
    throw new RangeError("reference softmaxCrossEntropy: shapes differ");
  const logp = logSoftmax(logits);
  const loss = new Float64Array(m);
  const grad = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    let rowLoss = 0;
    for (let j = 0; j < n; j++) {
      const y = at(onehot, i, j);
      const lp = at(logp, i, j);
      // A zero label contributes nothing, even where log p underflows to -Infinity.
      if (y !== 0) rowLoss -= y * lp;
      grad[i * n + j] = Math.exp(lp) - y;
    }
    loss[i] = rowLoss;
  }
  return { loss: { shape: [m, 1], data: loss }, grad: { shape: [m, n], data: grad } };
}

/** One-hot rows for `labels` over `classes` columns. */
export function oneHot(labels: ArrayLike<number>, classes: number): RefMatrix {
  const data = new Float64Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) data[i * classes + labels[i]!] = 1;
  return { shape: [labels.length, classes], data };
}
