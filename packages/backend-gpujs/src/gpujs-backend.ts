import {
  type Axis,
  type Backend,
  type BackendCaps,
  broadcastOf,
  checkLinearSoftmaxCrossEntropy,
  checkSameShape,
  checkShape,
  linearSoftmaxCrossEntropy as composedLinearSoftmaxCrossEntropy,
  concatShape,
  type FusedOp,
  formatShape,
  InvalidTensorError,
  type LinearSoftmaxCrossEntropy,
  type LossAndGrad,
  type MatmulOptions,
  matmulDims,
  type Operand,
  reducedShape,
  type Shape,
  scaleBytesInto,
  type Tensor,
} from "@tensorplug/core";
import type { GPU, KernelVariable } from "gpu.js";
import { ByteImage } from "./byte-image.js";
import type { Device, Payload } from "./device.js";
import { GpujsClosedError } from "./errors.js";
import type { GlCounters } from "./gl-counters.js";
import { GpujsTensor, payloadOf } from "./gpujs-tensor.js";
import type { KernelCache, KernelCacheStats } from "./kernel-cache.js";
import type { KernelSpec } from "./kernel-spec.js";
import { GPUJS, type GpujsMode } from "./modes.js";
import { bytePairsGradientSpec } from "./sources/byte-pairs.js";
import { axpySpec, type BinaryOp, binarySpec, type UnaryOp, unarySpec } from "./sources/elementwise.js";
import type { ExpForm } from "./sources/exp.js";
import { concatSpec } from "./sources/layout.js";
import { rowSummarySpec, SUMMARY_CORRECT, SUMMARY_LOSS, softmaxGradSpec } from "./sources/linear.js";
import {
  type MatmulProblem,
  matmulSpec,
  prefersTransposedOutput,
  rowQuadsMatmulSpec,
  type ThreadRefs,
  transposeSpec,
} from "./sources/matmul.js";
import { argmaxSpec, type ReduceOp, reduceSpec } from "./sources/reductions.js";
import {
  crossEntropyGradSpec,
  crossEntropyLossSpec,
  logSoftmaxSpec,
  rowStatsSpec,
  softmaxSpec,
} from "./sources/softmax.js";

/** A better mode that did not start when the best mode was asked for, and why. */
export interface PassedOver {
  /** The mode that did not start. */
  readonly mode: GpujsMode;
  /** Why it did not start. */
  readonly reason: string;
  /** What would make it start. */
  readonly fix: string;
}

/** Everything a started backend runs on; `createGpujsBackend` assembles it. */
export interface GpujsRuntime {
  /** The gpu.js mode that runs. */
  readonly mode: GpujsMode;
  /** The gpu.js kernel class that runs, e.g. `HeadlessGLKernel`, `WebAssemblyKernel`. */
  readonly engine: string;
  /** The gpu.js instance every kernel is made on. */
  readonly gpu: GPU;
  /** Compiled kernels by op, flags and input shapes. */
  readonly kernels: KernelCache;
  /** Where tensors live: host arrays (webasm, cpu) or GL textures (gpu). */
  readonly device: Device;
  /**
   * How matmul kernels are written. `texels` (GL): one thread per element, and a narrow output
   * (10 classes) written transposed, wide, and transposed back, as rasterisers shade blocks of
   * pixels; `inline` (webasm) and `locals` (cpu): the `rowQuads` kernel of `rowQuadsMatmulSpec`.
   */
  readonly matmul: "texels" | ThreadRefs;
  /** GL only: counts textures alive and pixel readbacks on the context. */
  readonly gl?: GlCounters;
  /** Modes tried first and passed over (only when no mode was asked for). */
  readonly passedOver: readonly PassedOver[];
}

/** Counters for tests and benchmarks. */
export interface GpujsStats extends KernelCacheStats {
  /** GL textures alive on the context (gpu.js's internal ones included); `undefined` outside GL. */
  readonly textures: number | undefined;
  /** GL pixel readbacks so far (every device-to-host copy); `undefined` outside GL. */
  readonly readbacks: number | undefined;
}

