import {
  backend as activeEngine,
  add,
  argMax,
  cast,
  concat,
  div,
  equal,
  exp,
  getBackend,
  log,
  max,
  mul,
  neg,
  reshape,
  softmax,
  sub,
  sum,
  type Tensor2D,
  tensor2d,
  tidy,
} from "@tensorflow/tfjs-core";
import {
  type Axis,
  type Backend,
  type BackendCaps,
  broadcastOf,
  checkLinearSoftmaxCrossEntropy,
  checkSameShape,
  checkShape,
  concatShape,
  exactByteDivisor,
  formatShape,
  InvalidTensorError,
  type LinearSoftmaxCrossEntropy,
  type LinearSoftmaxLoss,
  type LinearSoftmaxSgd,
  type LossAndGrad,
  type MatmulOptions,
  matmulDims,
  type Operand,
  reducedShape,
  type Shape,
  scaleBytesInto,
  type Tensor,
  TensorplugError,
} from "@tensorplug/core";
import { claimEngine } from "./engine-claim.js";
import { type EngineTraits, traitsOf } from "./engine-traits.js";
import { type EngineOptions, startEngine } from "./engines.js";
import { linearScore, linearSgd, linearStep, lossAndGrad, type Product, productFor } from "./fused.js";
import { TFJS, type TfjsBackendName } from "./names.js";
import { TfjsTensor } from "./tfjs-tensor.js";

/**
 * tensorplug on TensorFlow.js: every op is one tfjs op (or a few inside `tf.tidy`, which frees the
 * intermediates), on whichever tfjs backend `mode` names. Start it with `createTfjsBackend`.
 *
 * tfjs has one engine per process, so every open `TfjsBackend` runs on the same tfjs backend;
 * `close()` disposes every tensor the instance made and lets another tfjs backend be started.
 */
export class TfjsBackend implements Backend {
  readonly name = TFJS;
  /** The tfjs backend that runs, as `tf.getBackend()` reported it after starting. */
  readonly mode: TfjsBackendName;
  readonly caps: BackendCaps;
  /** Present when `caps.syncRead` is: on wasm, cpu and tensorflow, not on webgl. */
  readonly readSync?: (t: Tensor) => Float32Array;

  private readonly traits: EngineTraits;
  private readonly product: Product;
  /** The handles this instance made and has not disposed: `live()`, and what `close()` frees. */
  private readonly owned = new Set<TfjsTensor>();
  private release: (() => void) | null;
  /** Host floats reused by `uploadBytes` on engines that copy what they are given. */
  private staging = new Float32Array(0);

  private constructor(mode: TfjsBackendName, precision: 16 | 32, release: () => void) {
    this.mode = mode;
    this.traits = traitsOf(mode);
    this.product = productFor(this.traits.matmul);
    this.release = release;
    this.caps = {
      precision,
      syncRead: this.traits.syncRead,
      fused: new Set([
        "softmax",
        "logSoftmax",
        "softmaxCrossEntropy",
        "uploadBytes",
        "linearSoftmaxCrossEntropy",
        "linearSoftmaxLoss",
        "linearSoftmaxSgd",
      ]),
    };
    if (this.traits.syncRead) this.readSync = (t) => this.readNow(t);
  }

  /**
   * Claims the process's tfjs engine for `mode`, starts that tfjs backend, and returns a backend
   * on it. Throws `BackendUnavailableError` (with the reason and the fix) when it cannot start.
   */
  static async start(mode: TfjsBackendName, options: EngineOptions = {}): Promise<TfjsBackend> {
    const release = claimEngine(mode);
    try {
      await startEngine(mode, options);
      return new TfjsBackend(mode, activeEngine().floatPrecision(), release);
    } catch (error) {
      release();
      throw error;
    }
  }

  // ---- handles -------------------------------------------------------------------------------

  /** Refuses to run once closed, or when someone switched tfjs to another backend under us. */
  private checkEngine(op: string): void {
    if (this.release === null) throw new TensorplugError("E_CLOSED", `${op}: this tfjs backend was closed`);
    const running = getBackend();
    if (running !== this.mode) {
      throw new TensorplugError(
        "E_TFJS_SWITCHED",
        `${op}: tfjs now runs its "${running}" backend, not "${this.mode}"; tf.setBackend was called while this backend was open`,
      );
    }
  }

