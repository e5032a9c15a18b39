import { describe, expect, it } from "vitest";
import type { DecodedPng } from "../png/decode.js";
import { toGray } from "./gray.js";
import { resizeGray } from "./resize.js";

function png(width: number, height: number, rgba: number[], gray = false): DecodedPng {
  return {
    width,
    height,
    bitDepth: 8,
    colorType: gray ? 0 : 6,
    interlaced: false,
    rgba: Float32Array.from(rgba),
    gray,
    transparency: !gray,
  };
}

describe("toGray", () => {
  it("takes BT.601 luma of colour and lays transparency over black", () => {
    const image = toGray(png(3, 1, [1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0.5]));
    expect(Array.from(image.values)).toEqual([Math.fround(0.299), Math.fround(0.587), Math.fround(0.5)]);
  });
  it("keeps gray files' levels as they are", () => {
    expect(Array.from(toGray(png(1, 1, [0.2, 0.2, 0.2, 1], true)).values)).toEqual([Math.fround(0.2)]);
  });
});

describe("resizeGray", () => {
  const ramp = (w: number, h: number) => ({
    width: w,
    height: h,
    values: Float32Array.from({ length: w * h }, (_, i) => (i % w) / (w - 1)),
  });
  it("is the identity at the same size", () => {
    const image = ramp(5, 3);
    expect(Array.from(resizeGray(image, 5, 3).values)).toEqual(Array.from(image.values));
  });
  it("keeps a constant image constant at any size", () => {
    const flat = { width: 37, height: 19, values: new Float32Array(37 * 19).fill(0.25) };
    for (const [w, h] of [
      [28, 28],
      [100, 3],
      [1, 1],
    ] as const) {
      for (const v of resizeGray(flat, w, h).values) expect(v).toBeCloseTo(0.25, 6);
    }
  });
  it("halving averages each 2x2 block's neighbourhood, and keeps the mean", () => {
    const image = { width: 4, height: 4, values: Float32Array.from({ length: 16 }, (_, i) => i) };
    const half = resizeGray(image, 2, 2);
    let mean = 0;
    for (const v of half.values) mean += v / 4;
    expect(mean).toBeCloseTo(7.5, 5);
    expect(half.values[0]!).toBeLessThan(half.values[3]!);
  });
  it("enlarging a ramp is linear between pixel centres", () => {
    const image = { width: 2, height: 1, values: Float32Array.of(0, 1) };
    const out = resizeGray(image, 8, 1);
    // Output centres at (i + 0.5) / 4 input pixels; inputs' centres at 0.5 and 1.5; clamped outside.
    expect(Array.from(out.values, (v) => Math.round(v * 1000) / 1000)).toEqual([
      0, 0, 0.125, 0.375, 0.625, 0.875, 1, 1,
    ]);
  });
});
