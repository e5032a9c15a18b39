// The control block through which the calling thread and the kernels' worker share a call: its
// slots, the chunks of a call and how they are claimed, run and added up, by either thread.
//
// Chunks are claimed, not assigned. The calling thread starts on them at once and the worker takes
// what is left when it wakes, so a worker that the operating system has not scheduled (another
// process on the other core) costs the call nothing but its help: with fixed halves, the caller
// waited for it, and two threads ran four times slower than one on a busy machine.

/** Slots of the control block, in 32-bit words. Shared with the worker's source (kernel-thread.ts). */
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
   * of the memory has caught up before it claims a chunk (see `WORKER_SOURCE` in kernel-thread.ts).
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
export const FOLD_NEXT = (1 << 9) - 1;
export const FOLD_LOCK = 1 << 9;
export const FOLD_CLOSED = 1 << 10;
export const FOLD_TAG_SHIFT = 11;

/** Bytes the control block takes at the start of the arena. */
export const CONTROL_BYTES = 256;
export const MAX_ARGS = CONTROL_BYTES / 4 - SLOTS.ARGS;
/** Bits of `NEXT` that count chunks; the rest tag the job. */
export const CHUNK_BITS = 8;
/** At most this many chunks in one call. */
export const MAX_CHUNKS = (1 << CHUNK_BITS) - 2;

export const READY = 1;
export const FAILED = 2;
export const STOPPED = 3;
export const STOP = -1;

/** Bytes in a page of WebAssembly memory. */
export const PAGE_BYTES = 65536;
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

/** Writes a job's plan into the control block (everything but its tag and the worker's arguments). */
export function writePlan(ctrl: Int32Array, fn: number, plan: ChunkPlan): void {
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
