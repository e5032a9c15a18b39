import { chunkPlan, wholeCallPlan } from "./chunk-plan.js";
import { type ChunkPlan, CONTROL_BYTES, MAX_CHUNKS, PAGE_BYTES, runChunksHere } from "./control-block.js";
import { MAX_PAGES } from "./generated/kernels-wasm.js";
import { type KernelExports, kernelModule, THREADED } from "./kernel-module.js";
import { type Input, isBytes, isRows, type Layer, type LinearStep } from "./kernel-operands.js";
import { type Fold, KernelThread } from "./kernel-thread.js";

/**
 * Weights a step left laid out (rows padded to whole vectors) at the start of the arena, known by
 * their host array: the backend writes a float array only when it makes it, so the same array
 * holds the same values. `finite`: every weight is (the kernels skip zero inputs only then).
 */
interface KeptWeights {
  readonly w: Float32Array;
  readonly rows: number;
  readonly n: number;
  readonly finite: boolean;
}

const FLOAT = 4;
/** Pages the memory starts with: room for a batch of 256 images without growing. */
const INITIAL_PAGES = 64;
/**
 * Below this many input values a call runs on the calling thread alone: waking the worker costs
 * tens of microseconds. Results do not depend on it: see `chunkPlan`.
 */
const MIN_VALUES_FOR_HELP = 32_768;
/** Bytes of per-chunk partial gradients a call may lay out. */
const MAX_PARTIAL_BYTES = 4 << 20;

/** Floats per padded row: whole 128-bit vectors, and at least 12 so narrow outputs take the fast path. */
function paddedStride(n: number): number {
  return n <= 12 ? 12 : Math.ceil(n / 4) * 4;
}

/**
 * The WebAssembly SIMD kernels (assembly/, entry kernels.ts) and the copying in and out of their
 * linear memory. Every call lays its operands out from the start of the arena again: calls are
 * synchronous, so they never overlap, and the memory only grows to the largest call seen. Each
 * call runs as chunks of rows, which a worker thread helps with when there are two threads.
 */
export class WasmKernels {
  private readonly exports: KernelExports;
  private readonly memory: WebAssembly.Memory;
  private readonly module: WebAssembly.Module;
  private thread: KernelThread | undefined;
  /** Where each call's arena starts: past the control block and every resident region. */
  private base: number;
  /** Where the first resident region starts: the arena's start when there is none. */
  private readonly residentStart: number;
  /** The resident regions handed out, in address order, and whether each is still in use. */
  private readonly regions: { readonly at: number; readonly end: number; live: boolean }[] = [];
  /** The buffers of this memory that resident regions were handed out on (one per size it had). */
  private readonly residentBuffers = new WeakSet<ArrayBufferLike>();
  private readonly controlAt: number;
  private controlView: Int32Array;
  private top = 0;
  /** The most any call laid out in its arena so far. */
  private arenaPeak = 0;
  /**
   * The weights the last SGD step made, laid out for the kernels at the start of the arena, where
   * every call leaves them: the next step, or the test set's scoring, finds them there instead of
   * copying, checking and padding them again.
   */
  private kept: KeptWeights | undefined;
  /**
   * The rest of the last SGD step, when the worker thread is stepping the weights: the caller goes
   * on with its own work meanwhile (a training step's tally, the next batch), and the step is
   * finished (`settle`) before anything else touches the memory or the new weights.
   */
  private pending: { readonly weights: Float32Array; readonly finish: () => void } | undefined;
  private lutScale = Number.NaN;
  private readonly lut = new Float32Array(256);

  /**
   * `fused`: the build with fused multiply-adds (relaxed SIMD), which only a runtime that validates
   * it (`relaxedSimd`) can compile.
   */
  constructor(
    threads: 1 | 2,
    readonly fused: boolean,
  ) {
    // Shared wherever the runtime allows, with one thread too: a view of a shared memory survives
    // its growth, so resident regions can be handed out as views (`allocateResident`).
    const shared = typeof SharedArrayBuffer !== "undefined";
    const module = kernelModule(shared, fused);
    this.memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.exports = instance.exports as unknown as KernelExports;
    const control = Math.ceil(this.exports.heapBase() / 16) * 16;
    this.base = control + CONTROL_BYTES;
    this.residentStart = this.base;
    this.controlAt = control;
    this.controlView = new Int32Array(this.memory.buffer, control, CONTROL_BYTES / 4);
    this.module = module;
    this.thread =
      shared && threads === 2 ? KernelThread.start(module, this.memory, control, THREADED) : undefined;
  }

