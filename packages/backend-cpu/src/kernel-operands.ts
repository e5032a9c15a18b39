// The operands the backend hands the WebAssembly kernels, and what their layer step returns.

/** Bytes that stand for `byte * scale`, as `uploadBytes` stores them. */
export interface ByteData {
  /**
   * The bytes, row-major: a copy the backend owns, or, for bytes that already lived in the kernels'
   * memory (`allocateBytes`), those bytes themselves.
   */
  readonly bytes: Uint8Array;
  /** The value of one step of a byte: 1/255 for pixels scaled to [0, 1]. */
  readonly scale: number;
  /** The bytes lie in the kernels' memory, where the kernels read them in place. */
  readonly resident?: boolean;
}

/** Rows of a byte matrix picked by index (`gatherRows`): a batch of a data set, copied only when used. */
export interface ByteRows {
  /** The matrix, `[count, width]`. */
  readonly source: ByteData;
  /** Values per row. */
  readonly width: number;
  /** Which rows of `source`, in order. */
  readonly rows: Uint32Array;
}

/** A left operand of a kernel: floats, bytes with their scale, or rows of such bytes. */
export type Input = Float32Array | ByteData | ByteRows;

/** The operands of the dense layer with softmax cross-entropy: `x` `[m,k]`, `w` `[k,n]`, `b` `[1,n]`, `targets` `[m,n]`. */
export interface Layer {
  readonly x: Input;
  readonly w: Float32Array;
  readonly b: Float32Array;
  readonly targets: Float32Array;
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/** What `linearSoftmaxCrossEntropy` returns, unpadded. */
export interface LinearStep {
  readonly loss: Float32Array;
  readonly correct: Float32Array;
  readonly gradW: Float32Array;
  readonly gradB: Float32Array;
}

/** Whether an operand is bytes (whole, or rows picked by index), which the kernels scale as they read. */
export function isBytes(input: Input): input is ByteData | ByteRows {
  return !(input instanceof Float32Array);
}

/** Whether an operand is rows of a byte matrix picked by index. */
export function isRows(input: Input): input is ByteRows {
  return !(input instanceof Float32Array) && "rows" in input;
}
