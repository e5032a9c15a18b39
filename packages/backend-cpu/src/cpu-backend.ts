import {
  type Axis,
  type Backend,
  type BackendCaps,
  broadcastOf,
  checkLinearSoftmaxCrossEntropy,
  checkRows,
  checkSameShape,
  checkShape,
  concatShape,
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
  type Tensor,
} from "@tensorplug/core";
import { CPU, CpuTensor, dataOf, inputOf } from "./cpu-tensor.js";
import { type Input, isRows, type Layer } from "./kernel-operands.js";
import * as k from "./kernels.js";
import { relaxedSimd } from "./relaxed-simd.js";
import { type WasmKernels, wasmKernels } from "./wasm-kernels.js";

/** The largest bytes a disposed handle leaves for the next upload: a few batches of images. */
const MAX_SPARE_BYTES = 1 << 20;
/** The fewest floats a disposed handle leaves for the next weights of an SGD step. */
const MIN_SPARE_FLOATS = 1024;

/** Options of a CPU backend. */
export interface CpuBackendOptions {
  /**
   * Threads for the WebAssembly kernels: 2 runs half of every large product on a worker thread.
   * Results are the same either way. Default: 2 where the machine has two or more cores.
   */
  readonly threads?: 1 | 2;
  /**
   * Fused multiply-adds in the kernels' products and gradient (WebAssembly relaxed SIMD): training
   * takes about 8 % less time. Each multiply-add is rounded once instead of twice, so the last bits
   * of results depend on the machine (where the processor has no fused instruction, the runtime
   * rounds twice). `false` runs the kernels that give the same bits everywhere. Default: true
   * where the runtime compiles relaxed SIMD (`relaxedSimd()`; on Node 20, see `enableRelaxedSimd`).
   */
  readonly fusedMultiplyAdd?: boolean;
}

interface NodeOs {
  availableParallelism?(): number;
}