  /**
   * Finishes an SGD step the worker is doing (waiting for it, or doing what it has not begun), so
   * that its weights are written and the memory is free for the next call. Every call that uses the
   * memory does this first; so does the backend before it reads a handle's data.
   */
  settle(): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    pending.finish();
  }

  /** `settle` if `values` are the weights of a step still being finished; else nothing waits. */
  settleFor(values: Input | null): void {
    if (values !== null && values === this.pending?.weights) this.settle();
  }

  /**
   * `length` bytes of the kernels' memory that no call ever lays operands over, as a view that stays
   * valid as the memory grows; `undefined` where the memory cannot be shared. The kernels read byte
   * uploads of such bytes in place (`isResident`). For data that is loaded once and used for long,
   * such as a data set, until `releaseResident` gives the region back.
   */
  allocateResident(length: number): Uint8Array | undefined {
    this.settle();
    if (!(this.memory.buffer instanceof SharedArrayBuffer)) return undefined;
    const at = this.base;
    this.base = Math.ceil((at + length) / 16) * 16;
    this.kept = undefined;
    this.regions.push({ at, end: this.base, live: true });
    // With room above for the arena as large as it has been, or as the memory starts with, so that
    // the calls after it do not grow the memory again.
    this.ensureBytes(this.base + Math.max(this.arenaPeak, INITIAL_PAGES * PAGE_BYTES - this.residentStart));
    const buffer = this.memory.buffer;
    this.residentBuffers.add(buffer);
    // Earlier calls laid operands out where the region now starts.
    return new Uint8Array(buffer, at, length).fill(0);
  }

  /**
   * Gives back the region `bytes` (a view from `allocateResident`) lies in. Memory is reused from
   * the top down: the arena moves back over the last regions once they are all given back, so a
   * process that loads a data set per backend, backend after backend, stays the same size.
   */
  releaseResident(bytes: Uint8Array): void {
    this.settle();
    const region = this.regions.find((r) => r.at <= bytes.byteOffset && bytes.byteOffset < r.end);
    if (region === undefined || !this.isResident(bytes)) return;
    region.live = false;
    this.kept = undefined;
    while (this.regions.length > 0 && !this.regions[this.regions.length - 1]!.live) this.regions.pop();
    this.base = this.regions[this.regions.length - 1]?.end ?? this.residentStart;
  }

  /** Whether `bytes` lie in a region from `allocateResident`. */
  isResident(bytes: Uint8Array): boolean {
    return this.residentBuffers.has(bytes.buffer);
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
    // A step still on the worker is finished before the worker may be stopped or replaced below.
    this.settle();
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
    this.settle();
    const ns = paddedStride(n);
    this.top = this.arenaStart();
    const { x, rows } = this.placeInput(a, m, k);
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
      rows,
    ];
    this.runChunks("matmul", chunkPlan(m, MAX_CHUNKS, 3, 4), args(), args(), m * k);
    return this.unpad(c, m, n, ns);
  }

  /** Dense layer, softmax and cross-entropy with its gradients, in one pass over `x`. */
  linearSoftmaxCrossEntropy(layer: Layer): LinearStep {
    this.settle();
    const { k, n } = layer;
    const { loss, correct, gw, gb, from, slots } = this.runLayer(layer, true);
    const ns = paddedStride(n);
    this.exports.sumSlots(gw, from, slots, k * ns * FLOAT, k * ns);
    return { loss, correct, gradW: this.unpad(gw, k, n, ns), gradB: this.unpad(gb, 1, n, ns) };
  }

  /**
   * The same layer and one SGD step: each row's loss and correct flag, and the weights after the
   * step, `w + scale · gradW` and `b + scale · gradB`, rounded as `axpy` rounds: the gradients are
   * applied where the kernel summed them, not copied out first. The new weights are written into
   * `into` when given (`k · n` floats no one else holds), else into a new array.
   */
  linearSoftmaxSgd(
    layer: Layer,
    scale: number,
    into?: Float32Array,
  ): { loss: Float32Array; correct: Float32Array; W: Float32Array; b: Float32Array } {
    this.settle();
    const { b, k, n } = layer;
    const ns = paddedStride(n);
    const { loss, correct, gw, gb, wp, from, slots } = this.runLayer(layer, true);
    const stepped = this.alloc((k * n + ns) * FLOAT);
    // The new weights padded too, for the next call: over the old ones where those were kept (each
    // row is read before it is written), else beside them, and moved to the arena's start below.
    const bytes = k * ns * FLOAT;
    const inPlace = this.kept !== undefined && wp === this.base;
    const padded = inPlace ? wp : this.alloc(bytes);
    const flag = this.alloc(FLOAT);
    const scaleAt = this.alloc(8);
    new Float64Array(this.memory.buffer, scaleAt, 1)[0] = scale;
    const gradB = this.heapF32(gb, n);
    const newB = new Float32Array(n);
    for (let j = 0; j < n; j++) newB[j] = b[j]! + scale * gradB[j]!;
    // Filled when the step is finished: the handle is the caller's at once, its values are not.
    const W = into ?? new Float32Array(k * n);
    const finish = () => {
      W.set(this.heapF32(stepped, k * n));
      const finite = new Int32Array(this.memory.buffer, flag, 1)[0] !== 0;
      // Last: the move may write over anything else this call laid out.
      if (!inPlace) new Uint8Array(this.memory.buffer).copyWithin(this.base, padded, padded + bytes);
      this.kept = { w: W, rows: k, n, finite };
    };
    const args = [wp, gw, from, slots, bytes, k, ns, n, scaleAt, stepped, padded, flag];
    const thread = this.currentThread();
    if (thread?.ready() === true) {
      // The worker, just done with its chunks and looking for the next call, steps the weights
      // while this thread returns to the caller; `settle` finishes the step.
      const posted = thread.post("stepWeights", wholeCallPlan(args.length), [...args, 0, 0]);
      this.pending = {
        weights: W,
        finish: () => {
          thread.finish(posted, this.exports.stepWeights);
          finish();
        },
      };
    } else {
      this.exports.stepWeights(...(args as Parameters<KernelExports["stepWeights"]>));
      finish();
    }
    return { loss, correct, W, b: newB };
  }

  /** The loss and correct flag of each row of the same layer: its forward half, without gradients. */
  linearSoftmaxLoss(layer: Layer): { loss: Float32Array; correct: Float32Array } {
    this.settle();
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
  ): {
    loss: Float32Array;
    correct: Float32Array;
    gw: number;
    gb: number;
    wp: number;
    from: number;
    slots: number;
  } {
    const ns = paddedStride(n);
    this.top = this.arenaStart();
    const { x: xp, rows } = this.placeInput(x, m, k);
    const lut = this.placeLut(x);
    const { at: wp, finite } = this.placePadded(w, k, n, ns);
    const { at: bp } = this.placePadded(b, 1, n, ns);
    const tp = this.place(targets);
    // Where the kernel pairs rows, rows of one label go together (see `labelOrder`, which reads
    // up to 12 bytes past the targets: the allocation after them, at least 16 bytes, holds those).
    const order = ns === 12 ? this.alloc(Math.max(m * 4, 16)) : 0;
    if (order !== 0) this.exports.labelOrder(tp, m, n, order, this.alloc((n + 1 + m) * 4));
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
      // Two rows each of logits and of their gradient: the kernel takes byte rows in pairs.
      this.alloc(2 * gbBytes),
      this.alloc(2 * gbBytes),
      gradients ? 1 : 0,
      rows,
      order,
    ];
    // While one thread finishes its last chunk, the other adds the finished chunks' gradient parts
    // into the first, in chunk order, leaving fewer for the pass after (the same sums to the bit).
    const fold = gradients
      ? { at: gw, stride: gwBytes, count: k * ns, sum: this.exports.sumSlots }
      : undefined;
    const from = this.runChunks("linearSoftmaxCrossEntropy", plan, args(), args(), m * k, fold);
    if (gradients) this.exports.sumSlots(gb, 1, plan.chunks, gbBytes, ns);
    return {
      loss: this.heapF32(loss, m).slice(),
      correct: this.heapF32(correct, m).slice(),
      gw,
      gb,
      wp,
      from,
      slots: plan.chunks,
    };
  }

  /** Stops the worker thread, if there is one. The kernels still run, on the calling thread. */
  close(): void {
    this.settle();
    this.thread?.stop();
    this.thread = undefined;
  }

  /**
   * The worker, if there is one that can take chunks. After the memory grows, the worker checks
   * that its instance sees the new size before it claims a chunk (see `KernelThread`); one that
   * could not in time is replaced by a worker instantiated on the grown memory.
   */
  private currentThread(): KernelThread | undefined {
    if (this.thread?.failed()) {
      this.thread.stop();
      this.thread = undefined;
    }
    if (this.thread?.stale()) {
      // A worker that did not answer might still wake on this control block: go on with one thread.
      const stopped = this.thread.stop();
      this.thread = stopped
        ? KernelThread.start(this.module, this.memory, this.controlAt, THREADED)
        : undefined;
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
    fold?: Fold,
  ): number {
    const run = this.exports[name];
    const thread = this.currentThread();
    // A worker still starting takes no chunks yet: its instance may not exist, and waiting for
    // it would cost the call more than its help.
    if (thread === undefined || !thread.ready()) {
      runChunksHere(this.control(), plan, args, run);
      return 1;
    }
    return thread.run(name, plan, args, workerArgs, run, values >= MIN_VALUES_FOR_HELP, fold);
  }

  /** The control block, seen afresh when growing the memory replaced its buffer. */
  private control(): Int32Array {
    if (this.controlView.buffer !== this.memory.buffer) {
      this.controlView = new Int32Array(this.memory.buffer, this.controlAt, CONTROL_BYTES / 4);
    }
    return this.controlView;
  }

  /**
   * A thread's scratch: the column and value lists a row is gathered into (`k` of each, room for
   * a float value or a pair of bytes).
   */
  private lists(k: number): [number, number] {
    return [this.alloc(k * FLOAT), this.alloc(k * FLOAT)];
  }

  /** Where a call starts laying out its operands: past the kept weights, if any. */
  private arenaStart(): number {
    const kept = this.kept;
    return kept === undefined ? this.base : this.base + kept.rows * paddedStride(kept.n) * FLOAT;
  }

  /** Reserves `bytes` (16-byte aligned) in the arena, growing the memory when needed. */
  private alloc(bytes: number): number {
    const at = this.top;
    this.top = Math.ceil((at + bytes) / 16) * 16;
    this.arenaPeak = Math.max(this.arenaPeak, this.top - this.base);
    this.ensureBytes(this.top);
    return at;
  }

  /** Grows the memory to at least `end` bytes. */
  private ensureBytes(end: number): void {
    const missing = end - this.memory.buffer.byteLength;
    if (missing > 0) {
      this.memory.grow(Math.ceil(missing / PAGE_BYTES));
    }
  }

  private heapF32(at: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, length);
  }

  private place(values: Float32Array): number {
    const at = this.alloc(values.length * FLOAT);
    this.heapF32(at, values.length).set(values);
    return at;
  }

  /**
   * `m` rows of `k` values of a left operand for a call: where the kernel finds them, and the
   * address of its table of rows (0 for rows `0..m-1` in order). Bytes in a resident region are
   * read where they are; other bytes are copied in, rows picked by index gathered as they are.
   */
  private placeInput(input: Input, m: number, k: number): { x: number; rows: number } {
    if (input instanceof Float32Array) return { x: this.place(input.subarray(0, m * k)), rows: 0 };
    if (!isRows(input)) {
      if (input.resident) return { x: input.bytes.byteOffset, rows: 0 };
      const at = this.alloc(m * k);
      new Uint8Array(this.memory.buffer, at, m * k).set(input.bytes.subarray(0, m * k));
      return { x: at, rows: 0 };
    }
    const { source, rows } = input;
    if (source.resident) {
      const table = this.alloc(m * 4);
      new Uint32Array(this.memory.buffer, table, m).set(rows.subarray(0, m));
      return { x: source.bytes.byteOffset, rows: table };
    }
    const at = this.alloc(m * k);
    const heap = new Uint8Array(this.memory.buffer, at, m * k);
    for (let i = 0; i < m; i++) {
      const row = rows[i]! * k;
      heap.set(source.bytes.subarray(row, row + k), i * k);
    }
    return { x: at, rows: 0 };
  }

  /** The table from byte to value, `Math.fround(byte * scale)`, as the composite path rounds it. */
  private placeLut(input: Input): number {
    if (!isBytes(input)) return 0;
    const scale = isRows(input) ? input.source.scale : input.scale;
    if (scale !== this.lutScale) {
      for (let v = 0; v < 256; v++) this.lut[v] = v * scale;
      this.lutScale = scale;
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
    const kept = this.kept;
    if (kept?.w === values && kept.rows === rows && kept.n === n)
      return { at: this.base, finite: kept.finite };
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

const instances = new Map<string, WasmKernels>();

/**
 * The process's kernels for a thread count and build, made on first use: calls are synchronous and
 * never overlap, so one memory (and one worker) serves every backend that asks for the same.
 */
export function wasmKernels(threads: 1 | 2, fused: boolean): WasmKernels {
  const key = `${threads}:${fused}`;
  let kernels = instances.get(key);
  if (kernels === undefined) {
    kernels = new WasmKernels(threads, fused);
    instances.set(key, kernels);
  }
  return kernels;
}
