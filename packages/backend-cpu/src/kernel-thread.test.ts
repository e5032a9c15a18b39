import { describe, expect, it } from "vitest";
import {
  type ChunkPlan,
  CONTROL_BYTES,
  drainChunks,
  foldChunks,
  runChunksHere,
  SLOTS,
} from "./control-block.js";
import { KERNELS_WASM_SHARED } from "./generated/kernels-wasm.js";
import { KernelThread } from "./kernel-thread.js";

const CHUNK_BITS = 8;

function plan(rows: number, chunkRows: number): ChunkPlan {
  return {
    rows,
    chunks: Math.ceil(rows / chunkRows),
    chunkRows,
    fromArg: 1,
    toArg: 2,
    slots: [{ arg: 3, stride: 100 }],
  };
}

describe("chunks of a kernel call", () => {
  it("runs every chunk once, with its rows and its own slot, the last chunk short", () => {
    const ctrl = new Int32Array(CONTROL_BYTES / 4);
    const calls: number[][] = [];
    runChunksHere(ctrl, plan(70, 32), [7, 0, 0, 1000], (...args) => calls.push(args));
    expect(calls).toEqual([
      [7, 0, 32, 1000],
      [7, 32, 64, 1100],
      [7, 64, 70, 1200],
    ]);
    expect(ctrl[SLOTS.FINISHED]).toBe(3);
  });

  it("a thread holding another job's arguments claims nothing", () => {
    const ctrl = new Int32Array(CONTROL_BYTES / 4);
    runChunksHere(ctrl, plan(64, 32), [0, 0, 0, 0], () => {});
    // The counter now belongs to job 5, with both chunks left; a late thread still on job 4 stops.
    Atomics.store(ctrl, SLOTS.NEXT, 5 << CHUNK_BITS);
    const stale: number[][] = [];
    drainChunks(ctrl, SLOTS, CHUNK_BITS, 4, [0, 0, 0, 0], (...args) => stale.push(args));
    expect(stale).toEqual([]);
    const current: number[][] = [];
    drainChunks(ctrl, SLOTS, CHUNK_BITS, 5, [0, 0, 0, 0], (...args) => current.push(args));
    expect(current.map((args) => args[1])).toEqual([0, 32]);
  });

  it("two claimers share the chunks without running one twice", () => {
    const ctrl = new Int32Array(CONTROL_BYTES / 4);
    const seen: number[] = [];
    // The first claimer hands over to a second one after its first chunk, as a woken worker would.
    let handedOver = false;
    runChunksHere(ctrl, plan(256, 32), [0, 0, 0, 0], (_, from) => {
      seen.push(from!);
      if (handedOver) return;
      handedOver = true;
      drainChunks(ctrl, SLOTS, CHUNK_BITS, 0, [0, 0, 0, 0], (_x, f) => seen.push(f!));
    });
    expect(seen.slice().sort((a, b) => a - b)).toEqual([0, 32, 64, 96, 128, 160, 192, 224]);
    expect(ctrl[SLOTS.FINISHED]).toBe(8);
  });
});

describe("adding finished chunks' parts while a chunk still runs", () => {
  /** A control block of job `job` with `chunks` chunks, folding from chunk 1, and `done` finished. */
  function folding(job: number, chunks: number, done: readonly number[]): Int32Array {
    const ctrl = new Int32Array(CONTROL_BYTES / 4);
    ctrl[SLOTS.CHUNKS] = chunks;
    ctrl[SLOTS.FOLD] = ((job & 0xfffff) << 11) | 1;
    ctrl[SLOTS.FOLD_AT] = 4096;
    ctrl[SLOTS.FOLD_STRIDE] = 512;
    ctrl[SLOTS.FOLD_COUNT] = 128;
    for (const c of done) ctrl[SLOTS.DONE + (c >>> 5)]! |= 1 << (c & 31);
    ctrl[SLOTS.FINISHED] = done.length;
    return ctrl;
  }

  it("adds them in chunk order, one at a time, up to the first that has not finished", () => {
    const ctrl = folding(9, 8, [0, 1, 2, 4, 5]);
    const sums: number[][] = [];
    foldChunks(ctrl, SLOTS, 9, (...args) => sums.push(args));
    expect(sums).toEqual([
      [4096, 1, 2, 512, 128],
      [4096, 2, 3, 512, 128],
    ]);
    expect(ctrl[SLOTS.FOLD]! & 0x7ff).toBe(3);
    // Chunk 3 finishes: the next thread to look goes on from there.
    ctrl[SLOTS.DONE]! |= 1 << 3;
    ctrl[SLOTS.FINISHED] = 6;
    foldChunks(ctrl, SLOTS, 9, (...args) => sums.push(args));
    expect(sums.map((args) => args[1])).toEqual([1, 2, 3, 4, 5]);
  });

  it("leaves them alone for another job, while the other thread adds one, once closed, once all have finished, and until chunk 0 has", () => {
    const sums: number[][] = [];
    const sum = (...args: number[]) => sums.push(args);
    foldChunks(folding(9, 8, [0, 1, 2]), SLOTS, 8, sum);
    const locked = folding(9, 8, [0, 1, 2]);
    locked[SLOTS.FOLD]! |= 1 << 9;
    foldChunks(locked, SLOTS, 9, sum);
    const closed = folding(9, 8, [0, 1, 2]);
    closed[SLOTS.FOLD]! |= 1 << 10;
    foldChunks(closed, SLOTS, 9, sum);
    foldChunks(folding(9, 3, [0, 1, 2]), SLOTS, 9, sum);
    // Chunk 0's part is the sum: nothing is added into it while it is still being computed.
    foldChunks(folding(9, 8, [1, 2, 3]), SLOTS, 9, sum);
    expect(sums).toEqual([]);
  });
});

describe("a worker whose view of the memory lags", () => {
  it("takes no chunk of a job laid out on memory it cannot see, and says it is stale", async () => {
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 64, shared: true });
    const module = new WebAssembly.Module(decodeWasm(KERNELS_WASM_SHARED));
    // The control block goes past the module's own data and table, as the backend lays it out.
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as { heapBase(): number };
    const thread = KernelThread.start(module, memory, Math.ceil(exports.heapBase() / 16) * 16, ["sumSlots"]);
    if (thread === undefined) return expect(typeof SharedArrayBuffer).toBe("undefined");
    expect(await thread.whenReady()).toBe(true);
    // The job claims 8 pages more than the memory has: as if it had grown where the worker cannot see.
    const ahead = { buffer: { byteLength: memory.buffer.byteLength + 8 * 65536 } };
    Object.defineProperty(thread, "memory", { value: ahead });
    const rows: number[] = [];
    thread.run("sumSlots", plan(256, 32), [0, 0, 0, 0], [0, 0, 0, 0], (_, from) => rows.push(from!), true);
    expect(rows.sort((a, b) => a - b)).toEqual([0, 32, 64, 96, 128, 160, 192, 224]);
    const deadline = Date.now() + 5_000;
    while (!thread.stale() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(thread.stale()).toBe(true);
    expect(thread.stop()).toBe(true);
  });
});

function decodeWasm(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
