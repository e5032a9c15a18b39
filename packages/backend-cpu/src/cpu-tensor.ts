import { formatShape, InvalidTensorError, type Shape, type Tensor } from "@tensorplug/core";
import type { ByteData, Input } from "./wasm-kernels.js";

export const CPU = "cpu";

/** A tensor whose data lives on the host: floats, or bytes with their scale (from `uploadBytes`). */
export class CpuTensor implements Tensor {
  readonly backend = CPU;
  readonly shape: Shape;
  /** `null` once disposed, so a use after dispose fails loudly instead of reading stale data. */
  data: Float32Array | ByteData | null;

  constructor(data: Float32Array | ByteData, shape: Shape) {
    this.data = data;
    this.shape = shape;
  }
}

function live(op: string, t: Tensor): CpuTensor & { data: Float32Array | ByteData } {
  if (!(t instanceof CpuTensor)) {
    throw new InvalidTensorError(
      `${op}: tensor ${formatShape(t.shape)} belongs to backend "${t.backend}", not "${CPU}"`,
    );
  }
  if (t.data === null)
    throw new InvalidTensorError(`${op}: tensor ${formatShape(t.shape)} was used after dispose`);
  return t as CpuTensor & { data: Float32Array | ByteData };
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
  const floats = new Float32Array(data.bytes.length);
  for (let i = 0; i < floats.length; i++) floats[i] = data.bytes[i]! * data.scale;
  tensor.data = floats;
  return floats;
}
