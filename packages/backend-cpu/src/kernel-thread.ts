// A second thread for the WebAssembly kernels: a worker that instantiates the same module on the
// same shared memory and helps the calling thread through a call's chunks of rows. The two talk
// through a small block of that memory with Atomics, not messages: the calling thread blocks in
// the middle of a synchronous backend op, where no message could be delivered.
//
// Chunks are claimed, not assigned. The calling thread starts on them at once and the worker takes
// what is left when it wakes, so a worker that the operating system has not scheduled (another
// process on the other core) costs the call nothing but its help: with fixed halves, the caller
// waited for it, and two threads ran four times slower than one on a busy machine.

/** Slots of the control block, in 32-bit words. Shared with the worker's source, below. */
export const SLOTS = {
  /** Sequence number of the latest job, written by the caller. */
  JOB: 0,
  /** READY once the worker has instantiated the module, FAILED if it could not. */
  STATE: 1,
  /** Index of the export to call, or STOP. */
  FUNCTION: 2,
  /** The next chunk to claim, tagged with its job: `(job << CHUNK_BITS) | chunk`. */
  NEXT: 3,
  /** Chunks of the current job finished, by either thread. */
  FINISHED: 4,
  /** Chunks in the job, rows per chunk, and rows in all. */
  CHUNKS: 5,
  CHUNK_ROWS: 6,
  ROWS: 7,
  /** Which arguments are the first and the end row of a chunk. */
  FROM_ARG: 8,
  TO_ARG: 9,
  /** Up to two arguments that point at a per-chunk slot (-1 for none), and the slots' stride in bytes. */
  SLOT_ARG_0: 10,
  SLOT_STRIDE_0: 11,
  SLOT_ARG_1: 12,
  SLOT_STRIDE_1: 13,
  ARGC: 14,
  /**
   * The size of the memory, in pages, when the job was laid out: the worker checks that its view
   * of the memory has caught up before it claims a chunk (see `WORKER_SOURCE`).
   */
  PAGES: 15,
  /** Set by a worker that could not see the job's memory in time; it takes no chunk then. */
  STALE: 16,
  /**
   * A bit for every chunk of the job that has finished (chunk `c`: bit `c % 32` of word `DONE +
   * c / 32`), so that a waiting caller can add finished chunks' parts in chunk order.
   */
  DONE: 17,
  /**
   * Adding finished chunks' parts into chunk 0's while the other thread still runs a chunk (see
   * `foldChunks`): the next chunk to add, whether one is being added (`FOLD_LOCK`), whether the
   * caller has taken over (`FOLD_CLOSED`), and the job's tag, in one word; then where the parts
   * are, their stride in bytes and their length in floats.
   */
  FOLD: 25,
  FOLD_AT: 26,
  FOLD_STRIDE: 27,
  FOLD_COUNT: 28,
  /** The worker's arguments start here. */
  ARGS: 29,
} as const;

/** Bits of `FOLD`: the next chunk below `FOLD_LOCK`, the job's tag above `FOLD_CLOSED`. */
const FOLD_NEXT = (1 << 9) - 1;
const FOLD_LOCK = 1 << 9;
const FOLD_CLOSED = 1 << 10;
const FOLD_TAG_SHIFT = 11;

/** A job handed to the worker with `post`, for `finish`. */
export interface Posted {
  readonly job: number;
  readonly plan: ChunkPlan;
  readonly args: readonly number[];
}

/** Where a call's per-chunk parts lie, and the kernel that adds parts `from` to `to - 1` into the first. */
export interface Fold {
  readonly at: number;
  readonly stride: number;
  readonly count: number;
  readonly sum: (at: number, from: number, to: number, stride: number, count: number) => void;
}

/** Bytes the control block takes at the start of the arena. */
export const CONTROL_BYTES = 256;
export const MAX_ARGS = CONTROL_BYTES / 4 - SLOTS.ARGS;
/** Bits of `NEXT` that count chunks; the rest tag the job. */
const CHUNK_BITS = 8;
/** At most this many chunks in one call. */
export const MAX_CHUNKS = (1 << CHUNK_BITS) - 2;

