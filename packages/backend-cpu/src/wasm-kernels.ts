import { KERNELS_WASM, KERNELS_WASM_SHARED, MAX_PAGES } from "./generated/kernels-wasm.js";
import { type ChunkPlan, CONTROL_BYTES, KernelThread, MAX_CHUNKS, runChunksHere } from "./kernel-thread.js";

/** Bytes that stand for `byte * scale`, as `uploadBytes` stores them. */
export interface ByteData {
  /** The bytes, row-major, a copy the backend owns. */
  readonly bytes: Uint8Array;
  /** The value of one step of a byte: 1/255 for pixels scaled to [0, 1]. */
  readonly scale: number;
}

/** A left operand of a kernel: floats, or bytes with their scale. */
export type Input = Float32Array | ByteData;

/** The operands of the dense layer with softmax cross-entropy: `x` `[m,k]`, `w` `[k,n]`, `b` `[1,n]`, `targets` `[m,n]`. */
export interface Layer {
  readonly x: Input;
  readonly w: Float32Array;
  readonly b: Float32Array;
  readonly targets: Float32Array;
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/** What `linearSoftmaxCrossEntropy` returns, unpadded. */
export interface LinearStep {
  readonly loss: Float32Array;
  readonly correct: Float32Array;
  readonly gradW: Float32Array;
  readonly gradB: Float32Array;
}

interface KernelExports {
  heapBase(): number;
  matmul(...args: number[]): void;
  linearSoftmaxCrossEntropy(...args: number[]): void;
  sumSlots(at: number, slots: number, stride: number, count: number): void;
  allFinite(at: number, count: number): number;
  pad(src: number, rows: number, n: number, dst: number, ns: number): void;
  unpad(src: number, rows: number, ns: number, n: number, dst: number): void;
  stepWeights(
    w: number,
    gw: number,
    slots: number,
    stride: number,
    k: number,
    ns: number,
    n: number,
    scale: number,
    out: number,
  ): void;
}

/** The exports a worker may be asked to run. */
const THREADED = ["matmul", "linearSoftmaxCrossEntropy"] as const;

const PAGE = 65536;
const FLOAT = 4;
/** Pages the memory starts with: room for a batch of 256 images without growing. */
const INITIAL_PAGES = 64;
/**
 * Below this many input values a call runs on the calling thread alone: waking the worker costs
 * tens of microseconds. Results do not depend on it: see `chunkPlan`.
 */
const MIN_VALUES_FOR_HELP = 32_768;
/** Rows per chunk to aim for: a few tens of microseconds of work, so the two threads end close together. */
const CHUNK_ROWS = 32;
/** Bytes of per-chunk partial gradients a call may lay out. */
const MAX_PARTIAL_BYTES = 4 << 20;

/**
 * How a call over `m` rows is cut into chunks, from `m` alone (and a cap on the chunks), so that
 * one thread or two compute the same chunks and add their parts in the same order: the number of
 * threads never changes a result.
 */
function chunkPlan(
  m: number,
  maxChunks: number,
  fromArg: number,
  toArg: number,
  slots: ChunkPlan["slots"] = [],
): ChunkPlan {
  const wanted = Math.max(1, Math.min(maxChunks, MAX_CHUNKS, Math.ceil(m / CHUNK_ROWS)));
  const chunkRows = Math.max(1, Math.ceil(m / wanted));
  return { rows: m, chunks: Math.max(1, Math.ceil(m / chunkRows)), chunkRows, fromArg, toArg, slots };
}

/** Floats per padded row: whole 128-bit vectors, and at least 12 so narrow outputs take the fast path. */
function paddedStride(n: number): number {
  return n <= 12 ? 12 : Math.ceil(n / 4) * 4;
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The WebAssembly SIMD kernels (assembly/kernels.ts) and the copying in and out of their linear
 * memory. Every call lays its operands out from the start of the arena again: calls are
 * synchronous, so they never overlap, and the memory only grows to the largest call seen. Each
 * call runs as chunks of rows, which a worker thread helps with when there are two threads.
 */
export class WasmKernels {
  private readonly exports: KernelExports;
  private readonly memory: WebAssembly.Memory;
  private readonly module: WebAssembly.Module;
  private thread: KernelThread | undefined;
  /** The memory grew since the worker started: its instance may not have seen the new size yet. */
  private grownUnderWorker = false;
  private readonly base: number;
  private readonly controlAt: number;
  private controlView: Int32Array;
  private top = 0;
  private lutScale = Number.NaN;
  private readonly lut = new Float32Array(256);

  constructor(threads: 1 | 2) {
    const shared = threads === 2 && typeof SharedArrayBuffer !== "undefined";
    const module = new WebAssembly.Module(decodeBase64(shared ? KERNELS_WASM_SHARED : KERNELS_WASM));
    this.memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.exports = instance.exports as unknown as KernelExports;
    const control = Math.ceil(this.exports.heapBase() / 16) * 16;
    this.base = control + CONTROL_BYTES;
    this.controlAt = control;
    this.controlView = new Int32Array(this.memory.buffer, control, CONTROL_BYTES / 4);
    this.module = module;
    this.thread = shared ? KernelThread.start(module, this.memory, control, THREADED) : undefined;
  }

  /** Threads the kernels run on: 2 with a worker (up, or still starting), else 1. */
  get threads(): number {
    return this.thread === undefined ? 1 : 2;
  }

  /**
   * Resolves with the threads the kernels run on once the worker is up, or 1 when it failed or
   * did not come up (the kernels then run on the calling thread alone).
   */
  async threadsReady(): Promise<number> {
    const thread = this.currentThread();
    if (thread === undefined) return 1;
    if (await thread.whenReady()) return 2;
    if (this.thread === thread) {
      thread.stop();
      this.thread = undefined;
    }
    return 1;
  }

  /** `a · w` for `a` `[m,k]` and floats `w` `[k,n]`, computed over `a`'s nonzero entries. */
  matmul(a: Input, w: Float32Array, m: number, k: number, n: number): Float32Array {
    const ns = paddedStride(n);
    this.top = this.base;
    const x = this.placeInput(a, m * k);
    const lut = this.placeLut(a);
    const { at: wp, finite } = this.placePadded(w, k, n, ns);
    const zero = this.alloc(ns * FLOAT);
    const c = this.alloc(m * ns * FLOAT);
    this.heapF32(zero, ns).fill(0);
    // Each thread gathers its rows into lists of its own.
    const args = () => [
      x,
      isBytes(a) ? 1 : 0,
      lut,
      0,
      0,
      k,
      wp,
      ns,
      finite ? 1 : 0,
      zero,
      c,
      ...this.lists(k),
    ];
    this.runChunks("matmul", chunkPlan(m, MAX_CHUNKS, 3, 4), args(), args(), m * k);
    return this.unpad(c, m, n, ns);
  }

  /** Dense layer, softmax and cross-entropy with its gradients, in one pass over `x`. */
  linearSoftmaxCrossEntropy(layer: Layer): LinearStep {
    const { k, n } = layer;
    const { loss, correct, gw, gb, slots } = this.runLayer(layer, true);
    const ns = paddedStride(n);
    this.exports.sumSlots(gw, slots, k * ns * FLOAT, k * ns);
    return { loss, correct, gradW: this.unpad(gw, k, n, ns), gradB: this.unpad(gb, 1, n, ns) };
  }

  /**
   * The same layer and one SGD step: each row's loss and correct flag, and the weights after the
   * step, `w + scale · gradW` and `b + scale · gradB`, rounded as `axpy` rounds: the gradients are
   * applied where the kernel summed them, not copied out first.
   */
  linearSoftmaxSgd(
    layer: Layer,
    scale: number,
  ): { loss: Float32Array; correct: Float32Array; W: Float32Array; b: Float32Array } {
    const { b, k, n } = layer;
    const ns = paddedStride(n);
    const { loss, correct, gw, gb, wp, slots } = this.runLayer(layer, true);
    const stepped = this.alloc((k * n + ns) * FLOAT);
    this.exports.stepWeights(wp, gw, slots, k * ns * FLOAT, k, ns, n, scale, stepped);
    const gradB = this.heapF32(gb, n);
    const newB = new Float32Array(n);
    for (let j = 0; j < n; j++) newB[j] = b[j]! + scale * gradB[j]!;
    return { loss, correct, W: this.heapF32(stepped, k * n).slice(), b: newB };
  }

  /** The loss and correct flag of each row of the same layer: its forward half, without gradients. */
  linearSoftmaxLoss(layer: Layer): { loss: Float32Array; correct: Float32Array } {
    const { loss, correct } = this.runLayer(layer, false);
    return { loss, correct };
  }

  /**
   * The fused layer kernel over every row. With `gradients`, each chunk sums its rows' gradients
   * into `slots` slots of its own (`gw`, `gb`, padded, one after another), the bias's added in
   * chunk order into the first slot after, the weights' left for the caller to add (or to add and
   * step in one pass); without, there are no slots (the kernel leaves `gw` and `gb` alone) and
   * they are 0. `wp` is where the padded weights were laid out.
   */
  private runLayer(
    { x, w, b, targets, m, k, n }: Layer,
    gradients: boolean,
  ): { loss: Float32Array; correct: Float32Array; gw: number; gb: number; wp: number; slots: number } {
    const ns = paddedStride(n);
    this.top = this.base;
    const xp = this.placeInput(x, m * k);
    const lut = this.placeLut(x);
    const { at: wp, finite } = this.placePadded(w, k, n, ns);
    const { at: bp } = this.placePadded(b, 1, n, ns);
    const tp = this.place(targets);
    const loss = this.alloc(m * FLOAT);
    const correct = this.alloc(m * FLOAT);
    const gwBytes = k * ns * FLOAT;
    const gbBytes = ns * FLOAT;
    const plan = gradients
      ? chunkPlan(m, Math.floor(MAX_PARTIAL_BYTES / gwBytes), 3, 4, [
          { arg: 14, stride: gwBytes },
          { arg: 15, stride: gbBytes },
        ])
      : chunkPlan(m, MAX_CHUNKS, 3, 4);
    const gw = gradients ? this.alloc(plan.chunks * gwBytes) : 0;
    const gb = gradients ? this.alloc(plan.chunks * gbBytes) : 0;
    const shared = [
      xp,
      isBytes(x) ? 1 : 0,
      lut,
      0,
      0,
      k,
      wp,
      bp,
      ns,
      n,
      tp,
      finite ? 1 : 0,
      loss,
      correct,
      gw,
      gb,
    ];
    const args = () => [
      ...shared,
      ...this.lists(k),
      this.alloc(gbBytes),
      this.alloc(gbBytes),
      gradients ? 1 : 0,
    ];
    this.runChunks("linearSoftmaxCrossEntropy", plan, args(), args(), m * k);
    if (gradients) this.exports.sumSlots(gb, plan.chunks, gbBytes, ns);
    return {
      loss: this.heapF32(loss, m).slice(),
      correct: this.heapF32(correct, m).slice(),
      gw,
      gb,
      wp,
      slots: plan.chunks,
    };
  }

  /** Stops the worker thread, if there is one. The kernels still run, on the calling thread. */
  close(): void {
    this.thread?.stop();
    this.thread = undefined;
  }

  /**
   * A worker whose instance has certainly seen the memory's current size. Another thread's
   * instance learns that a shared memory grew only at its next interrupt check, which a worker
   * woken from Atomics.wait may not pass before it runs a kernel, and then a read past the old
   * size traps. So after the memory grows the worker is replaced by one instantiated on the grown
   * memory (tens of milliseconds, and only when a call needs more memory than any before it).
   */
  private currentThread(): KernelThread | undefined {
    if (this.thread?.failed()) {
      this.thread.stop();
      this.thread = undefined;
    }
    if (this.thread !== undefined && this.grownUnderWorker) {
      // A worker that did not answer might still wake on this control block: go on with one thread.
      const stopped = this.thread.stop();
      this.thread = stopped
        ? KernelThread.start(this.module, this.memory, this.controlAt, THREADED)
        : undefined;
      this.grownUnderWorker = false;
    }
    return this.thread;
  }

  /**
   * Runs `name` over the chunks of `plan`: with a worker, both threads take chunks (the worker with
   * `workerArgs`, which point at its own scratch lists) when the call is large enough to pay for
   * waking it; without one, every chunk here.
   */
  private runChunks(
    name: (typeof THREADED)[number],
    plan: ChunkPlan,
    args: number[],
    workerArgs: number[],
    values: number,
  ): void {
    const run = this.exports[name];
    const thread = this.currentThread();
    // A worker still starting takes no chunks yet: its instance may not exist, and waiting for
    // it would cost the call more than its help.
    if (thread === undefined || !thread.ready()) runChunksHere(this.control(), plan, args, run);
    else thread.run(name, plan, args, workerArgs, run, values >= MIN_VALUES_FOR_HELP);
  }

  /** The control block, seen afresh when growing the memory replaced its buffer. */
  private control(): Int32Array {
    if (this.controlView.buffer !== this.memory.buffer) {
      this.controlView = new Int32Array(this.memory.buffer, this.controlAt, CONTROL_BYTES / 4);
    }
    return this.controlView;
  }

  /** A thread's scratch: the column and value lists a row is gathered into (`k` of each). */
  private lists(k: number): [number, number] {
    return [this.alloc(k * FLOAT), this.alloc(k * FLOAT)];
  }

  /** Reserves `bytes` (16-byte aligned) in the arena, growing the memory when needed. */
  private alloc(bytes: number): number {
    const at = this.top;
    this.top = Math.ceil((at + bytes) / 16) * 16;
    const missing = this.top - this.memory.buffer.byteLength;
    if (missing > 0) {
      this.memory.grow(Math.ceil(missing / PAGE));
      this.grownUnderWorker = this.thread !== undefined;
    }
    return at;
  }

  private heapF32(at: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, length);
  }

  private place(values: Float32Array): number {
    const at = this.alloc(values.length * FLOAT);
    this.heapF32(at, values.length).set(values);
    return at;
  }

  private placeInput(input: Input, length: number): number {
    if (!isBytes(input)) return this.place(input.subarray(0, length));
    const at = this.alloc(length);
    new Uint8Array(this.memory.buffer, at, length).set(input.bytes.subarray(0, length));
    return at;
  }

  /** The table from byte to value, `Math.fround(byte * scale)`, as the composite path rounds it. */
  private placeLut(input: Input): number {
    if (!isBytes(input)) return 0;
    if (input.scale !== this.lutScale) {
      for (let v = 0; v < 256; v++) this.lut[v] = v * input.scale;
      this.lutScale = input.scale;
    }
    return this.place(this.lut);
  }

  /** `rows x n` floats laid out with rows of stride `ns`, zero-padded; and whether all are finite. */
  private placePadded(
    values: Float32Array,
    rows: number,
    n: number,
    ns: number,
  ): { at: number; finite: boolean } {
    const at = this.alloc(rows * ns * FLOAT);
    const packed = this.place(values.subarray(0, rows * n));
    const finite = this.exports.allFinite(packed, rows * n) !== 0;
    this.exports.pad(packed, rows, n, at, ns);
    return { at, finite };
  }

  /** A fresh `rows x n` copy of a padded result. */
  private unpad(at: number, rows: number, n: number, ns: number): Float32Array {
    if (n === ns) return this.heapF32(at, rows * n).slice();
    const packed = this.alloc(rows * n * FLOAT);
    this.exports.unpad(at, rows, ns, n, packed);
    return this.heapF32(packed, rows * n).slice();
  }
}

export function isBytes(input: Input): input is ByteData {
  return !(input instanceof Float32Array);
}

const instances = new Map<number, WasmKernels>();

/**
 * The process's kernels for a thread count, made on first use: calls are synchronous and never
 * overlap, so one memory (and one worker) serves every backend that asks for the same count.
 */
export function wasmKernels(threads: 1 | 2): WasmKernels {
  let kernels = instances.get(threads);
  if (kernels === undefined) {
    kernels = new WasmKernels(threads);
    instances.set(threads, kernels);
  }
  return kernels;
}