/** 2 where the runtime says there are two or more cores, else 1. */
function defaultThreads(): 1 | 2 {
  const proc = (globalThis as { process?: { getBuiltinModule?(name: string): unknown } }).process;
  const os = proc?.getBuiltinModule?.("node:os") as NodeOs | undefined;
  const cores =
    os?.availableParallelism?.() ??
    (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ??
    1;
  return cores >= 2 ? 2 : 1;
}

/**
 * The host backend: element-wise ops, reductions and transposed products as plain loops over
 * Float32Array; the products that carry a training run (`x · W`, and the fused dense layer with
 * softmax cross-entropy) as WebAssembly SIMD kernels that read images as bytes.
 */
export class CpuBackend implements Backend {
  readonly name = CPU;
  readonly mode = CPU;
  readonly caps: BackendCaps = {
    precision: 32,
    syncRead: true,
    fused: new Set([
      "softmaxCrossEntropy",
      "uploadBytes",
      "linearSoftmaxCrossEntropy",
      "linearSoftmaxLoss",
      "linearSoftmaxSgd",
    ]),
    // A scoring call pays for its operands' layout and a wake of the worker thread whatever its
    // size: the test set in one call instead of forty took 40-49 instead of 54-61 µs a training step.
    scoreRows: 16_384,
  };
  private liveCount = 0;
  private readonly threadsWanted: 1 | 2;
  private readonly fusedWanted: boolean;
  private kernelsOnce: WasmKernels | undefined;
  /**
   * The handles this instance made. Every CpuTensor passes `instanceof`, so without this a handle of
   * another CpuBackend would be accepted, and disposing it would corrupt both instances' live counts.
   */
  private readonly owned = new WeakSet<CpuTensor>();
  /**
   * The bytes of the last byte handle disposed, for the next upload of as many: training uploads a
   * batch of the same size and disposes it at every step, and a fresh copy each time cost an
   * allocation of 200 kB and the garbage collections it brought. Only batch-sized bytes are kept
   * (at most `MAX_SPARE_BYTES`): disposing a large upload gives its memory back.
   */
  private spareBytes: Uint8Array | undefined;
  /**
   * The floats of the last large float handle disposed, for the next weights `linearSoftmaxSgd`
   * makes: training disposes the old weights at every step, and a fresh 31 kB array a step came
   * with its allocation and the garbage collections it brought.
   */
  private spareFloats: Float32Array | undefined;
  /** What `allocateBytes` handed out, given back by `close`. */
  private readonly residentBytes: Uint8Array[] = [];

  constructor(options: CpuBackendOptions = {}) {
    this.threadsWanted = options.threads ?? defaultThreads();
    this.fusedWanted = options.fusedMultiplyAdd ?? true;
  }

  /** Threads the WebAssembly kernels run on: 2 when a worker thread started, else 1. */
  get threads(): number {
    return this.kernels().threads;
  }

  /** Whether the kernels fuse their multiply-adds: asked for (the default) and the runtime can. */
  get fusedMultiplyAdd(): boolean {
    return this.kernels().fused;
  }

  /**
   * Compiles the WebAssembly kernels and starts the worker thread now instead of at the first
   * product, without waiting for the worker: it takes tens of milliseconds to come up, and calls
   * made before then run on the calling thread alone, with the same results. The registry's
   * factory calls it.
   */
  startKernels(): void {
    this.kernels();
  }

  /**
   * Resolves with the threads the kernels run on once the worker is up: 2, or 1 when it could not
   * start (or `threads` is 1). Nothing needs to wait for it; a benchmark of two threads may.
   */
  threadsReady(): Promise<number> {
    return this.kernels().threadsReady();
  }

  /** The WebAssembly kernels, started on first use (a worker thread takes tens of milliseconds). */
  private kernels(): WasmKernels {
    this.kernelsOnce ??= wasmKernels(this.threadsWanted, this.fusedWanted && relaxedSimd());
    return this.kernelsOnce;
  }

  private make(data: Input, shape: Shape): CpuTensor {
    this.liveCount++;
    const t = new CpuTensor(data, shape);
    this.owned.add(t);
    return t;
  }

  /** The live data of a handle this instance made, as floats, or an `InvalidTensorError` naming the op. */
  private data(op: string, t: Tensor): Float32Array {
    this.checkOwned(op, t);
    return dataOf(op, t);
  }

  /** Like `data`, but bytes stay bytes: for the WebAssembly kernels, which scale as they read. */
  private input(op: string, t: Tensor): Input {
    this.checkOwned(op, t);
    return inputOf(op, t);
  }

  private checkOwned(op: string, t: Tensor): void {
    // Weights an SGD step is still writing (on the worker thread) are finished before any use.
    const data = inputOf(op, t);
    this.kernelsOnce?.settleFor(data);
    if (!this.owned.has(t as CpuTensor)) {
      throw new InvalidTensorError(
        `${op}: tensor ${formatShape(t.shape)} was made by another cpu backend, not this one`,
      );
    }
  }

  upload(data: Float32Array, shape: Shape): Tensor {
    checkShape("upload", shape, data.length);
    return this.make(data.slice(), [shape[0], shape[1]]);
  }

  /**
   * Bytes in the kernels' memory, which `uploadBytes` then takes as they are (no copy) and the
   * kernels read in place: for a data set, loaded once and trained on for many epochs. Valid until
   * `close`. A plain array where the memory cannot be shared (no `SharedArrayBuffer`).
   */
  allocateBytes(length: number): Uint8Array {
    const resident = this.kernels().allocateResident(length);
    if (resident === undefined) return new Uint8Array(length);
    this.residentBytes.push(resident);
    return resident;
  }

  /**
   * Gives back the bytes `allocateBytes` handed out (the kernels and their worker serve the whole
   * process, and stay). The bytes, and tensors made of them, must not be used afterwards: the next
   * call may lay its operands over them.
   */
  close(): void {
    for (const bytes of this.residentBytes) this.kernelsOnce?.releaseResident(bytes);
    this.residentBytes.length = 0;
  }

  uploadBytes(data: Uint8Array, shape: Shape, scale: number): Tensor {
    checkShape("uploadBytes", shape, data.length);
    if (this.kernels().isResident(data)) return this.make({ bytes: data, scale, resident: true }, shape);
    let bytes = this.spareBytes;
    this.spareBytes = undefined;
    if (bytes?.length === data.length) bytes.set(data);
    else bytes = data.slice();
    return this.make({ bytes, scale }, [shape[0], shape[1]]);
  }

  async read(t: Tensor): Promise<Float32Array> {
    return this.readSync(t);
  }

  readSync(t: Tensor): Float32Array {
    return Float32Array.from(this.data("read", t));
  }

  dispose(t: Tensor): void {
    this.checkOwned("dispose", t);
    const data = (t as CpuTensor).data;
    // Floats are always this backend's own (uploads are copied); of bytes, only a copy is: resident
    // bytes and rows picked from them belong to the data set.
    if (data instanceof Float32Array) {
      if (data.length >= MIN_SPARE_FLOATS) this.spareFloats = data;
    } else if (data !== null && !isRows(data) && !data.resident) {
      if (data.bytes.length <= MAX_SPARE_BYTES) this.spareBytes = data.bytes;
    }
    (t as CpuTensor).data = null;
    this.liveCount--;
  }

  live(): number {
    return this.liveCount;
  }

  /**
   * Rows of `x`. Rows of bytes are not copied here: a kernel reads them out of `x`'s bytes (in place
   * when those are resident, see `allocateBytes`), and any other op scales them on first use.
   */
  gatherRows(x: Tensor, rows: Uint32Array): Tensor {
    const data = this.input("gatherRows", x);
    const [count, width] = x.shape;
    checkRows("gatherRows", count, rows);
    const shape: Shape = [rows.length, width];
    if (data instanceof Float32Array) {
      const out = new Float32Array(rows.length * width);
      for (let i = 0; i < rows.length; i++) {
        out.set(data.subarray(rows[i]! * width, (rows[i]! + 1) * width), i * width);
      }
      return this.make(out, shape);
    }
    // Rows of rows are rows of the same bytes.
    if (isRows(data)) return this.make({ ...data, rows: rows.map((r) => data.rows[r]!) }, shape);
    return this.make({ source: data, width, rows: rows.slice() }, shape);
  }

  matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
    const [m, inner, n] = matmulDims(a.shape, b.shape, opts);
    const transA = opts.transA ?? false;
    const transB = opts.transB ?? false;
    if (!transA && !transB) {
      const out = this.kernels().matmul(this.input("matmul", a), this.data("matmul", b), m, inner, n);
      return this.make(out, [m, n]);
    }
    const out = k.matmul(this.data("matmul", a), this.data("matmul", b), m, inner, n, transA, transB);
    return this.make(out, [m, n]);
  }

  private binary(op: string, a: Tensor, b: Operand, f: (x: number, y: number) => number): Tensor {
    const kind = broadcastOf(op, a.shape, b);
    const right = typeof b === "number" ? b : this.data(op, b);
    return this.make(k.binary(this.data(op, a), right, a.shape[0], a.shape[1], kind, f), a.shape);
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

  exp(x: Tensor): Tensor {
    return this.make(k.unary(this.data("exp", x), Math.exp), x.shape);
  }
  log(x: Tensor): Tensor {
    return this.make(k.unary(this.data("log", x), Math.log), x.shape);
  }
  neg(x: Tensor): Tensor {
    return this.make(
      k.unary(this.data("neg", x), (v) => -v),
      x.shape,
    );
  }

  sum(x: Tensor, axis: Axis): Tensor {
    const shape = reducedShape("sum", x.shape, axis);
    return this.make(k.reduce(this.data("sum", x), x.shape[0], x.shape[1], axis, "sum"), shape);
  }
  max(x: Tensor, axis: Axis): Tensor {
    const shape = reducedShape("max", x.shape, axis);
    return this.make(k.reduce(this.data("max", x), x.shape[0], x.shape[1], axis, "max"), shape);
  }
  argmax(x: Tensor): Tensor {
    return this.make(k.argmax(this.data("argmax", x), x.shape[0], x.shape[1]), [x.shape[0], 1]);
  }

  concat(parts: readonly Tensor[], axis: Axis): Tensor {
    const shape = concatShape(
      parts.map((p) => p.shape),
      axis,
    );
    const blocks = parts.map((p) => ({ data: this.data("concat", p), rows: p.shape[0], cols: p.shape[1] }));
    return this.make(k.concat(blocks, axis), shape);
  }

  axpy(alpha: number, x: Tensor, y: Tensor): Tensor {
    checkSameShape("axpy", x.shape, y.shape);
    return this.make(k.axpy(alpha, this.data("axpy", x), this.data("axpy", y)), y.shape);
  }

  softmaxCrossEntropy(logits: Tensor, onehot: Tensor): LossAndGrad {
    checkSameShape("softmaxCrossEntropy", logits.shape, onehot.shape);
    const [m, n] = logits.shape;
    const { loss, grad } = k.softmaxCrossEntropy(
      this.data("softmaxCrossEntropy", logits),
      this.data("softmaxCrossEntropy", onehot),
      m,
      n,
    );
    return { loss: this.make(loss, [m, 1]), grad: this.make(grad, [m, n]) };
  }

  linearSoftmaxCrossEntropy(x: Tensor, W: Tensor, b: Tensor, targets: Tensor): LinearSoftmaxCrossEntropy {
    const layer = this.layer("linearSoftmaxCrossEntropy", x, W, b, targets);
    const { m, k, n } = layer;
    const out = this.kernels().linearSoftmaxCrossEntropy(layer);
    return {
      loss: this.make(out.loss, [m, 1]),
      correct: this.make(out.correct, [m, 1]),
      gradW: this.make(out.gradW, [k, n]),
      gradB: this.make(out.gradB, [1, n]),
    };
  }

  /** The forward half of `linearSoftmaxCrossEntropy` (the same kernel, told to skip the gradients). */
  linearSoftmaxLoss(x: Tensor, W: Tensor, b: Tensor, targets: Tensor): LinearSoftmaxLoss {
    const layer = this.layer("linearSoftmaxLoss", x, W, b, targets);
    const out = this.kernels().linearSoftmaxLoss(layer);
    return { loss: this.make(out.loss, [layer.m, 1]), correct: this.make(out.correct, [layer.m, 1]) };
  }

  /** One SGD step of the layer: the kernel writes the new weights, the gradients stay inside it. */
  linearSoftmaxSgd(x: Tensor, W: Tensor, b: Tensor, targets: Tensor, scale: number): LinearSoftmaxSgd {
    const layer = this.layer("linearSoftmaxSgd", x, W, b, targets);
    const { m, k, n } = layer;
    const spare = this.spareFloats;
    this.spareFloats = undefined;
    const out = this.kernels().linearSoftmaxSgd(layer, scale, spare?.length === k * n ? spare : undefined);
    return {
      loss: this.make(out.loss, [m, 1]),
      correct: this.make(out.correct, [m, 1]),
      W: this.make(out.W, [k, n]),
      b: this.make(out.b, [1, n]),
    };
  }

  /** The operands of a dense layer op, after core's shape checks and this instance's handle checks. */
  private layer(op: string, x: Tensor, W: Tensor, b: Tensor, targets: Tensor): Layer {
    checkLinearSoftmaxCrossEntropy(x.shape, W.shape, b.shape, targets.shape);
    return {
      x: this.input(op, x),
      w: this.data(op, W),
      b: this.data(op, b),
      targets: this.data(op, targets),
      m: x.shape[0],
      k: x.shape[1],
      n: W.shape[1],
    };
  }
}
