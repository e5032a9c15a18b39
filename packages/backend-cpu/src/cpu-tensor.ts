import { formatShape, InvalidTensorError, type Shape, type Tensor } from "@tensorplug/core";
import { type Input, isRows } from "./kernel-operands.js";

export const CPU = "cpu";

/**
 * A tensor whose data lives on the host: floats, bytes with their scale (from `uploadBytes`), or
 * rows of such bytes picked by index (from `gatherRows`).
 */
export class CpuTensor implements Tensor {
  readonly backend = CPU;
  readonly shape: Shape;
  /** `null` once disposed, so a use after dispose fails loudly instead of reading stale data. */
  data: Input | null;

  constructor(data: Input, shape: Shape) {
    this.data = data;
    this.shape = shape;
  }
}

function live(op: string, t: Tensor): CpuTensor & { data: Input } {
  if (!(t instanceof CpuTensor)) {
    throw new InvalidTensorError(
      `${op}: tensor ${formatShape(t.shape)} belongs to backend "${t.backend}", not "${CPU}"`,
    );
  }
  if (t.data === null)
    throw new InvalidTensorError(`${op}: tensor ${formatShape(t.shape)} was used after dispose`);
  return t as CpuTensor & { data: Input };
}

/** The data of a live handle as a kernel input: bytes stay bytes. */
export function inputOf(op: string, t: Tensor): Input {
  return live(op, t).data;
}

/**
 * The data of a live handle as floats. Bytes are scaled once, on first use, and the floats kept
 * in their place: every op but the WebAssembly kernels works on floats.
 */
export function dataOf(op: string, t: Tensor): Float32Array {
  const tensor = live(op, t);
  const data = tensor.data;
  if (data instanceof Float32Array) return data;
  const floats = new Float32Array(t.shape[0] * t.shape[1]);
  if (isRows(data)) {
    const { source, width, rows } = data;
    for (let i = 0; i < rows.length; i++) {
      const from = rows[i]! * width;
      for (let c = 0; c < width; c++) floats[i * width + c] = source.bytes[from + c]! * source.scale;
    }
  } else {
    for (let i = 0; i < floats.length; i++) floats[i] = data.bytes[i]! * data.scale;
  }
  tensor.data = floats;
  return floats;
}