  /** The tfjs tensor of a handle this instance made and has not disposed. */
  private tensor(op: string, t: Tensor): Tensor2D {
    if (!(t instanceof TfjsTensor)) {
      throw new InvalidTensorError(
        `${op}: tensor ${formatShape(t.shape)} belongs to backend "${t.backend}", not "${TFJS}"`,
      );
    }
    if (t.value === null) {
      throw new InvalidTensorError(`${op}: tensor ${formatShape(t.shape)} was used after dispose`);
    }
    if (!this.owned.has(t)) {
      throw new InvalidTensorError(
        `${op}: tensor ${formatShape(t.shape)} was made by another tfjs backend, not this one`,
      );
    }
    return t.value;
  }

  private wrap(op: string, value: Tensor2D, shape: Shape): TfjsTensor {
    if (value.rank !== 2 || value.shape[0] !== shape[0] || value.shape[1] !== shape[1]) {
      // A tfjs result that disagrees with core's shape rules is a bug here; say so rather than carry on.
      const got = value.shape.join("x");
      value.dispose();
      throw new Error(`${op}: tfjs returned shape ${got}, expected ${formatShape(shape)}`);
    }
    const t = new TfjsTensor(value, [shape[0], shape[1]]);
    this.owned.add(t);
    return t;
  }

  /** Runs `fn` in a tfjs scope, so every intermediate (including scalars tfjs makes) is freed. */
  private run(op: string, shape: Shape, fn: () => Tensor2D): TfjsTensor {
    this.checkEngine(op);
    return this.wrap(op, tidy(fn), shape);
  }

  upload(data: Float32Array, shape: Shape): Tensor {
    checkShape("upload", shape, data.length);
    this.checkEngine("upload");
    // `slice` copies exactly the view's elements, so a subarray's offset is honoured either way.
    const values = this.traits.copiesOnWrite ? data : data.slice();
    return this.wrap("upload", tensor2d(values, [shape[0], shape[1]], "float32"), shape);
  }

  /**
   * Bytes become floats by the engine's own means where that is exact: a native byte-to-float
   * conversion on the host (`Float32Array.set`) and one division by the scale's exact divisor on
   * the engine, instead of a JavaScript loop over every pixel (0.8 ms of a 256-image batch's 2.7
   * ms on wasm). Scales without an exact divisor, and engines whose division is not IEEE, take
   * core's table on the host.
   */
  uploadBytes(data: Uint8Array, shape: Shape, scale: number): Tensor {
    checkShape("uploadBytes", shape, data.length);
    this.checkEngine("uploadBytes");
    const divisor = this.traits.exactDivide ? exactByteDivisor(scale) : 0;
    const floats = this.hostFloats(data.length);
    const dims: [number, number] = [shape[0], shape[1]];
    if (divisor === 0)
      return this.wrap("uploadBytes", tensor2d(scaleBytesInto(data, scale, floats), dims), shape);
    floats.set(data);
    return this.run("uploadBytes", shape, () => {
      const raw = tensor2d(floats, dims, "float32");
      return divisor === 1 ? raw : div(raw, divisor);
    });
  }

  /** A float buffer of `length` to fill and hand to `tf.tensor`: reused when the engine copies it. */
  private hostFloats(length: number): Float32Array {
    if (!this.traits.copiesOnWrite) return new Float32Array(length);
    if (this.staging.length < length) this.staging = new Float32Array(length);
    return this.staging.length === length ? this.staging : this.staging.subarray(0, length);
  }

  async read(t: Tensor): Promise<Float32Array> {
    const value = this.tensor("read", t);
    this.checkEngine("read");
    return this.toHost(await value.data());
  }

  private readNow(t: Tensor): Float32Array {
    const value = this.tensor("read", t);
    this.checkEngine("read");
    return this.toHost(value.dataSync());
  }

  /**
   * A Float32Array the caller owns. tfjs's cpu engine casts bool and int32 to float32 without
   * converting the storage (its `data()` then returns the Uint8Array or Int32Array as is), and it
   * returns its own buffer rather than a copy; both are fixed here.
   */
  private toHost(data: Float32Array | Int32Array | Uint8Array): Float32Array {
    if (!(data instanceof Float32Array)) return Float32Array.from(data);
    return this.traits.readsCopy ? data : data.slice();
  }

