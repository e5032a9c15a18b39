import { describe, expect, it } from "vitest";
import { flatten, unpackPairBlocks, unpackRowQuads } from "./device.js";

describe("flatten", () => {
  it("takes a flat array of the right length as it is, and copies rows otherwise", () => {
    const flat = Float32Array.from([1, 2, 3, 4, 5, 6]);
    expect(flatten(flat, [2, 3])).toBe(flat);
    const rows = [Float32Array.from([1, 2, 3]), Float32Array.from([4, 5, 6])];
    expect(Array.from(flatten(rows, [2, 3]))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("names what it got when the shape does not fit", () => {
    expect(() => flatten(Float32Array.from([1, 2, 3]), [2, 3])).toThrow(
      "gpu.js returned 3 values where 2 rows of 3 were expected",
    );
    expect(() => flatten([Float32Array.from([1, 2])], [1, 3])).toThrow("a row of 2 where 3 were expected");
  });
});

describe("unpackRowQuads", () => {
  // A 2x6 product: row 0 is 0..5, row 1 is 10..15; groups of 4 columns, the second half padding.
  const expected = [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15];
  const pad = -1;

  it("reads the flat form: 4 values per thread, threads row by row within each group", () => {
    const flat = Float32Array.from([0, 1, 2, 3, 10, 11, 12, 13, 4, 5, pad, pad, 14, 15, pad, pad]);
    expect(Array.from(unpackRowQuads(flat, [2, 6]))).toEqual(expected);
  });

  it("reads the nested form, [group][row] of 4 values", () => {
    const nested = [
      [Float32Array.from([0, 1, 2, 3]), Float32Array.from([10, 11, 12, 13])],
      [Float32Array.from([4, 5, pad, pad]), Float32Array.from([14, 15, pad, pad])],
    ];
    expect(Array.from(unpackRowQuads(nested, [2, 6]))).toEqual(expected);
  });

  it("refuses a result of the wrong size", () => {
    expect(() => unpackRowQuads([[Float32Array.from([0, 1, 2, 3])]], [2, 6])).toThrow(
      "gpu.js returned 1 rows where 2 groups of 2 rows were expected",
    );
  });
});

describe("unpackPairBlocks", () => {
  it("reads 2 rows x 2 columns per thread, the row pair varying fastest, and drops the padding", () => {
    // A 3x3 result, element [i][j] = 10 i + j; threads (row pair, column pair), padding -1.
    const pad = -1;
    const flat = Float32Array.from([
      ...[0, 1, 10, 11], // rows 0-1, columns 0-1
      ...[20, 21, pad, pad], // rows 2-3, columns 0-1
      ...[2, pad, 12, pad], // rows 0-1, column 2
      ...[22, pad, pad, pad], // rows 2-3, column 2
    ]);
    expect(Array.from(unpackPairBlocks(flat, [3, 3]))).toEqual([0, 1, 2, 10, 11, 12, 20, 21, 22]);
  });

  it("refuses a result of the wrong size", () => {
    expect(() => unpackPairBlocks(new Float32Array(12), [3, 3])).toThrow(
      "gpu.js returned 12 values where 16 values were expected",
    );
  });
});