/** Fused kernels: two or three launches instead of the ~10 of core's composites. */
const FUSED: ReadonlySet<FusedOp> = new Set<FusedOp>(["softmax", "logSoftmax", "softmaxCrossEntropy"]);

/**
 * The host modes add byte uploads (bytes kept, divided inside the kernels that read them) and the
 * dense layer with softmax cross-entropy in five launches instead of the composite's eleven.
 */
const HOST_FUSED: ReadonlySet<FusedOp> = new Set<FusedOp>([
  ...FUSED,
  "uploadBytes",
  "linearSoftmaxCrossEntropy",
]);

/** Elements below which a float index is exact (gpu.js's WebAssembly keeps locals as floats). */
const FLAT_INDEX_LIMIT = 2 ** 24;

/** The most tensors one concat kernel reads; more are joined in groups (GL has few texture units). */
const MAX_CONCAT_PARTS = 8;

/**
 * The tensorplug backend on gpu.js. Every op runs one cached gpu.js kernel; in GL mode results
 * stay on the device as textures and only `read` reads back. Create it with `createGpujsBackend`.
 */
export class GpujsBackend implements Backend {
  readonly name = GPUJS;
  /** The mode that runs: `gpu`, `webasm` or `cpu`. */
  readonly mode: GpujsMode;
  /** The gpu.js kernel class that runs, e.g. `HeadlessGLKernel` for mode gpu in Node. */
  readonly engine: string;
  readonly caps: BackendCaps;
  /**
   * When no mode was asked for: the better modes that did not start, with reason and fix, e.g.
   * gpu without a display. Empty when the best mode started or a mode was asked for.
   */
  readonly passedOver: readonly PassedOver[];

  private readonly runtime: GpujsRuntime;
  /** webasm or cpu: tensors are host arrays, and kernels may use the host-only layouts. */
  private readonly host: boolean;
  /**
   * How softmax kernels compute exp: in float32 arithmetic in webasm, where `Math.exp` is a call
   * out to JavaScript per value; GL has exp natively and cpu mode is JavaScript already.
   */
  private readonly expForm: ExpForm;
  private readonly owned = new WeakSet<GpujsTensor>();
  private liveCount = 0;
  private closed = false;

  constructor(runtime: GpujsRuntime) {
    this.runtime = runtime;
    this.mode = runtime.mode;
    this.engine = runtime.engine;
    this.passedOver = runtime.passedOver;
    this.host = runtime.matmul !== "texels";
    this.expForm = runtime.mode === "webasm" ? "arithmetic" : "import";
    const fused = this.host ? HOST_FUSED : FUSED;
    this.caps = Object.freeze({ precision: 32, syncRead: true, fused });
  }

  upload(data: Float32Array, shape: Shape): Tensor {
    checkShape("upload", shape, data.length);
    this.checkOpen("upload");
    const s: Shape = [shape[0], shape[1]];
    return this.make(this.runtime.device.upload(data, s), s);
  }

  /**
   * Bytes standing for `byte * scale`. The host modes keep the bytes when `scale` has an exact
   * divisor (1/255 does): kernels that read them divide by it, which is exact, and gpu.js widens
   * bytes to floats natively while copying arguments, so no pass over the pixels is made here.
   * Otherwise (GL, other scales) the bytes are scaled here as core does and uploaded as floats.
   */
  uploadBytes(data: Uint8Array, shape: Shape, scale: number): Tensor {
    checkShape("uploadBytes", shape, data.length);
    this.checkOpen("uploadBytes");
    const s: Shape = [shape[0], shape[1]];
    const kept = this.runtime.device.uploadBytes(data, scale);
    if (kept !== undefined) return this.make(kept, s);
    return this.upload(scaleBytesInto(data, scale, new Float32Array(data.length)), s);
  }

  async read(t: Tensor): Promise<Float32Array> {
    return this.readSync(t);
  }

  readSync(t: Tensor): Float32Array {
    const payload = this.payload("read", t);
    return this.runtime.device.read(payload, t.shape);
  }

