// A second thread for the WebAssembly kernels: a worker that instantiates the same module on the
// same shared memory and runs one half of a kernel call while the calling thread runs the other.
// The two talk through a small block of that memory with Atomics, not messages: the calling thread
// blocks in the middle of a synchronous backend op, where no message could be delivered.

/** Slots of the control block, in 32-bit words. */
const JOB = 0; // sequence number of the latest job, written by the caller
const DONE = 1; // sequence number of the latest finished job, written by the worker
const STATE = 2; // READY once the worker has instantiated the module, FAILED if it could not
const FUNCTION = 3; // index of the export to call, or STOP
const ARGC = 4;
const ARGS = 5;
/** Bytes the control block takes at the start of the arena. */
export const CONTROL_BYTES = 256;
export const MAX_ARGS = CONTROL_BYTES / 4 - ARGS;

const READY = 1;
const FAILED = 2;
const STOP = -1;

/** How long to wait for the worker to start, or for a half to finish, before giving up on it. */
const START_TIMEOUT_MS = 10_000;
const JOB_TIMEOUT_MS = 60_000;
/**
 * How long either side polls before it sleeps in Atomics.wait. Waking a sleeping thread costs tens
 * of microseconds on these machines (measured: 50 µs a notify), a tenth of a batch's half; during
 * training the next call comes within a millisecond, so a short poll keeps both threads awake.
 */
const SPIN_MS = 2;

// Plain JavaScript, run with `eval: true`: the worker needs no file of its own, so it works the
// same from the TypeScript sources under test and from the built package.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, names } = workerData;
const ctrl = new Int32Array(memory.buffer, control, ${CONTROL_BYTES / 4});
let exports;
try {
  exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  Atomics.store(ctrl, ${STATE}, ${READY});
} catch (error) {
  Atomics.store(ctrl, ${STATE}, ${FAILED});
}
Atomics.notify(ctrl, ${STATE});
let seen = 0;
while (exports !== undefined) {
  const until = performance.now() + ${SPIN_MS};
  while (Atomics.load(ctrl, ${JOB}) === seen && performance.now() < until) {}
  Atomics.wait(ctrl, ${JOB}, seen);
  const job = Atomics.load(ctrl, ${JOB});
  if (job === seen) continue;
  seen = job;
  const fn = ctrl[${FUNCTION}];
  if (fn === ${STOP}) break;
  const args = Array.from(ctrl.subarray(${ARGS}, ${ARGS} + ctrl[${ARGC}]));
  exports[names[fn]](...args);
  Atomics.store(ctrl, ${DONE}, seen);
  Atomics.notify(ctrl, ${DONE});
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
 * The worker half of a two-thread kernel call. `start` returns `undefined` where there are no
 * worker threads or shared memory, or when the worker does not come up: the caller then runs
 * both halves itself, with the same results.
 */
export class KernelThread {
  private readonly worker: WorkerLike;
  private readonly ctrl: Int32Array;
  private readonly names: readonly string[];
  private job = 0;

  private constructor(worker: WorkerLike, ctrl: Int32Array, names: readonly string[]) {
    this.worker = worker;
    this.ctrl = ctrl;
    this.names = names;
  }

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
    Atomics.wait(ctrl, STATE, 0, START_TIMEOUT_MS);
    if (Atomics.load(ctrl, STATE) !== READY) {
      void worker.terminate();
      return undefined;
    }
    return new KernelThread(worker, ctrl, names);
  }

  /** Starts `name(...args)` on the worker; `wait` blocks until it is done. */
  post(name: string, args: readonly number[]): void {
    const fn = this.names.indexOf(name);
    if (fn < 0) throw new Error(`kernel thread: no export named ${name}`);
    if (args.length > MAX_ARGS)
      throw new Error(`kernel thread: ${args.length} arguments, at most ${MAX_ARGS}`);
    this.ctrl[FUNCTION] = fn;
    this.ctrl[ARGC] = args.length;
    this.ctrl.set(args, ARGS);
    this.job++;
    Atomics.store(this.ctrl, JOB, this.job);
    Atomics.notify(this.ctrl, JOB);
  }

  wait(): void {
    const until = performance.now() + SPIN_MS;
    while (Atomics.load(this.ctrl, DONE) !== this.job && performance.now() < until) {
      // Poll: the other half usually ends within microseconds of this one.
    }
    const deadline = Date.now() + JOB_TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(this.ctrl, DONE);
      if (done === this.job) return;
      if (Date.now() > deadline)
        throw new Error("kernel thread: the worker did not finish its half within 60 s");
      Atomics.wait(this.ctrl, DONE, done, 1000);
    }
  }

  /** Stops the worker (it also dies with the process: it is unref'd). */
  stop(): void {
    this.ctrl[FUNCTION] = STOP;
    Atomics.store(this.ctrl, JOB, ++this.job);
    Atomics.notify(this.ctrl, JOB);
    void this.worker.terminate();
  }
}
