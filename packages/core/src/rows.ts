import type { Backend } from "./backend.js";
import { TensorplugError } from "./errors.js";
import type { Tensor } from "./tensor.js";

// A data set kept whole on the backend, and batches picked out of it by row: the host then copies
// nothing per batch. Optional: a backend offers `gatherRows` (and, to hold the set without a second
// copy, `allocateBytes`), and callers without it upload each batch as before.

/** Whether `backend` picks rows out of a tensor itself (`gatherRows`). */
export function canGatherRows(backend: Backend): boolean {
  return typeof backend.gatherRows === "function";
}

/**
 * Checks that `rows` are at least one row index, each an index of a row of a matrix with `count`
 * rows; throws a `RangeError` naming the first that is not.
 */
export function checkRows(op: string, count: number, rows: Uint32Array): void {
  if (rows.length === 0) throw new RangeError(`${op}: no rows to gather; pass at least one row index`);
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]! >= count) {
      throw new RangeError(`${op}: row ${rows[i]} (at position ${i}) is past the last row, ${count - 1}`);
    }
  }
}

/**
 * Rows `rows` of `x`, in that order, as a new `[rows.length, cols]` tensor, picked by the backend
 * (ask `canGatherRows` first).
 *
 * @throws RangeError for an empty list or a row past the end; TensorplugError (`E_NO_GATHER`)
 *   when the backend has no `gatherRows`
 */
export function gatherRows(backend: Backend, x: Tensor, rows: Uint32Array): Tensor {
  checkRows("gatherRows", x.shape[0], rows);
  if (!backend.gatherRows) {
    throw new TensorplugError(
      "E_NO_GATHER",
      `gatherRows: backend "${backend.name}" cannot pick rows out of a tensor; check canGatherRows(backend) and upload each batch instead`,
    );
  }
  return backend.gatherRows(x, rows);
}

/**
 * `length` zeroed bytes for data to upload with `uploadBytes` later: the backend's own memory where
 * it has some to offer (`allocateBytes`: the upload then makes no copy), else a plain array.
 */
export function hostBytes(backend: Backend, length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`hostBytes: length must be a non-negative integer, got ${length}`);
  }
  return backend.allocateBytes?.(length) ?? new Uint8Array(length);
}