  dispose(t: Tensor): void {
    const payload = this.payload("dispose", t);
    (t as GpujsTensor).payload = null;
    this.liveCount--;
    if (!this.closed) this.runtime.device.release(payload);
  }

  live(): number {
    return this.liveCount;
  }

  /** Kernel cache counters and, in GL, texture and readback counters. */
  stats(): GpujsStats {
    const { gl, kernels } = this.runtime;
    return { ...kernels.stats(), textures: gl?.textures, readbacks: gl?.readbacks };
  }

  matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
    const [m, k, n] = matmulDims(a.shape, b.shape, opts);
    const problem = {
      a: a.shape,
      b: b.shape,
      m,
      k,
      n,
      transA: opts.transA ?? false,
      transB: opts.transB ?? false,
    };
    const form = this.runtime.matmul;
    if (form !== "texels") return this.run("matmul", this.hostProductSpec("matmul", a, b, problem), [a, b]);
    if (!prefersTransposedOutput(m, n)) {
      return this.run("matmul", matmulSpec(problem), [a, b]);
    }
    const transposed = this.run("matmul", matmulSpec(problem, true), [a, b]);
    try {
      return this.run("matmul", transposeSpec(transposed.shape), [transposed]);
    } finally {
      this.dispose(transposed);
    }
  }

  add(a: Tensor, b: Operand): Tensor {
    return this.binary("add", a, b);
  }
  sub(a: Tensor, b: Operand): Tensor {
    return this.binary("sub", a, b);
  }
  mul(a: Tensor, b: Operand): Tensor {
    return this.binary("mul", a, b);
  }
  div(a: Tensor, b: Operand): Tensor {
    return this.binary("div", a, b);
  }
  equal(a: Tensor, b: Operand): Tensor {
    return this.binary("equal", a, b);
  }

  exp(x: Tensor): Tensor {
    return this.unary("exp", x);
  }
  log(x: Tensor): Tensor {
    return this.unary("log", x);
  }
  neg(x: Tensor): Tensor {
    return this.unary("neg", x);
  }

  sum(x: Tensor, axis: Axis): Tensor {
    return this.reduce("sum", x, axis);
  }
  max(x: Tensor, axis: Axis): Tensor {
    return this.reduce("max", x, axis);
  }
  argmax(x: Tensor): Tensor {
    return this.run("argmax", argmaxSpec(x.shape, this.host), [x]);
  }

  concat(parts: readonly Tensor[], axis: Axis): Tensor {
    const shape = concatShape(
      parts.map((p) => p.shape),
      axis,
    );
    for (const p of parts) this.payload("concat", p);
    if (parts.length <= MAX_CONCAT_PARTS) {
      return this.run(
        "concat",
        concatSpec(
          parts.map((p) => p.shape),
          axis,
          shape,
        ),
        parts,
      );
    }
    // Join groups, then the groups; the group results are intermediates and disposed here.
    const groups: Tensor[] = [];
    try {
      for (let i = 0; i < parts.length; i += MAX_CONCAT_PARTS) {
        groups.push(this.concat(parts.slice(i, i + MAX_CONCAT_PARTS), axis));
      }
      return this.concat(groups, axis);
    } finally {
      for (const g of groups) this.dispose(g);
    }
  }

  axpy(alpha: number, x: Tensor, y: Tensor): Tensor {
    checkSameShape("axpy", x.shape, y.shape);
    return this.run("axpy", axpySpec(y.shape, this.host), [x, y, alpha]);
  }

  softmax(logits: Tensor): Tensor {
    return this.withRowStats("softmax", logits, (stats) =>
      this.run("softmax", softmaxSpec(logits.shape, this.expForm), [logits, stats]),
    );
  }

  logSoftmax(logits: Tensor): Tensor {
    return this.withRowStats("logSoftmax", logits, (stats) =>
      this.run("logSoftmax", logSoftmaxSpec(logits.shape), [logits, stats]),
    );
  }

  softmaxCrossEntropy(logits: Tensor, onehot: Tensor): LossAndGrad {
    checkSameShape("softmaxCrossEntropy", logits.shape, onehot.shape);
    this.payload("softmaxCrossEntropy", onehot);
    return this.withRowStats("softmaxCrossEntropy", logits, (stats) => {
      const inputs = [logits, onehot, stats];
      const loss = this.run("softmaxCrossEntropy", crossEntropyLossSpec(logits.shape, this.host), inputs);
      try {
        const gradSpec = crossEntropyGradSpec(logits.shape, this.expForm);
        return { loss, grad: this.run("softmaxCrossEntropy", gradSpec, inputs) };
      } catch (error) {
        this.dispose(loss);
        throw error;
      }
    });
  }

  /**
   * `x W + b`, softmax cross-entropy against `targets`, and the gradients with respect to `W` and
   * `b`. In the host modes five launches: the product with the bias added (`x` read as bytes when
   * it was uploaded as bytes), a per-row summary (max, log-sum-exp, loss, correct), the gradient
   * with respect to the logits, `xᵀ` times it, and its column sums. The loss and correct columns
   * of the summary become the `[m,1]` results on the host. GL runs core's composite of its ops.
   */
  linearSoftmaxCrossEntropy(x: Tensor, W: Tensor, b: Tensor, targets: Tensor): LinearSoftmaxCrossEntropy {
    const op = "linearSoftmaxCrossEntropy";
    checkLinearSoftmaxCrossEntropy(x.shape, W.shape, b.shape, targets.shape);
    const form = this.runtime.matmul;
    if (form === "texels") return composedLinearSoftmaxCrossEntropy(this, x, W, b, targets);
    for (const t of [W, b, targets]) this.payload(op, t);
    const [m, k, n] = matmulDims(x.shape, W.shape);
    const forward = { a: x.shape, b: W.shape, m, k, n, transA: false, transB: false };
    const made: Tensor[] = [];
    const keep = <T extends Tensor>(t: T): T => {
      made.push(t);
      return t;
    };
    const intermediates: Tensor[] = [];
    const temporary = (t: Tensor): Tensor => {
      intermediates.push(t);
      return t;
    };
    try {
      const bytes = this.bytesOfA(op, x, false);
      const logits = temporary(
        this.run(op, rowQuadsMatmulSpec(forward, form, { bias: true, ...bytes }), [x, W, b]),
      );
      const summary = temporary(this.run(op, rowSummarySpec(logits.shape, this.expForm), [logits, targets]));
      const grad = temporary(
        this.run(op, softmaxGradSpec(logits.shape, this.expForm), [logits, targets, summary]),
      );
      const backward = { a: x.shape, b: grad.shape, m: k, k: m, n, transA: true, transB: false };
      const gradW = keep(this.run(op, this.hostProductSpec(op, x, grad, backward), [x, grad]));
      const gradB = keep(this.reduce("sum", grad, 0));
      const rows = this.runtime.device.read(this.payload(op, summary), summary.shape);
      const loss = keep(this.make(column(rows, SUMMARY_LOSS, m), [m, 1]));
      const correct = keep(this.make(column(rows, SUMMARY_CORRECT, m), [m, 1]));
      made.length = 0;
      return { loss, correct, gradW, gradB };
    } finally {
      for (const t of [...intermediates, ...made]) this.dispose(t);
    }
  }

  /** Releases every kernel, texture and the GL context. The backend is unusable after. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.runtime.gpu.destroy();
  }

  /** Runs `fn` with each row's max and log-sum-exp (see `rowStatsSpec`), an intermediate disposed after. */
  private withRowStats<T>(op: string, logits: Tensor, fn: (stats: Tensor) => T): T {
    const stats = this.run(op, rowStatsSpec(logits.shape, this.expForm, this.host), [logits]);
    try {
      return fn(stats);
    } finally {
      this.dispose(stats);
    }
  }

  private binary(op: BinaryOp, a: Tensor, b: Operand): Tensor {
    const kind = broadcastOf(op, a.shape, b);
    const right = typeof b === "number" ? undefined : b.shape;
    return this.run(op, binarySpec(op, a.shape, kind, right, this.host), [a, b]);
  }

  private unary(op: UnaryOp, x: Tensor): Tensor {
    return this.run(op, unarySpec(op, x.shape, this.host), [x]);
  }

  private reduce(op: ReduceOp, x: Tensor, axis: Axis): Tensor {
    reducedShape(op, x.shape, axis);
    return this.run(op, reduceSpec(op, x.shape, axis, this.host), [x]);
  }

  /** The divisor of a tensor uploaded as bytes and kept so (a `ByteImage`), else 0. */
  private divisorOf(op: string, t: Tensor): number {
    const payload = this.payload(op, t);
    return payload instanceof ByteImage ? payload.divisor : 0;
  }

  /**
   * The host modes' kernel for `op(a) · op(b)`: `aᵀ · b` with `a` bytes that webasm can read as
   * pairs (and few enough to index with a float) is `bytePairsGradientSpec`, the weight gradient
   * of a batch of images; anything else a `rowQuads` product, reading bytes as `bytesOfA` says.
   */
  private hostProductSpec(op: string, a: Tensor, b: Tensor, problem: MatmulProblem): KernelSpec {
    const form = this.runtime.matmul;
    if (form === "texels") throw new Error(`${op}: GL products are not host products`);
    const bytes = this.bytesOfA(op, a, false);
    const divisorB = this.divisorOf(op, b);
    const flat = a.shape[0] * a.shape[1] < FLAT_INDEX_LIMIT;
    if (problem.transA && !problem.transB && bytes.pairsA && divisorB === 0 && flat) {
      return bytePairsGradientSpec(a.shape, b.shape, bytes.divisorA);
    }
    const extras = { ...this.bytesOfA(op, a, problem.transA), divisorB };
    return rowQuadsMatmulSpec(problem, form, extras);
  }

  /**
   * How a `rowQuads` product reads a left operand `a` of bytes (`divisorA` 0 if it is not one):
   * as byte pairs where webasm can (`rowQuadsMatmulSpec`'s `pairsA`), else byte by byte.
   */
  private bytesOfA(op: string, a: Tensor, transA: boolean): { divisorA: number; pairsA: boolean } {
    const payload = this.payload(op, a);
    if (!(payload instanceof ByteImage)) return { divisorA: 0, pairsA: false };
    const pairsA = this.runtime.matmul === "inline" && !transA && payload.pairs(a.shape[1]) !== undefined;
    return { divisorA: payload.divisor, pairsA };
  }

  /** Checks every tensor input, runs the kernel of `spec` and wraps its output as a new tensor. */
  private run(op: string, spec: KernelSpec, inputs: readonly (Tensor | number)[]): Tensor {
    this.checkOpen(op);
    const { device, kernels } = this.runtime;
    const args: KernelVariable[] = inputs.map((v, i) =>
      typeof v === "number"
        ? v
        : device.argument(this.payload(op, v), v.shape, spec.args[i]!, spec.views?.[i]),
    );
    const output = kernels.run(spec, args);
    return this.make(device.adopt(output, spec), spec.output);
  }

  private make(payload: Payload, shape: Shape): GpujsTensor {
    const t = new GpujsTensor(payload, shape);
    this.owned.add(t);
    this.liveCount++;
    return t;
  }

  /** The payload of a live tensor this instance made, or an `InvalidTensorError` naming the op. */
  private payload(op: string, t: Tensor): Payload {
    const payload = payloadOf(op, t);
    if (!this.owned.has(t as GpujsTensor)) {
      throw new InvalidTensorError(
        `${op}: tensor ${formatShape(t.shape)} was made by another gpujs backend, not this one`,
      );
    }
    return payload;
  }

  private checkOpen(op: string): void {
    if (this.closed) throw new GpujsClosedError(op);
  }
}

/** Column `c` of the row-major `[m, cols]` array `rows`, as a new array of `m` values. */
function column(rows: Float32Array, c: number, m: number): Float32Array {
  const cols = rows.length / m;
  const out = new Float32Array(m);
  for (let i = 0; i < m; i++) out[i] = rows[i * cols + c]!;
  return out;
}
