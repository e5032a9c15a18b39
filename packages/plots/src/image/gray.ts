import type { DecodedPng } from "../png/decode.js";

/** One channel of floats, row after row. */
export interface GrayImage {
  /** Columns, in pixels. */
  readonly width: number;
  /** Rows, in pixels. */
  readonly height: number;
  /** `width * height` values, in [0, 1] for images from PNGs. */
  readonly values: Float32Array;
}

/**
 * Gray levels of a decoded PNG: gray files as they are, colour through ITU-R BT.601 luma
 * (0.299 R + 0.587 G + 0.114 B, what PIL's `convert("L")` uses), and transparent pixels laid over
 * black, the background of Fashion-MNIST.
 */
export function toGray(png: DecodedPng): GrayImage {
  const { width, height, rgba } = png;
  const values = new Float32Array(width * height);
  for (let i = 0; i < values.length; i++) {
    const r = rgba[4 * i]!;
    const g = rgba[4 * i + 1]!;
    const b = rgba[4 * i + 2]!;
    const a = rgba[4 * i + 3]!;
    const luma = png.gray ? r : 0.299 * r + 0.587 * g + 0.114 * b;
    values[i] = luma * a;
  }
  return { width, height, values };
}
