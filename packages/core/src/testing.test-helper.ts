// A test-only reference backend: float64 JS arrays, strict handle bookkeeping. It is excluded from the
// build (tsconfig.build.json) and from the published files, and core never imports it outside tests.
import type {
  Axis,
  Backend,
  BackendCaps,
  FusedOp,
  LinearSoftmaxCrossEntropy,
  LinearSoftmaxLoss,
  LinearSoftmaxSgd,
  LossAndGrad,
  MatmulOptions,
} from "./backend.js";
import { InvalidTensorError } from "./errors.js";
import { broadcastOf, checkSameShape, checkShape, concatShape, matmulDims, reducedShape } from "./shapes.js";
import type { Operand, Shape, Tensor } from "./tensor.js";

let nextUid = 0;

/** A handle of the test backend. `data` is row-major float64. */
export class TestTensor implements Tensor {
  readonly shape: Shape;
  readonly backend: string;
  /** The `uid` of the backend that made it (names alone cannot tell two test backends apart). */
  readonly owner: number;
  readonly id: number;
  readonly data: Float64Array;
  disposed = false;
  constructor(shape: Shape, backend: string, owner: number, id: number, data: Float64Array) {
    this.shape = shape;
    this.backend = backend;
    this.owner = owner;
    this.id = id;
    this.data = data;
  }
}

export interface TestBackendOptions {
  readonly name?: string;
  /** Ops whose fused kernel the backend declares in `caps.fused` (the kernels always exist). */
  readonly fused?: readonly FusedOp[];
}

/**
 * Implements `Backend` in float64 with a live-handle counter. Using a disposed handle, disposing
 * twice, or handing over a handle of another backend throws `InvalidTensorError`, so tests notice.
 * Uses TypeScript-private (not `#private`) state so that `tidy`'s prototype view can reach it.
 */
export class TestBackend implements Backend {
  readonly name: string;
  readonly mode: string;
  readonly caps: BackendCaps;
  readonly uid = nextUid++;
  private readonly handles = new Set<TestTensor>();
  private nextId = 0;
  /** Every handle made so far, in order, for assertions about what an op created. */
  readonly made: TestTensor[] = [];
  closed = false;

  constructor(options: TestBackendOptions = {}) {
    this.name = options.name ?? "test";
    this.mode = this.name;
    this.caps = { precision: 32, syncRead: true, fused: new Set(options.fused ?? []) };
  }

  // ---- bookkeeping -------------------------------------------------------------------------

  private make(shape: Shape, data: Float64Array): TestTensor {
    if (this.closed) throw new InvalidTensorError(`${this.name}: backend is closed`);
    const t = new TestTensor([shape[0], shape[1]], this.name, this.uid, this.nextId++, data);
    this.handles.add(t);
    this.made.push(t);
    return t;
  }

  /** The checked internal view of a handle. */
  get(t: Tensor): TestTensor {
    if (!(t instanceof TestTensor) || t.owner !== this.uid) {
      throw new InvalidTensorError(
        `${this.name}: tensor was made by backend "${t.backend}", not by this one`,
      );
    }
    if (t.disposed) throw new InvalidTensorError(`${this.name}: tensor #${t.id} used after dispose`);
    return t;
  }

  /** Whether `t` is still alive on this backend. */
  isLive(t: Tensor): boolean {
    return t instanceof TestTensor && this.handles.has(t);
  }

  // ---- test conveniences -------------------------------------------------------------------

  /** Uploads nested rows in full float64 precision. */
  fromRows(rows: readonly (readonly number[])[]): TestTensor {
    const m = rows.length;
    const n = rows[0]?.length ?? 0;
    checkShape("fromRows", [m, n]);
    const data = new Float64Array(m * n);
    rows.forEach((row, i) => {
      if (row.length !== n) throw new Error(`fromRows: row ${i} has ${row.length} values, expected ${n}`);
      data.set(row, i * n);
    });
    return this.make([m, n], data);
  }

  /** Reads a handle back as nested rows, float64. */
  toRows(t: Tensor): number[][] {
    const { shape, data } = this.get(t);
    const rows: number[][] = [];
    for (let i = 0; i < shape[0]; i++) rows.push(Array.from(data.subarray(i * shape[1], (i + 1) * shape[1])));
    return rows;
  }

  // ---- Backend -----------------------------------------------------------------------------

  upload(data: Float32Array, shape: Shape): Tensor {
    checkShape("upload", shape, data.length);
    return this.make(shape, Float64Array.from(data));
  }

  async read(t: Tensor): Promise<Float32Array> {
    return Float32Array.from(this.get(t).data);
  }

  readSync(t: Tensor): Float32Array {
    return Float32Array.from(this.get(t).data);
  }

  dispose(t: Tensor): void {
    const h = this.get(t);
    h.disposed = true;
    this.handles.delete(h);
  }

  live(): number {
    return this.handles.size;
  }

  matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
    const A = this.get(a);
    const B = this.get(b);
    const [m, k, n] = matmulDims(A.shape, B.shape, opts);
    const aAt = (i: number, p: number) =>
      opts.transA ? A.data[p * A.shape[1] + i]! : A.data[i * A.shape[1] + p]!;
    const bAt = (p: number, j: number) =>
      opts.transB ? B.data[j * B.shape[1] + p]! : B.data[p * B.shape[1] + j]!;
    const out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += aAt(i, p) * bAt(p, j);
        out[i * n + j] = s;
      }
    }
    return this.make([m, n], out);
  }

  private binary(op: string, a: Tensor, b: Operand, f: (x: number, y: number) => number): Tensor {
    const A = this.get(a);
    const kind = broadcastOf(op, A.shape, b);
    const B = typeof b === "number" ? null : this.get(b);
    const [m, n] = A.shape;
    const out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let y: number;
        if (B === null) y = b as number;
        else if (kind === "same") y = B.data[i * n + j]!;
        else if (kind === "row") y = B.data[j]!;
        else y = B.data[i]!;
        out[i * n + j] = f(A.data[i * n + j]!, y);
      }
    }
    return this.make(A.shape, out);
  }

  add(a: Tensor, b: Operand): Tensor {
    return this.binary("add", a, b, (x, y) => x + y);
  }
  sub(a: Tensor, b: Operand): Tensor {
    return this.binary("sub", a, b, (x, y) => x - y);
  }
  mul(a: Tensor, b: Operand): Tensor {
    return this.binary("mul", a, b, (x, y) => x * y);
  }
  div(a: Tensor, b: Operand): Tensor {
    return this.binary("div", a, b, (x, y) => x / y);
  }
  equal(a: Tensor, b: Operand): Tensor {
    return this.binary("equal", a, b, (x, y) => (x === y ? 1 : 0));
  }

  private unary(x: Tensor, f: (v: number) => number): Tensor {
    const X = this.get(x);
    return this.make(X.shape, X.data.map(f));
  }

  exp(x: Tensor): Tensor {
    return this.unary(x, Math.exp);
  }
  log(x: Tensor): Tensor {
    return this.unary(x, Math.log);
  }
  neg(x: Tensor): Tensor {
    return this.unary(x, (v) => -v);
  }

  private reduce(op: string, x: Tensor, axis: Axis, init: number, f: (acc: number, v: number) => number) {
    const X = this.get(x);
    const shape = reducedShape(op, X.shape, axis);
    const [m, n] = X.shape;
    const out = new Float64Array(shape[0] * shape[1]).fill(init);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const o = axis === 0 ? j : i;
        out[o] = f(out[o]!, X.data[i * n + j]!);
      }
    }
    return this.make(shape, out);
  }

  sum(x: Tensor, axis: Axis): Tensor {
    return this.reduce("sum", x, axis, 0, (acc, v) => acc + v);
  }
  max(x: Tensor, axis: Axis): Tensor {
    return this.reduce("max", x, axis, Number.NEGATIVE_INFINITY, Math.max);
  }

  argmax(x: Tensor): Tensor {
    const X = this.get(x);
    const [m, n] = X.shape;
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let best = 0;
      for (let j = 1; j < n; j++) if (X.data[i * n + j]! > X.data[i * n + best]!) best = j;
      out[i] = best;
    }
    return this.make([m, 1], out);
  }

  concat(parts: readonly Tensor[], axis: Axis): Tensor {
    const P = parts.map((p) => this.get(p));
    const shape = concatShape(
      P.map((p) => p.shape),
      axis,
    );
    const out = new Float64Array(shape[0] * shape[1]);
    let offset = 0;
    for (const p of P) {
      const [m, n] = p.shape;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const [r, c] = axis === 0 ? [offset + i, j] : [i, offset + j];
          out[r * shape[1] + c] = p.data[i * n + j]!;
        }
      }
      offset += axis === 0 ? m : n;
    }
    return this.make(shape, out);
  }

  axpy(alpha: number, x: Tensor, y: Tensor): Tensor {
    const X = this.get(x);
    const Y = this.get(y);
    checkSameShape("axpy", X.shape, Y.shape);
    return this.make(
      Y.shape,
      Y.data.map((v, i) => v + alpha * X.data[i]!),
    );
  }

  // Fused kernels: computed directly, row by row, without the primitive ops above.

  softmax(logits: Tensor): Tensor {
    const Z = this.get(logits);
    return this.make(Z.shape, Float64Array.from(refSoftmax(this.toRows(Z)).flat()));
  }

  logSoftmax(logits: Tensor): Tensor {
    const Z = this.get(logits);
    return this.make(Z.shape, Float64Array.from(refLogSoftmax(this.toRows(Z)).flat()));
  }

  softmaxCrossEntropy(logits: Tensor, onehot: Tensor): LossAndGrad {
    const Z = this.get(logits);
    const Y = this.get(onehot);
    checkSameShape("softmaxCrossEntropy", Z.shape, Y.shape);
    const logp = refLogSoftmax(this.toRows(Z));
    const y = this.toRows(Y);
    const loss = logp.map((row, i) => -row.reduce((s, v, j) => s + v * y[i]![j]!, 0));
    const grad = logp.flatMap((row, i) => row.map((v, j) => Math.exp(v) - y[i]![j]!));
    return {
      loss: this.make([Z.shape[0], 1], Float64Array.from(loss)),
      grad: this.make(Z.shape, Float64Array.from(grad)),
    };
  }

  uploadBytes(data: Uint8Array, shape: Shape, scale: number): Tensor {
    checkShape("uploadBytes", shape, data.length);
    return this.make(
      shape,
      Float64Array.from(data, (v) => v * scale),
    );
  }

  linearSoftmaxCrossEntropy(x: Tensor, W: Tensor, b: Tensor, targets: Tensor): LinearSoftmaxCrossEntropy {
    const X = this.toRows(x);
    const T = this.toRows(targets);
    const out = refLinearSoftmaxCrossEntropy(X, this.toRows(W), this.toRows(b)[0]!, T);
    const [m, n] = this.get(targets).shape;
    return {
      loss: this.make([m, 1], Float64Array.from(out.loss)),
      correct: this.make([m, 1], Float64Array.from(out.correct)),
      gradW: this.make([X[0]!.length, n], Float64Array.from(out.gradW.flat())),
      gradB: this.make([1, n], Float64Array.from(out.gradB)),
    };
  }

  linearSoftmaxLoss(x: Tensor, W: Tensor, b: Tensor, targets: Tensor): LinearSoftmaxLoss {
    const out = refLinearSoftmaxCrossEntropy(
      this.toRows(x),
      this.toRows(W),
      this.toRows(b)[0]!,
      this.toRows(targets),
    );
    const m = this.get(targets).shape[0];
    return {
      loss: this.make([m, 1], Float64Array.from(out.loss)),
      correct: this.make([m, 1], Float64Array.from(out.correct)),
    };
  }

  linearSoftmaxSgd(x: Tensor, W: Tensor, b: Tensor, targets: Tensor, scale: number): LinearSoftmaxSgd {
    const Wr = this.toRows(W);
    const br = this.toRows(b)[0]!;
    const out = refLinearSoftmaxCrossEntropy(this.toRows(x), Wr, br, this.toRows(targets));
    const m = this.get(targets).shape[0];
    return {
      loss: this.make([m, 1], Float64Array.from(out.loss)),
      correct: this.make([m, 1], Float64Array.from(out.correct)),
      W: this.make(
        this.get(W).shape,
        Float64Array.from(Wr.flatMap((row, i) => row.map((v, j) => v + scale * out.gradW[i]![j]!))),
      ),
      b: this.make([1, br.length], Float64Array.from(br.map((v, j) => v + scale * out.gradB[j]!))),
    };
  }

  close(): void {
    this.closed = true;
  }
}

