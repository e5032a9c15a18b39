import { describe, expect, it } from "vitest";
import { assertSameBits, firstBitDifference } from "./bits.js";
import { accumulated, assertClose, findMismatch, toleranceFor } from "./tolerance.js";

describe("tolerance", () => {
  const t32 = toleranceFor(32);

  it("derives from the precision", () => {
    expect(t32).toEqual({ rel: 1e-5, abs: 1e-6 });
    expect(toleranceFor(16).rel).toBeGreaterThan(t32.rel);
  });

  it("grows with the square root of the number of accumulated terms", () => {
    const t = accumulated(t32, 100);
    expect(t.rel).toBeCloseTo(1e-4, 15);
    expect(t.abs).toBeCloseTo(1e-5, 15);
    expect(accumulated(t32, 0)).toEqual(t32);
  });

  it("allows abs + rel * max(|expected|, magnitude)", () => {
    expect(findMismatch([1000.009], [1000], t32)).toBeUndefined();
    expect(findMismatch([1000.02], [1000], t32)?.index).toBe(0);
    // A sum that cancelled to 0 is judged against the size of its terms.
    expect(findMismatch([1e-4], [0], t32)).toBeDefined();
    expect(findMismatch([1e-4], [0], t32, [100])).toBeUndefined();
  });

  it("fails NaN, and requires infinities to match exactly", () => {
    expect(findMismatch([Number.NaN], [1], t32)).toBeDefined();
    expect(findMismatch([Number.NaN], [Number.NaN], t32)).toBeUndefined();
    expect(findMismatch([Number.POSITIVE_INFINITY], [Number.POSITIVE_INFINITY], t32)).toBeUndefined();
    expect(findMismatch([3.4e38], [Number.POSITIVE_INFINITY], t32)).toBeDefined();
  });

  it("names the label, the element and the numbers in its message", () => {
    expect(() => assertClose([1, 2, 3, 5], [1, 2, 3, 4], t32, "add 2x2 · 1x2", { shape: [2, 2] })).toThrow(
      /^add 2x2 · 1x2: element \[1,1\] is 5, reference 4 \(off by 1.000, allowed /,
    );
    expect(() => assertClose([1], [1, 2], t32, "sum")).toThrow(/sum: got 1 values, the reference has 2/);
  });
});

describe("bitwise comparison", () => {
  it("treats NaN as equal to itself and -0 as different from 0", () => {
    expect(firstBitDifference(Float32Array.of(Number.NaN), Float32Array.of(Number.NaN))).toBe(-1);
    expect(firstBitDifference(Float32Array.of(1, 0), Float32Array.of(1, -0))).toBe(1);
    expect(() => assertSameBits(Float32Array.of(1), Float32Array.of(1, 2), "x")).toThrow(/lengths 1 and 2/);
  });

  it("respects subarray offsets", () => {
    const big = Float32Array.of(9, 1, 2);
    expect(firstBitDifference(big.subarray(1), Float32Array.of(1, 2))).toBe(-1);
  });
});