  dispose(t: Tensor): void {
    const value = this.tensor("dispose", t);
    value.dispose();
    (t as TfjsTensor).value = null;
    this.owned.delete(t as TfjsTensor);
  }

  live(): number {
    return this.owned.size;
  }

  // ---- ops -----------------------------------------------------------------------------------

  matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
    const [m, , n] = matmulDims(a.shape, b.shape, opts);
    const x = this.tensor("matmul", a);
    const y = this.tensor("matmul", b);
    const transA = opts.transA ?? false;
    const transB = opts.transB ?? false;
    return this.run("matmul", [m, n], () => this.product(x, y, transA, transB));
  }

  private binary(
    op: string,
    a: Tensor,
    b: Operand,
    f: (x: Tensor2D, y: Tensor2D | number) => Tensor2D,
  ): Tensor {
    broadcastOf(op, a.shape, b);
    const x = this.tensor(op, a);
    const y = typeof b === "number" ? b : this.tensor(op, b);
    return this.run(op, a.shape, () => f(x, y));
  }

  add(a: Tensor, b: Operand): Tensor {
    return this.binary("add", a, b, (x, y) => add(x, y));
  }
  sub(a: Tensor, b: Operand): Tensor {
    return this.binary("sub", a, b, (x, y) => sub(x, y));
  }
  mul(a: Tensor, b: Operand): Tensor {
    return this.binary("mul", a, b, (x, y) => mul(x, y));
  }
  div(a: Tensor, b: Operand): Tensor {
    return this.binary("div", a, b, (x, y) => div(x, y));
  }
  equal(a: Tensor, b: Operand): Tensor {
    // tfjs compares into a bool tensor; the interface is float32 throughout.
    return this.binary("equal", a, b, (x, y) => cast(equal<Tensor2D>(x, y), "float32"));
  }

  exp(x: Tensor): Tensor {
    const v = this.tensor("exp", x);
    return this.run("exp", x.shape, () => exp(v));
  }
  log(x: Tensor): Tensor {
    const v = this.tensor("log", x);
    return this.run("log", x.shape, () => log(v));
  }
  neg(x: Tensor): Tensor {
    const v = this.tensor("neg", x);
    return this.run("neg", x.shape, () => neg(v));
  }

  sum(x: Tensor, axis: Axis): Tensor {
    const shape = reducedShape("sum", x.shape, axis);
    const v = this.tensor("sum", x);
    return this.run("sum", shape, () => sum(v, axis, true));
  }
  max(x: Tensor, axis: Axis): Tensor {
    const shape = reducedShape("max", x.shape, axis);
    const v = this.tensor("max", x);
    return this.run("max", shape, () => max(v, axis, true));
  }
  argmax(x: Tensor): Tensor {
    const v = this.tensor("argmax", x);
    const rows = x.shape[0];
    // tfjs returns int32 indices of rank 1; ties go to the lowest index on every tfjs backend.
    return this.run("argmax", [rows, 1], () => reshape(cast(argMax(v, 1), "float32"), [rows, 1]) as Tensor2D);
  }

  concat(parts: readonly Tensor[], axis: Axis): Tensor {
    const shape = concatShape(
      parts.map((p) => p.shape),
      axis,
    );
    const values = parts.map((p) => this.tensor("concat", p));
    return this.run("concat", shape, () => concat(values, axis));
  }

  axpy(alpha: number, x: Tensor, y: Tensor): Tensor {
    checkSameShape("axpy", x.shape, y.shape);
    const vx = this.tensor("axpy", x);
    const vy = this.tensor("axpy", y);
    return this.run("axpy", y.shape, () => add(vy, mul(vx, alpha)));
  }

  // ---- fused kernels -------------------------------------------------------------------------

  /** tfjs's `Softmax` kernel (XNNPACK on wasm); it subtracts the row maximum first. */
  softmax(logits: Tensor): Tensor {
    const v = this.tensor("softmax", logits);
    return this.run("softmax", logits.shape, () => softmax(v));
  }

  /**
   * `(z - max) - log(sum(exp(z - max)))` per row, from tfjs kernels. Not `tf.logSoftmax`: that one
   * wraps the same kernels in a custom-gradient scope whose bookkeeping costs more than the maths
   * on a 256x10 batch, and nothing here takes gradients through tfjs.
   */
  logSoftmax(logits: Tensor): Tensor {
    const v = this.tensor("logSoftmax", logits);
    return this.run("logSoftmax", logits.shape, () => {
      const shifted = sub(v, max(v, 1, true));
      return sub(shifted, log(sum(exp(shifted), 1, true)));
    });
  }

  /**
   * Loss `-sum(onehot * logSoftmax(z))` per row and gradient `softmax(z) - onehot`, sharing one
   * `exp(z - max)`: ten tfjs kernels in one scope. The loss never takes the log of a probability,
   * so it stays finite where softmax underflows to 0.
   */
  softmaxCrossEntropy(logits: Tensor, onehot: Tensor): LossAndGrad {
    checkSameShape("softmaxCrossEntropy", logits.shape, onehot.shape);
    const z = this.tensor("softmaxCrossEntropy", logits);
    const y = this.tensor("softmaxCrossEntropy", onehot);
    this.checkEngine("softmaxCrossEntropy");
    const out = tidy(() => lossAndGrad(z, y));
    const [m, n] = logits.shape;
    const loss = this.wrap("softmaxCrossEntropy", out.loss, [m, 1]);
    const grad = this.wrap("softmaxCrossEntropy", out.grad, [m, n]);
    return { loss, grad };
  }

  /** The whole step in one tfjs scope (see `linearStep`): about 20 kernels, one boundary crossing. */
  linearSoftmaxCrossEntropy(x: Tensor, W: Tensor, b: Tensor, targets: Tensor): LinearSoftmaxCrossEntropy {
    const op = "linearSoftmaxCrossEntropy";
    const out = tidy(() => linearStep(this.product, ...this.layerInputs(op, x, W, b, targets)));
    const [m, n] = targets.shape;
    return {
      loss: this.wrap(op, out.loss, [m, 1]),
      correct: this.wrap(op, out.correct, [m, 1]),
      gradW: this.wrap(op, out.gradW, W.shape),
      gradB: this.wrap(op, out.gradB, [1, n]),
    };
  }

  /** The forward half of `linearSoftmaxCrossEntropy` in one tfjs scope (see `linearScore`). */
  linearSoftmaxLoss(x: Tensor, W: Tensor, b: Tensor, targets: Tensor): LinearSoftmaxLoss {
    const op = "linearSoftmaxLoss";
    const out = tidy(() => linearScore(this.product, ...this.layerInputs(op, x, W, b, targets)));
    const m = targets.shape[0];
    return { loss: this.wrap(op, out.loss, [m, 1]), correct: this.wrap(op, out.correct, [m, 1]) };
  }

  /** One SGD step in one tfjs scope (see `linearSgd`): the updated weights come out, the gradients do not. */
  linearSoftmaxSgd(x: Tensor, W: Tensor, b: Tensor, targets: Tensor, scale: number): LinearSoftmaxSgd {
    const op = "linearSoftmaxSgd";
    const out = tidy(() => linearSgd(this.product, ...this.layerInputs(op, x, W, b, targets), scale));
    const [m, n] = targets.shape;
    return {
      loss: this.wrap(op, out.loss, [m, 1]),
      correct: this.wrap(op, out.correct, [m, 1]),
      W: this.wrap(op, out.W, W.shape),
      b: this.wrap(op, out.b, [1, n]),
    };
  }

  /** The tfjs tensors of a dense layer's operands, after core's shape checks and the engine's. */
  private layerInputs(
    op: string,
    x: Tensor,
    W: Tensor,
    b: Tensor,
    targets: Tensor,
  ): [Tensor2D, Tensor2D, Tensor2D, Tensor2D] {
    checkLinearSoftmaxCrossEntropy(x.shape, W.shape, b.shape, targets.shape);
    const inputs: [Tensor2D, Tensor2D, Tensor2D, Tensor2D] = [
      this.tensor(op, x),
      this.tensor(op, W),
      this.tensor(op, b),
      this.tensor(op, targets),
    ];
    this.checkEngine(op);
    return inputs;
  }

  /**
   * Disposes every tensor this instance made and lets another tfjs backend start. The tfjs engine
   * itself stays initialised (it belongs to the process), so starting again is quick. Idempotent.
   */
  close(): void {
    if (this.release === null) return;
    for (const t of this.owned) {
      t.value?.dispose();
      t.value = null;
    }
    this.owned.clear();
    this.release();
    this.release = null;
  }
}
