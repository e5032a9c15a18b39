/** Rows and columns of a 2-D tensor. Every tensor in tensorplug is 2-D, float32, row-major. */
export type Shape = readonly [rows: number, cols: number];

/**
 * An opaque handle to data that lives in a backend (host memory, a GPU texture, a tfjs tensor).
 * Handles are only valid on the backend that made them and until they are disposed.
 */
export interface Tensor {
  /** Rows and columns. */
  readonly shape: Shape;
  /** Name of the backend that owns the data, so a handle passed to the wrong backend is caught. */
  readonly backend: string;
}

/**
 * The right-hand side of an element-wise op: a tensor (same shape, `[1,n]` row, `[m,1]` column) or a scalar.
 */
export type Operand = Tensor | number;

/** Number of elements of a shape. */
export function sizeOf(shape: Shape): number {
  return shape[0] * shape[1];
}

/** `"256x784"`, the way shapes are written in every message. */
export function formatShape(shape: Shape): string {
  return `${shape[0]}x${shape[1]}`;
}
