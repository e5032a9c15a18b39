import { describe, expect, it } from "vitest";
import { bytePairsGradientSpec } from "./byte-pairs.js";
import { matmulSpec, rowQuadsMatmulSpec } from "./matmul.js";

describe("matmulSpec", () => {
  it("gives each combination of transpose flags its own cache key, for the same operand shapes", () => {
    const keys = new Set<string>();
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const transposedOutput of [false, true]) {
          const spec = matmulSpec(
            { a: [1, 7], b: [1, 7], m: 1, k: 7, n: 1, transA, transB },
            transposedOutput,
          );
          keys.add(spec.key);
        }
      }
    }
    expect(keys.size).toBe(8);
  });

  it("gives rowQuads kernels their own keys: per transpose flag, per thread form, apart from matmulSpec's", () => {
    const keys = new Set<string>();
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const problem = { a: [1, 7], b: [1, 7], m: 1, k: 7, n: 1, transA, transB } as const;
        keys.add(rowQuadsMatmulSpec(problem, "inline").key);
        keys.add(rowQuadsMatmulSpec(problem, "locals").key);
        keys.add(matmulSpec(problem).key);
      }
    }
    expect(keys.size).toBe(12);
  });

  it("writes a rowQuads product as [m,n] with 4 columns per thread", () => {
    const spec = rowQuadsMatmulSpec(
      { a: [96, 784], b: [784, 10], m: 96, k: 784, n: 10, transA: false, transB: false },
      "inline",
    );
    expect(spec.output).toEqual([96, 10]);
    expect(spec.layout).toBe("rowQuads");
    // The last group computes its 2 real columns only.
    expect(spec.source).toContain("if (this.thread.y < 2) {");
  });

  it("writes [m,n], or [n,m] when the output is transposed", () => {
    const problem = {
      a: [96, 784],
      b: [784, 10],
      m: 96,
      k: 784,
      n: 10,
      transA: false,
      transB: false,
    } as const;
    expect(matmulSpec(problem).output).toEqual([96, 10]);
    expect(matmulSpec(problem, true).output).toEqual([10, 96]);
  });

  it("reads a left operand of bytes as byte pairs only where rows split into pairs, in webasm's form", () => {
    const problem = (k: number) =>
      ({ a: [3, k], b: [k, 5], m: 3, k, n: 5, transA: false, transB: false }) as const;
    const even = rowQuadsMatmulSpec(problem(6), "inline", { divisorA: 255, pairsA: true });
    expect(even.args[0]).toBe("bytePairs");
    expect(even.source).toContain("Math.floor(");
    expect(rowQuadsMatmulSpec(problem(7), "inline", { divisorA: 255, pairsA: true }).args[0]).toBe("bytes");
    expect(rowQuadsMatmulSpec(problem(6), "locals", { divisorA: 255, pairsA: true }).args[0]).toBe("bytes");
    expect(rowQuadsMatmulSpec(problem(6), "inline", { divisorA: 255 }).args[0]).toBe("bytes");
    expect(rowQuadsMatmulSpec(problem(6), "inline").args[0]).toBe("tensor");
  });

  it("writes the byte-pair weight gradient xᵀ·G as [k,n] in 2x2 blocks", () => {
    const spec = bytePairsGradientSpec([96, 784], [96, 10], 255);
    expect(spec.output).toEqual([784, 10]);
    expect(spec.layout).toBe("pairBlocks");
    expect(spec.args).toEqual(["bytePairs", "tensor"]);
    expect(bytePairsGradientSpec([96, 784], [96, 10], 2).key).not.toBe(spec.key);
  });
});
