import { describe, expect, it } from "vitest";
import { parseReferenceOutput } from "../numpy-reference.js";
import { type BenchRow, benchMarkdown, maxAbsDiff, median } from "./table.js";

const row: BenchRow = {
  backend: "tfjs",
  mode: "wasm",
  secondsPerEpoch: 0.5,
  trainSeconds: 5,
  wholeRunSeconds: 7.25,
  peakRssMiB: 204.4,
  testAccuracy: 0.8301,
  maxWeightDiffVsCpu: 6.7e-8,
  vsNumpy: 2.5,
};

describe("bench table", () => {
  it("has every column, the NumPy row as 1.00x, and the memory note with the baseline", () => {
    const reference = {
      script: "r.py",
      loadSeconds: 1,
      trainSeconds: 2,
      testAccuracy: 0.8293,
      wholeRunSeconds: 4,
      peakRssMiB: 390,
    };
    const md = benchMarkdown([row], reference, 10, 176);
    const lines = md.split("\n");
    expect(lines[0]).toBe(
      "| backend | mode | s/epoch | train s (10 epochs) | whole run s | peak MiB | test acc | max abs W diff vs cpu | vs NumPy |",
    );
    expect(lines[2]).toBe("| tfjs | wasm | 0.500 | 5.00 | 7.25 | 204 | 0.8301 | 6.70e-8 | 2.50x |");
    expect(lines[3]).toBe("| numpy (reference) | float32 | 0.200 | 2.00 | 4.00 | 390 | 0.8293 | - | 1.00x |");
    expect(md).toMatch(/no backend peaks at 176 MiB/);
  });
  it("says n/a for the ratio without a reference", () => {
    const md = benchMarkdown([{ ...row, vsNumpy: null, maxWeightDiffVsCpu: null }], undefined, 1, null);
    expect(md.split("\n")[2]).toMatch(/\| - \| n\/a \|$/);
    expect(md).not.toMatch(/numpy \(reference\)/);
  });
  it("median and max abs diff", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(maxAbsDiff([1, 2, 3], [1, 2.5, 2])).toBe(1);
  });
  it("reads the NumPy reference's output", () => {
    const out =
      "epoch 1: loss 0.7 train acc 0.75 test acc 0.7800\nepoch 2: loss 0.5 train acc 0.8 test acc 0.8012\nload 0.91s train 3.20s\n";
    expect(parseReferenceOutput(out)).toEqual({ loadSeconds: 0.91, trainSeconds: 3.2, testAccuracy: 0.8012 });
    expect(parseReferenceOutput("nothing")).toBeUndefined();
  });
});
