import { describe, expect, it } from "vitest";
import { ByteImage } from "./byte-image.js";

describe("ByteImage", () => {
  const bytes = Uint8Array.from([0, 1, 2, 127, 128, 254, 255, 7]);

  it("keeps a copy of the bytes, and its values are Math.fround(byte * scale) to the bit", () => {
    const image = ByteImage.copy(bytes, 1 / 255)!;
    expect(image.divisor).toBe(255);
    bytes[0] = 99;
    expect(image.bytes[0]).toBe(0);
    bytes[0] = 0;
    expect(Array.from(image.values())).toEqual(Array.from(bytes, (b) => Math.fround(b * (1 / 255))));
  });

  it("is not made for a scale without an exact divisor", () => {
    // 0.3 is no integer's reciprocal; 2/255 is nearest 1/128, which is not it.
    expect(ByteImage.copy(bytes, 0.3)).toBeUndefined();
    expect(ByteImage.copy(bytes, 2 / 255)).toBeUndefined();
  });

  it("writes into a buffer it is given", () => {
    const into = new Uint8Array(bytes.length);
    const image = ByteImage.copy(bytes, 0.5, into)!;
    expect(image.bytes).toBe(into);
    expect(Array.from(into)).toEqual(Array.from(bytes));
  });

  it("reads rows of even length as pairs lo + 256 hi, without copying; odd rows have none", () => {
    const image = ByteImage.copy(bytes, 0.5)!;
    const pairs = image.pairs(4)!;
    expect(pairs.buffer).toBe(image.bytes.buffer);
    expect(Array.from(pairs)).toEqual([0 + 256 * 1, 2 + 256 * 127, 128 + 256 * 254, 255 + 256 * 7]);
    expect(image.pairs(3)).toBeUndefined();
  });
});
