import { Random, type Shape } from "@tensorplug/core";
import type { HostMatrix } from "./reference/index.js";

/** A host matrix in the backend's own input format: what `upload` takes and `read` gives back. */
export interface F32Matrix extends HostMatrix {
  /** `rows * cols` float32 values, row-major: exactly what the backend is given. */
  readonly data: Float32Array;
}

/** How to fill a seeded matrix. */
export type Fill =
  | {
      /** Uniform in `[min, max)`. */
      readonly uniform: readonly [min: number, max: number];
    }
  | {
      /** Normal with mean 0 and this standard deviation. */
      readonly normal: number;
    };

/**
 * A matrix filled from core's seeded `Random`. Used for the model-sized shapes, where letting
 * fast-check generate 200k floats one by one would dominate the run; the seed is the repro.
 */
export function seededMatrix(shape: Shape, seed: number, fill: Fill): F32Matrix {
  const rng = new Random(seed);
  const data = new Float32Array(shape[0] * shape[1]);
  if ("normal" in fill) return { shape, data: rng.normalArray(data.length, 0, fill.normal) };
  const [lo, hi] = fill.uniform;
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * rng.next();
  return { shape, data };
}

/** `count` labels in `0..classes-1` from a seeded `Random`. */
export function seededLabels(count: number, classes: number, seed: number): Uint8Array {
  const rng = new Random(seed);
  return Uint8Array.from({ length: count }, () => rng.nextInt(classes));
}

/** One-hot rows as a float32 matrix, the format the model uploads. */
export function oneHotF32(labels: ArrayLike<number>, classes: number): F32Matrix {
  const data = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) data[i * classes + labels[i]!] = 1;
  return { shape: [labels.length, classes], data };
}