const READY = 1;
const FAILED = 2;
const STOPPED = 3;
const STOP = -1;

/** Bytes in a page of WebAssembly memory. */
export const PAGE_BYTES = 65536;
/**
 * How long a woken worker waits for its view of a grown memory to catch up before it leaves the
 * job to the caller and asks to be replaced.
 */
const CATCH_UP_MS = 20;

/** How long `whenReady` waits for the worker to start, and a call for a chunk to finish, before giving up on it. */
const START_TIMEOUT_MS = 10_000;
const JOB_TIMEOUT_MS = 60_000;
/** How often `whenReady` looks at a starting worker. */
const START_POLL_MS = 2;
const STOP_TIMEOUT_MS = 1_000;
/**
 * How long the caller polls for the worker's last chunk (a chunk takes tens of microseconds)
 * before it sleeps.
 */
const CALLER_SPIN_MS = 0.2;
/**
 * How long the worker looks for the next job after finishing one before it sleeps. A sleeping
 * worker took 50-100 µs to wake on the test machines (a virtual core halts when idle), a fifth of a
 * training step, which the caller spent alone on the chunks. A training step's calls come about
 * 0.1-0.2 ms apart, so a worker that looks a little longer catches the next one awake; between
 * epochs, or when the caller stops, it sleeps, and a core is never held for longer than this.
 */
const WORKER_SPIN_MS = 0.25;

/**
 * The rows of one call and how its arguments change from chunk to chunk: `fromArg` and `toArg`
 * get the chunk's rows, and each slot argument moves by its stride per chunk (a chunk's own part
 * of a sum, so that the parts can be added in chunk order whoever computed them).
 */
export interface ChunkPlan {
  readonly rows: number;
  readonly chunks: number;
  readonly chunkRows: number;
  readonly fromArg: number;
  readonly toArg: number;
  readonly slots: readonly { readonly arg: number; readonly stride: number }[];
}

/**
 * Adds the parts of job `job`'s finished chunks into chunk 0's with `sum`, in chunk order from the
 * next one not yet added, once chunk 0 itself has finished; stops at the first unfinished chunk,
 * when every chunk has finished (one pass over the rest is then cheaper), or when the other thread
 * is adding one. Whichever thread is out of chunks to claim does this while the other runs its
 * last; the sums are those of adding every part in order at the end, to the bit. Self-contained,
 * as `drainChunks` is (so its bits of `FOLD` are spelled out here).
 */
export function foldChunks(
  ctrl: Int32Array,
  s: typeof SLOTS,
  job: number,
  sum: (at: number, from: number, to: number, stride: number, count: number) => void,
): void {
  const lock = 1 << 9;
  const closed = 1 << 10;
  const tag = (job & 0xfffff) << 11;
  const chunks = ctrl[s.CHUNKS]!;
  for (;;) {
    const fold = Atomics.load(ctrl, s.FOLD);
    if ((fold & ~0x7ff) !== tag || (fold & (lock | closed)) !== 0) return;
    const chunk = fold & 0x1ff;
    if (chunk >= chunks || Atomics.load(ctrl, s.FINISHED) === chunks) return;
    // Chunk 0 too: its part is the sum's, and either thread may have claimed it.
    if ((Atomics.load(ctrl, s.DONE) & 1) === 0) return;
    if ((Atomics.load(ctrl, s.DONE + (chunk >>> 5)) & (1 << (chunk & 31))) === 0) return;
    if (Atomics.compareExchange(ctrl, s.FOLD, fold, fold | lock) !== fold) continue;
    sum(ctrl[s.FOLD_AT]!, chunk, chunk + 1, ctrl[s.FOLD_STRIDE]!, ctrl[s.FOLD_COUNT]!);
    Atomics.store(ctrl, s.FOLD, tag | (chunk + 1));
  }
}

