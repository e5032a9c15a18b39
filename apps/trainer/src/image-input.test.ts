import { decodePng, encodePng } from "@tensorplug/plots";
import { describe, expect, it } from "vitest";
import { describePng, toModelInput } from "./image-input.js";

describe("toModelInput: images the way the book makes them", () => {
  it("a 28x28 8-bit gray PNG is read as is: level / 255, nothing converted", () => {
    const data = Uint8Array.from({ length: 784 }, (_, i) => (i * 13) % 256);
    const input = toModelInput(decodePng(encodePng({ width: 28, height: 28, channels: 1, data })));
    expect(input.conversion).toEqual([]);
    for (let i = 0; i < 784; i++) expect(input.x[i]).toBe(Math.fround(data[i]! / 255));
  });
  it("colour and transparency are converted and listed, in order", () => {
    const rgba = new Uint8Array(28 * 28 * 4).fill(255);
    const input = toModelInput(decodePng(encodePng({ width: 28, height: 28, channels: 4, data: rgba })));
    expect(input.conversion).toEqual([
      "colour to gray (BT.601 luma)",
      "transparency laid over black",
      "levels scaled to [0, 1]",
    ]);
    expect(input.x[0]).toBeCloseTo(1, 5);
  });
  it("a light background is noticed (Fashion-MNIST garments are light on black)", () => {
    const white = new Uint8Array(100 * 100).fill(240);
    const input = toModelInput(decodePng(encodePng({ width: 100, height: 100, channels: 1, data: white })));
    expect(input.borderMean).toBeGreaterThan(0.9);
    expect(input.conversion).toEqual(["resized 100x100 to 28x28", "levels scaled to [0, 1]"]);
    const dark = toModelInput(
      decodePng(encodePng({ width: 28, height: 28, channels: 1, data: new Uint8Array(784) })),
    );
    expect(dark.borderMean).toBe(0);
  });
  it("describes a PNG in a few words", () => {
    const png = decodePng(encodePng({ width: 3, height: 2, channels: 3, data: new Uint8Array(18) }));
    expect(describePng(png)).toBe("3x2 RGB, 8-bit");
  });
});
