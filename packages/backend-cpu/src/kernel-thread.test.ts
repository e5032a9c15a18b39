import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { type ChunkPlan, CONTROL_BYTES, drainChunks, runChunksHere, SLOTS } from "./kernel-thread.js";

const CHUNK_BITS = 8;

function plan(rows: number, chunkRows: number): ChunkPlan {
  return { rows, chunks: Math.ceil(rows / chunkRows), chunkRows, fromArg: 1, toArg: 2 };
}

/** `plan` with a second stage over `columns` columns, its stage in argument 3. */
function twoStages(rows: number, chunkRows: number, columns: number, chunkColumns: number): ChunkPlan {
  const second = { count: columns, chunks: Math.ceil(columns / chunkColumns), chunkColumns, stageArg: 3 };
  return { ...plan(rows, chunkRows), columns: second };
}

describe("chunks of a kernel call", () => {
  it("runs every chunk once, with its rows, the last chunk short", () => {
    const ctrl = new Int32Array(CONTROL_BYTES / 4);
    const calls: number[][] = [];
    runChunksHere(ctrl, plan(70, 32), [7, 0, 0, 1000], (...args) => calls.push(args));
    expect(calls).toEqual([
      [7, 0, 32, 1000],
      [7, 32, 64, 1000],
      [7, 64, 70, 1000],
    ]);
    expect(ctrl[SLOTS.FINISHED]).toBe(3);
  });

  it("a two-stage call runs its column chunks after its row chunks, each told its stage", () => {
    const ctrl = new Int32Array(CONTROL_BYTES / 4);
    const calls: number[][] = [];
    runChunksHere(ctrl, twoStages(40, 16, 50, 32), [7, 0, 0, -1], (...args) => calls.push(args));
    expect(calls).toEqual([
      [7, 0, 16, 0],
      [7, 16, 32, 0],
      [7, 32, 40, 0],
      [7, 0, 32, 1],
      [7, 32, 50, 1],
    ]);
    expect(ctrl[SLOTS.FINISHED]).toBe(5);
  });

  it("a column chunk waits until the row chunk another thread still runs has finished", () => {
    const ctrl = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
    const log = new Int32Array(new SharedArrayBuffer(8));
    let worker: Worker | undefined;
    // While this thread is inside the only row chunk, a worker claims the column chunk; it must not
    // run it before the row chunk ends, which this thread marks in log[0] just before returning.
    runChunksHere(ctrl, twoStages(16, 16, 16, 16), [0, 0, 0, 0], (_, __, ___, stage) => {
      if (stage === 1) throw new Error("the column chunk ran on the claiming thread");
      worker = new Worker(
        `const { workerData: { ctrl, log, s } } = require("node:worker_threads");
         const drainChunks = ${drainChunks.toString()};
         drainChunks(ctrl, s, ${CHUNK_BITS}, 0, [0, 0, 0, 0], () => { log[1] = Atomics.load(log, 0) + 1; });`,
        { eval: true, workerData: { ctrl, log, s: SLOTS } },
      );
      // Long enough for the worker to start, claim its chunk and reach the wait.
      Atomics.wait(log, 1, 0, 300);
      Atomics.store(log, 0, 1);
    });
    for (let waited = 0; Atomics.load(ctrl, SLOTS.FINISHED) < 2 && waited < 100; waited++) {
      Atomics.wait(ctrl, SLOTS.FINISHED, 1, 100);
    }
    void worker?.terminate();
    expect(ctrl[SLOTS.FINISHED]).toBe(2);
    // 2: it ran, and saw the row chunk's end.
    expect(log[1]).toBe(2);
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