/**
 * Claims chunks of job `job` one by one and runs each with `run`, until none is left or the job is
 * no longer the current one. Self-contained (its source is also the worker's): it sees the slots
 * through `s` and touches nothing outside its arguments.
 */
export function drainChunks(
  ctrl: Int32Array,
  s: typeof SLOTS,
  chunkBits: number,
  job: number,
  base: readonly number[],
  run: (...args: number[]) => void,
): void {
  const tag = job & ((1 << (31 - chunkBits)) - 1);
  const chunks = ctrl[s.CHUNKS]!;
  const size = ctrl[s.CHUNK_ROWS]!;
  const rows = ctrl[s.ROWS]!;
  const args = base.slice();
  for (;;) {
    const next = Atomics.load(ctrl, s.NEXT);
    const chunk = next & ((1 << chunkBits) - 1);
    // Another job's counter, or nothing left: stop. A lost race: look again.
    if (next >>> chunkBits !== tag || chunk >= chunks) return;
    if (Atomics.compareExchange(ctrl, s.NEXT, next, next + 1) !== next) continue;
    args[ctrl[s.FROM_ARG]!] = chunk * size;
    args[ctrl[s.TO_ARG]!] = Math.min(rows, (chunk + 1) * size);
    const slot0 = ctrl[s.SLOT_ARG_0]!;
    const slot1 = ctrl[s.SLOT_ARG_1]!;
    if (slot0 >= 0) args[slot0] = base[slot0]! + chunk * ctrl[s.SLOT_STRIDE_0]!;
    if (slot1 >= 0) args[slot1] = base[slot1]! + chunk * ctrl[s.SLOT_STRIDE_1]!;
    run(...args);
    Atomics.or(ctrl, s.DONE + (chunk >>> 5), 1 << (chunk & 31));
    if (Atomics.add(ctrl, s.FINISHED, 1) + 1 === chunks) Atomics.notify(ctrl, s.FINISHED);
  }
}

