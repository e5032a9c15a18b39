import { formatShape, InvalidTensorError, type Shape, type Tensor } from "@tensorplug/core";

export const CPU = "cpu";

/** A tensor whose data is a host Float32Array. */
export class CpuTensor implements Tensor {
  readonly backend = CPU;
  readonly shape: Shape;
  /** `null` once disposed, so a use after dispose fails loudly instead of reading stale data. */
  data: Float32Array | null;

  constructor(data: Float32Array, shape: Shape) {
    this.data = data;
    this.shape = shape;
  }
}

/** The live data of a handle, or an error when it was disposed or belongs to another backend. */
export function dataOf(op: string, t: Tensor): Float32Array {
  if (!(t instanceof CpuTensor)) {
    throw new InvalidTensorError(
      `${op}: tensor ${formatShape(t.shape)} belongs to backend "${t.backend}", not "${CPU}"`,
    );
  }
  if (t.data === null)
    throw new InvalidTensorError(`${op}: tensor ${formatShape(t.shape)} was used after dispose`);
  return t.data;
}
