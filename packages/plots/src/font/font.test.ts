import { describe, expect, it } from "vitest";
import { ASCENT, DESCENT, GLYPHS } from "./glyphs.js";
import { rotateLeft, scale2x } from "./mask.js";
import { hasGlyph, lineHeight, measureText, textMask } from "./text.js";

describe("the pixel font", () => {
  it("has every printable ASCII character", () => {
    const missing = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter(
      (c) => !hasGlyph(c),
    );
    expect(missing).toEqual([]);
  });
  it("every glyph is a rectangle of '#' and '.' no taller than ascent + descent", () => {
    for (const [char, source] of Object.entries(GLYPHS)) {
      const rows = source.split(" ");
      expect(rows.length, char).toBeLessThanOrEqual(ASCENT + DESCENT);
      expect(new Set(rows.map((r) => r.length)).size, `rows of ${char} differ in width`).toBe(1);
      expect(rows.join(""), char).toMatch(/^[#.]+$/);
    }
  });
  it("only descenders reach below the baseline", () => {
    const below = Object.entries(GLYPHS)
      .filter(([, s]) =>
        s
          .split(" ")
          .slice(ASCENT)
          .some((row) => row.includes("#")),
      )
      .map(([c]) => c)
      .sort();
    expect(below).toEqual([",", ";", "_", "g", "j", "p", "q", "y", "|"].sort());
  });
  it("digits share one width, so numbers line up", () => {
    expect(new Set([..."0123456789"].map((d) => measureText(d, 1))).size).toBe(1);
  });
  it("measures proportionally, with one pixel between letters, times the scale", () => {
    expect(measureText("il", 1)).toBe(1 + 1 + 2);
    expect(measureText("il", 3)).toBe(12);
    expect(measureText("", 2)).toBe(0);
  });
  it("a text mask is as wide as measured and one line high, ink where the glyph has it", () => {
    const mask = textMask("T", 1);
    expect([mask.width, mask.height]).toEqual([5, lineHeight(1)]);
    expect(Array.from(mask.data.subarray(0, 5))).toEqual([1, 1, 1, 1, 1]);
    expect(mask.data[1 * 5 + 2]).toBe(1);
    expect(mask.data[1 * 5 + 0]).toBe(0);
    const big = textMask("Hello", 3);
    expect([big.width, big.height]).toEqual([measureText("Hello", 3), lineHeight(3)]);
  });
  it("smoothed text keeps the ink of the pixel font, softened only at the edges", () => {
    const one = textMask("A", 1);
    const two = textMask("A", 2);
    let ink1 = 0;
    let ink2 = 0;
    for (const v of one.data) ink1 += v;
    for (const v of two.data) ink2 += v;
    expect(ink2 / 4).toBeGreaterThan(ink1 * 0.8);
    expect(ink2 / 4).toBeLessThan(ink1 * 1.2);
    expect(two.data.some((v) => v > 0 && v < 1)).toBe(true);
  });
  it("unknown characters draw as '?'", () => {
    expect(Array.from(textMask("\u4e00", 1).data)).toEqual(Array.from(textMask("?", 1).data));
  });
});

describe("mask transforms", () => {
  it("scale2x rounds a diagonal step and keeps a solid block solid", () => {
    const diagonal = { width: 2, height: 2, data: Float32Array.of(1, 0, 0, 1) };
    const out = scale2x(diagonal);
    // The two quarters touching the other diagonal pixel fill in, making a smooth 45-degree band.
    expect(Array.from(out.data)).toEqual([1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1]);
    const solid = scale2x({ width: 2, height: 1, data: Float32Array.of(1, 1) });
    expect(Array.from(solid.data)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });
  it("rotateLeft turns the top row into the left column, read bottom-up", () => {
    const mask = { width: 3, height: 2, data: Float32Array.of(1, 2, 3, 4, 5, 6) };
    const out = rotateLeft(mask);
    expect([out.width, out.height]).toEqual([2, 3]);
    expect(Array.from(out.data)).toEqual([3, 6, 2, 5, 1, 4]);
  });
});
