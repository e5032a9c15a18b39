import { formatShape, InvalidTensorError, type Shape, type Tensor } from "@tensorplug/core";
import type { Payload } from "./device.js";
import { GPUJS } from "./modes.js";

/** A tensor of the gpujs backend: a shape and the texture or host array holding its values. */
export class GpujsTensor implements Tensor {
  readonly backend = GPUJS;
  readonly shape: Shape;
  /** `null` once disposed, so a use after dispose fails loudly instead of reading a freed texture. */
  payload: Payload | null;

  constructor(payload: Payload, shape: Shape) {
    this.payload = payload;
    this.shape = shape;
  }
}

/** The payload of a live gpujs tensor, or an `InvalidTensorError` naming the op. */
export function payloadOf(op: string, t: Tensor): Payload {
  if (!(t instanceof GpujsTensor)) {
    throw new InvalidTensorError(
      `${op}: tensor ${formatShape(t.shape)} belongs to backend "${t.backend}", not "${GPUJS}"`,
    );
  }
  if (t.payload === null)
    throw new InvalidTensorError(`${op}: tensor ${formatShape(t.shape)} was used after dispose`);
  return t.payload;
}
