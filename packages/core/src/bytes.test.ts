import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exactByteDivisor, scaleBytesInto } from "./bytes.js";

const EVERY_BYTE = Uint8Array.from({ length: 256 }, (_, i) => i);

describe("scaleBytesInto", () => {
  it("gives Math.fround(byte * scale) for every byte and any finite scale", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }), (scale) => {
        const out = scaleBytesInto(EVERY_BYTE, scale, new Float32Array(256));
        for (let byte = 0; byte < 256; byte++) expect(out[byte]).toBe(Math.fround(byte * scale));
      }),
    );
  });

  it("writes only the bytes' length into a longer output", () => {
    const out = new Float32Array(4).fill(-1);
    scaleBytesInto(Uint8Array.of(255, 51), 1 / 255, out);
    expect(Array.from(out)).toEqual([1, Math.fround(51 / 255), -1, -1]);
  });
});

describe("exactByteDivisor", () => {
  it("finds 255 for the pixel scale, and 1 and 2 for 1 and 1/2", () => {
    expect(exactByteDivisor(1 / 255)).toBe(255);
    expect(exactByteDivisor(1)).toBe(1);
    expect(exactByteDivisor(0.5)).toBe(2);
  });

  it("finds none where no integer divides like the scale multiplies", () => {
    for (const scale of [0.3, 2, 0, -1 / 255, Number.NaN, 1e-30]) expect(exactByteDivisor(scale)).toBe(0);
  });

  it("whenever it names a divisor, dividing in float32 gives every byte's scaled value", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (d) => {
        const scale = 1 / d;
        const found = exactByteDivisor(scale);
        if (found === 0) return;
        expect(found).toBe(d);
        const scaled = scaleBytesInto(EVERY_BYTE, scale, new Float32Array(256));
        // Float32 division of two float32 integers, rounded once: what an IEEE device computes.
        for (let byte = 0; byte < 256; byte++) expect(Math.fround(byte / found)).toBe(scaled[byte]);
      }),
    );
  });
});
