import { describe, expect, it } from "vitest";
import { KERNELS_WASM_SHARED } from "./generated/kernels-wasm.js";
import {
  type ChunkPlan,
  CONTROL_BYTES,
  drainChunks,
  KernelThread,
  runChunksHere,
  SLOTS,
} from "./kernel-thread.js";

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
