import type { Tensor2D } from "@tensorflow/tfjs-core";
import type { Shape, Tensor } from "@tensorplug/core";
import { TFJS } from "./names.js";

/**
 * A tensorplug handle around one tfjs `Tensor2D`. The handle, not the tfjs tensor, is what
 * `live()` counts: every handle owns exactly one tfjs tensor, so `tf.memory().numTensors` moves in
 * step with `live()`.
 */
export class TfjsTensor implements Tensor {
  readonly backend = TFJS;
  readonly shape: Shape;
  /** `null` once disposed (by `dispose` or the backend's `close`), so a later use fails loudly. */
  value: Tensor2D | null;

  constructor(value: Tensor2D, shape: Shape) {
    this.value = value;
    this.shape = shape;
  }
}
