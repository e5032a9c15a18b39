// A second thread for the WebAssembly kernels: a worker that instantiates the same module on the
// same shared memory and helps the calling thread through a call's chunks of rows. The two talk
// through a small block of that memory with Atomics, not messages: the calling thread blocks in
// the middle of a synchronous backend op, where no message could be delivered. The block's slots,
// and how a call's chunks are claimed and their parts added, are in control-block.ts.

import {
  CHUNK_BITS,
  type ChunkPlan,
  CONTROL_BYTES,
  drainChunks,
  FAILED,
  FOLD_CLOSED,
  FOLD_LOCK,
  FOLD_NEXT,
  FOLD_TAG_SHIFT,
  foldChunks,
  MAX_ARGS,
  PAGE_BYTES,
  READY,
  SLOTS,
  STOP,
  STOPPED,
  writePlan,
} from "./control-block.js";

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