// Plain JavaScript, run with `eval: true`: the worker needs no file of its own, so it works the
// same from the TypeScript sources under test and from the built package.
//
// When the caller grows the shared memory, the worker's isolate learns of it at its next
// interrupt check, which updates the memory object and the instance together. A job's chunks may
// lie in the new pages, so before claiming one the worker waits (each turn of the loop is such a
// check) until its view of the memory is as large as the job's; one that does not catch up in
// CATCH_UP_MS takes no chunk and says so (STALE), and the caller starts a new worker.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, names } = workerData;
const S = ${JSON.stringify(SLOTS)};
const ctrl = new Int32Array(memory.buffer, control, ${CONTROL_BYTES / 4});
const drainChunks = ${drainChunks.toString()};
const foldChunks = ${foldChunks.toString()};
let exports;
try {
  exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  Atomics.store(ctrl, S.STATE, ${READY});
} catch (error) {
  Atomics.store(ctrl, S.STATE, ${FAILED});
}
Atomics.notify(ctrl, S.STATE);
let seen = 0;
while (exports !== undefined) {
  const until = performance.now() + ${WORKER_SPIN_MS};
  while (Atomics.load(ctrl, S.JOB) === seen && performance.now() < until) {}
  Atomics.wait(ctrl, S.JOB, seen);
  const job = Atomics.load(ctrl, S.JOB);
  if (job === seen) continue;
  seen = job;
  const fn = ctrl[S.FUNCTION];
  if (fn === ${STOP}) {
    Atomics.store(ctrl, S.STATE, ${STOPPED});
    Atomics.notify(ctrl, S.STATE);
    break;
  }
  const need = ctrl[S.PAGES] * ${PAGE_BYTES};
  if (memory.buffer.byteLength < need) {
    const until = Date.now() + ${CATCH_UP_MS};
    while (memory.buffer.byteLength < need && Date.now() < until) {}
    if (memory.buffer.byteLength < need) {
      Atomics.store(ctrl, S.STALE, 1);
      continue;
    }
  }
  const base = Array.from(ctrl.subarray(S.ARGS, S.ARGS + ctrl[S.ARGC]));
  drainChunks(ctrl, S, ${CHUNK_BITS}, job, base, exports[names[fn]]);
  foldChunks(ctrl, S, job, exports.sumSlots);
}
`;

interface WorkerLike {
  unref(): void;
  terminate(): Promise<number>;
}

interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => WorkerLike;
}

interface NodeProcess {
  getBuiltinModule?(name: string): unknown;
}

/** `node:worker_threads` when this runtime has it (Node 20.16 and later), read synchronously. */
function workerThreads(): WorkerThreads | undefined {
  const proc = (globalThis as { process?: NodeProcess }).process;
  const threads = proc?.getBuiltinModule?.("node:worker_threads");
  return threads === undefined ? undefined : (threads as WorkerThreads);
}

/** Writes a job's plan into the control block (everything but its tag and the worker's arguments). */
function writePlan(ctrl: Int32Array, fn: number, plan: ChunkPlan): void {
  if (plan.chunks < 1 || plan.chunks > MAX_CHUNKS) throw new Error(`kernel thread: ${plan.chunks} chunks`);
  if (plan.slots.length > 2) throw new Error("kernel thread: at most two slot arguments");
  ctrl[SLOTS.FUNCTION] = fn;
  ctrl[SLOTS.CHUNKS] = plan.chunks;
  ctrl[SLOTS.CHUNK_ROWS] = plan.chunkRows;
  ctrl[SLOTS.ROWS] = plan.rows;
  ctrl[SLOTS.FROM_ARG] = plan.fromArg;
  ctrl[SLOTS.TO_ARG] = plan.toArg;
  ctrl[SLOTS.SLOT_ARG_0] = plan.slots[0]?.arg ?? -1;
  ctrl[SLOTS.SLOT_STRIDE_0] = plan.slots[0]?.stride ?? 0;
  ctrl[SLOTS.SLOT_ARG_1] = plan.slots[1]?.arg ?? -1;
  ctrl[SLOTS.SLOT_STRIDE_1] = plan.slots[1]?.stride ?? 0;
  ctrl.fill(0, SLOTS.DONE, SLOTS.DONE + Math.ceil(plan.chunks / 32));
  Atomics.store(ctrl, SLOTS.FOLD, FOLD_CLOSED);
  Atomics.store(ctrl, SLOTS.FINISHED, 0);
}

/**
 * Runs every chunk of a call on the calling thread alone, through the same control block, so that
 * a call splits into the same chunks with or without a worker.
 */
export function runChunksHere(
  ctrl: Int32Array,
  plan: ChunkPlan,
  args: readonly number[],
  run: (...args: number[]) => void,
): void {
  Atomics.store(ctrl, SLOTS.NEXT, 0);
  writePlan(ctrl, 0, plan);
  drainChunks(ctrl, SLOTS, CHUNK_BITS, 0, args, run);
}

/**
 * The worker that shares a call's chunks. `start` returns `undefined` where there are no worker
 * threads or shared memory, or when the worker does not come up: the caller then runs every
 * chunk itself, with the same results.
 */
export class KernelThread {
  private readonly worker: WorkerLike;
  private readonly ctrl: Int32Array;
  private readonly names: readonly string[];
  private job = 0;
  private up = false;

  private constructor(
    worker: WorkerLike,
    ctrl: Int32Array,
    names: readonly string[],
    private readonly memory: WebAssembly.Memory,
  ) {
    this.worker = worker;
    this.ctrl = ctrl;
    this.names = names;
  }

  /**
   * Starts a worker and returns without waiting for it: a worker takes tens of milliseconds to
   * come up, and until `ready()` says so the caller runs every chunk itself, with the same
   * results. `undefined` where there are no worker threads or shared memory.
   */
  static start(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    control: number,
    names: readonly string[],
  ): KernelThread | undefined {
    const threads = workerThreads();
    if (threads === undefined || typeof SharedArrayBuffer === "undefined") return undefined;
    if (!(memory.buffer instanceof SharedArrayBuffer)) return undefined;
    const ctrl = new Int32Array(memory.buffer, control, CONTROL_BYTES / 4);
    ctrl.fill(0);
    let worker: WorkerLike;
    try {
      worker = new threads.Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory, control, names },
      });
    } catch {
      return undefined;
    }
    // The worker must never keep a finished program alive.
    worker.unref();
    return new KernelThread(worker, ctrl, names, memory);
  }

  /** Whether the worker is up and takes chunks; checked at every call until it is. */
  ready(): boolean {
    this.up ||= Atomics.load(this.ctrl, SLOTS.STATE) === READY;
    return this.up;
  }

  /** Whether the worker could not instantiate the module: it will never take a chunk. */
  failed(): boolean {
    return Atomics.load(this.ctrl, SLOTS.STATE) === FAILED;
  }

  /** Whether the worker could not see a grown memory in time (see `WORKER_SOURCE`): it takes no more chunks. */
  stale(): boolean {
    return Atomics.load(this.ctrl, SLOTS.STALE) === 1;
  }

  /** Resolves once the worker is up (true), or when it failed or did not come up in time (false). */
  async whenReady(): Promise<boolean> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const state = Atomics.load(this.ctrl, SLOTS.STATE);
      if (state !== 0) return state === READY && this.ready();
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, START_POLL_MS));
    }
  }

  /**
   * Runs `name` over the chunks of `plan`: this thread with `args` and, when `help`, the worker,
   * woken with `workerArgs`, each claim chunks until none is left; returns once every chunk has
   * finished. Without `help` the worker is left asleep (a small call costs less than waking it).
   * With `fold`, whichever thread runs out of chunks to claim first adds the finished chunks'
   * parts into chunk 0's while the other runs its last (`foldChunks`); returns the first chunk
   * whose part is not added yet (1 when none was, and without `fold`).
   */
  run(
    name: string,
    plan: ChunkPlan,
    args: readonly number[],
    workerArgs: readonly number[],
    run: (...args: number[]) => void,
    help: boolean,
    fold?: Fold,
  ): number {
    const job = this.lay(name, plan, workerArgs, fold);
    if (help) this.wake(job);
    drainChunks(this.ctrl, SLOTS, CHUNK_BITS, job, args, run);
    if (fold !== undefined) foldChunks(this.ctrl, SLOTS, job, fold.sum);
    this.waitFinished(plan.chunks);
    return this.closeFolds();
  }

  /**
   * Hands `name` over `plan` to the worker and returns at once, for this thread to do other work
   * meanwhile; `finish` with the same arguments must follow before any other call. Nothing here
   * waits for the worker: `finish` runs whatever it has not claimed.
   */
  post(name: string, plan: ChunkPlan, args: readonly number[]): Posted {
    const job = this.lay(name, plan, args);
    this.wake(job);
    return { job, plan, args };
  }

  /** Runs what the worker has not claimed of a posted job, and waits until all of it is done. */
  finish({ job, plan, args }: Posted, run: (...args: number[]) => void): void {
    drainChunks(this.ctrl, SLOTS, CHUNK_BITS, job, args, run);
    this.waitFinished(plan.chunks);
  }

  /** Lays a new job out in the control block (its plan and the worker's arguments); returns its number. */
  private lay(name: string, plan: ChunkPlan, workerArgs: readonly number[], fold?: Fold): number {
    const fn = this.names.indexOf(name);
    if (fn < 0) throw new Error(`kernel thread: no export named ${name}`);
    if (workerArgs.length > MAX_ARGS) {
      throw new Error(`kernel thread: ${workerArgs.length} arguments, at most ${MAX_ARGS}`);
    }
    // The new tag goes into NEXT before anything else changes. A worker woken late for an earlier
    // job may be reading that job's plan right now; were the chunk count raised first, it could
    // find the old, used-up counter below the new count and claim a chunk of a job that is gone,
    // with the new plan and its own stale arguments (a kernel then read out of bounds). With the
    // counter re-tagged first, any such claim fails.
    const job = ++this.job;
    const tag = job & ((1 << (31 - CHUNK_BITS)) - 1);
    Atomics.store(this.ctrl, SLOTS.NEXT, tag << CHUNK_BITS);
    writePlan(this.ctrl, fn, plan);
    this.ctrl[SLOTS.PAGES] = this.memory.buffer.byteLength / PAGE_BYTES;
    this.ctrl[SLOTS.ARGC] = workerArgs.length;
    this.ctrl.set(workerArgs, SLOTS.ARGS);
    if (fold !== undefined) {
      this.ctrl[SLOTS.FOLD_AT] = fold.at;
      this.ctrl[SLOTS.FOLD_STRIDE] = fold.stride;
      this.ctrl[SLOTS.FOLD_COUNT] = fold.count;
      // The job's low 20 bits, as `foldChunks` tags it.
      Atomics.store(this.ctrl, SLOTS.FOLD, ((job & 0xfffff) << FOLD_TAG_SHIFT) | 1);
    }
    return job;
  }

  private wake(job: number): void {
    Atomics.store(this.ctrl, SLOTS.JOB, job);
    Atomics.notify(this.ctrl, SLOTS.JOB);
  }

  /**
   * Stops any more adding of parts for the current job (waiting out one the worker is doing) and
   * returns the first chunk whose part is not added yet.
   */
  private closeFolds(): number {
    for (;;) {
      const fold = Atomics.load(this.ctrl, SLOTS.FOLD);
      if ((fold & FOLD_CLOSED) !== 0) return 1;
      // A part being added takes a few microseconds.
      if ((fold & FOLD_LOCK) !== 0) continue;
      if (Atomics.compareExchange(this.ctrl, SLOTS.FOLD, fold, fold | FOLD_CLOSED) === fold)
        return fold & FOLD_NEXT;
    }
  }

  /** Waits for the chunks the worker still runs: polls briefly, then sleeps until it notifies. */
  private waitFinished(chunks: number): void {
    const until = performance.now() + CALLER_SPIN_MS;
    while (Atomics.load(this.ctrl, SLOTS.FINISHED) !== chunks && performance.now() < until) {
      // The worker's last chunk usually ends within microseconds.
    }
    const deadline = Date.now() + JOB_TIMEOUT_MS;
    for (;;) {
      const finished = Atomics.load(this.ctrl, SLOTS.FINISHED);
      if (finished === chunks) return;
      if (Date.now() > deadline)
        throw new Error("kernel thread: the worker did not finish a chunk within 60 s");
      Atomics.wait(this.ctrl, SLOTS.FINISHED, finished, 1000);
    }
  }

  /**
   * Stops the worker and waits (up to a second) until it says so, so that the control block can
   * serve another worker; it also dies with the process (it is unref'd). Returns whether it
   * answered; one that did not is terminated anyway, and its control block must not be reused.
   */
  stop(): boolean {
    this.ctrl[SLOTS.FUNCTION] = STOP;
    Atomics.store(this.ctrl, SLOTS.JOB, ++this.job);
    Atomics.notify(this.ctrl, SLOTS.JOB);
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    let state = Atomics.load(this.ctrl, SLOTS.STATE);
    // A worker still starting stops as soon as it is up; one that failed never runs again.
    while (state !== STOPPED && state !== FAILED && Date.now() <= deadline) {
      Atomics.wait(this.ctrl, SLOTS.STATE, state, STOP_TIMEOUT_MS);
      state = Atomics.load(this.ctrl, SLOTS.STATE);
    }
    void this.worker.terminate();
    return state === STOPPED || state === FAILED;
  }
}
