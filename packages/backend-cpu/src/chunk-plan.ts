import { type ChunkPlan, MAX_CHUNKS } from "./control-block.js";

// How a call is cut into chunks of rows for the two threads.

/** Rows per chunk to aim for: a few tens of microseconds of work, so the two threads end close together. */
const CHUNK_ROWS = 32;

/**
 * A call of `argc` arguments that takes no rows (the SGD step of the weights) as a job of one chunk,
 * for the worker: the chunk's first and end row go into two arguments past its own, which it ignores.
 */
export function wholeCallPlan(argc: number): ChunkPlan {
  return { rows: 1, chunks: 1, chunkRows: 1, fromArg: argc, toArg: argc + 1, slots: [] };
}

/**
 * How a call over `m` rows is cut into chunks, from `m` alone (and a cap on the chunks), so that
 * one thread or two compute the same chunks and add their parts in the same order: the number of
 * threads never changes a result.
 */
export function chunkPlan(
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
