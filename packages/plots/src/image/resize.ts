import type { GrayImage } from "./gray.js";

/** Weights of the output samples along one axis: for each, the first input index and its weights. */
function axisWeights(from: number, to: number): { start: number; weights: Float64Array }[] {
  const scale = from / to;
  // Shrinking widens the triangle to cover every input pixel (anti-aliasing); enlarging is bilinear.
  const support = Math.max(1, scale);
  const out: { start: number; weights: Float64Array }[] = [];
  for (let i = 0; i < to; i++) {
    const centre = (i + 0.5) * scale;
    const start = Math.max(0, Math.floor(centre - support));
    const end = Math.min(from, Math.ceil(centre + support));
    const weights = new Float64Array(end - start);
    let total = 0;
    for (let k = start; k < end; k++) {
      const w = Math.max(0, 1 - Math.abs((k + 0.5 - centre) / support));
      weights[k - start] = w;
      total += w;
    }
    for (let k = 0; k < weights.length; k++) weights[k]! /= total || 1;
    out.push({ start, weights });
  }
  return out;
}

/**
 * Resamples to `width x height` with a triangle filter, separably: bilinear when enlarging and
 * area-weighted when shrinking, as PIL's and torchvision's anti-aliased bilinear resize do.
 */
export function resizeGray(image: GrayImage, width: number, height: number): GrayImage {
  if (image.width === width && image.height === height)
    return { width, height, values: image.values.slice() };
  const columns = axisWeights(image.width, width);
  const rows = axisWeights(image.height, height);
  const wide = new Float64Array(width * image.height);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < width; x++) {
      const { start, weights } = columns[x]!;
      let sum = 0;
      for (let k = 0; k < weights.length; k++)
        sum += weights[k]! * image.values[y * image.width + start + k]!;
      wide[y * width + x] = sum;
    }
  }
  const values = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const { start, weights } = rows[y]!;
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k]! * wide[(start + k) * width + x]!;
      values[y * width + x] = sum;
    }
  }
  return { width, height, values };
}