/** Index of the first largest value. */
function argmaxOf(row: readonly number[]): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j]! > row[best]!) best = j;
  return best;
}

/** `linearSoftmaxCrossEntropy` in float64, straight from its definition. */
export function refLinearSoftmaxCrossEntropy(
  x: readonly (readonly number[])[],
  W: readonly (readonly number[])[],
  b: readonly number[],
  targets: readonly (readonly number[])[],
): { loss: number[]; correct: number[]; gradW: number[][]; gradB: number[] } {
  const logits = x.map((row) => b.map((bj, j) => row.reduce((s, v, p) => s + v * W[p]![j]!, bj)));
  const logp = refLogSoftmax(logits);
  const delta = logp.map((row, i) => row.map((v, j) => Math.exp(v) - targets[i]![j]!));
  return {
    loss: logp.map((row, i) => -row.reduce((s, v, j) => s + v * targets[i]![j]!, 0)),
    correct: logits.map((row, i) => (argmaxOf(row) === argmaxOf(targets[i]!) ? 1 : 0)),
    gradW: W.map((_, p) => b.map((__, j) => x.reduce((s, row, i) => s + row[p]! * delta[i]![j]!, 0))),
    gradB: b.map((_, j) => delta.reduce((s, row) => s + row[j]!, 0)),
  };
}

// ---- float64 references -------------------------------------------------------------------

/** Row-wise log-softmax in float64 via log-sum-exp. */
export function refLogSoftmax(rows: readonly (readonly number[])[]): number[][] {
  return rows.map((row) => {
    const max = Math.max(...row);
    const lse = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    return row.map((v) => v - max - lse);
  });
}

/** Row-wise softmax in float64. */
export function refSoftmax(rows: readonly (readonly number[])[]): number[][] {
  return refLogSoftmax(rows).map((row) => row.map(Math.exp));
}

/** One-hot rows for `labels` over `classes` columns. */
export function oneHot(labels: readonly number[], classes: number): number[][] {
  return labels.map((y) => Array.from({ length: classes }, (_, j) => (j === y ? 1 : 0)));
}
