import type { Shape } from "@tensorplug/core";
import { dims, type KernelSpec } from "../kernel-spec.js";
import { COL, ROW } from "./common.js";

/** The dimensions and flags of `op(a) · op(b)`. */
export interface MatmulProblem {
  readonly a: Shape;
  readonly b: Shape;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

/**
 * `op(a) · op(b)`, one thread per output element with a dot product of length `k`; the transposes
 * are folded into the indexing, so no transposed copy is made. With `transposedOutput` the kernel
 * writes the product transposed, `[n,m]`: webasm vectorises 4 neighbouring threads of a row, so an
 * output 256 or 784 wide runs entirely in SIMD where one 10 wide leaves a scalar tail on every row
 * (and GL rasterisers shade blocks of pixels, which a 10-wide target fills badly too).
 */
export function matmulSpec(p: MatmulProblem, transposedOutput = false): KernelSpec {
  const { a, b, m, k, n, transA, transB } = p;
  // i walks op(a)'s rows, j op(b)'s columns; which thread axis carries each depends on the layout.
  const [i, j] = transposedOutput ? [COL, ROW] : [ROW, COL];
  const term = (q: string) =>
    `${transA ? `a[${q}][${i}]` : `a[${i}][${q}]`} * ${transB ? `b[${j}][${q}]` : `b[${q}][${j}]`}`;
  // Each flag has its own tag: with one letter for both, 1x7·(1x7)ᵀ and (1x7)ᵀ·1x7 shared a cache
  // key, and the first ran the second's 7x7 kernel.
  const flags = `${transA ? "+tA" : ""}${transB ? "+tB" : ""}${transposedOutput ? "+tOut" : ""}`;
  return {
    key: `matmul${flags}|${dims(a)}|${dims(b)}`,
    source: `function(a, b) {
  let acc = 0;
  ${dotProduct(k, term)}
  return acc;
}`,
    output: transposedOutput ? [n, m] : [m, n],
    args: ["tensor", "tensor"],
  };
}

const UNROLL = 4;

/**
 * Statements adding the `k` terms to `acc`, four per loop step and the rest one by one: a quarter of
 * the loop overhead, which is a tenth of the time in webasm and a quarter in cpu mode.
 */
function dotProduct(k: number, term: (index: string) => string): string {
  const unrolled = k - (k % UNROLL);
  const loops: string[] = [];
  if (unrolled > 0) {
    const step = Array.from({ length: UNROLL }, (_, d) => term(d === 0 ? "p" : `p + ${d}`)).join(" + ");
    loops.push(`for (let p = 0; p < ${unrolled}; p += ${UNROLL}) { acc += ${step}; }`);
  }
  if (unrolled < k) loops.push(`for (let p = ${unrolled}; p < ${k}; p++) { acc += ${term("p")}; }`);
  return loops.join("\n  ");
}

/** `x` transposed, `[n,m]` from `[m,n]`. */
export function transposeSpec(x: Shape): KernelSpec {
  return {
    key: `transpose|${dims(x)}`,
    source: `function(a) { return a[${COL}][${ROW}]; }`,
    output: [x[1], x[0]],
    args: ["tensor"],
  };
}

/** Whether writing `[n,m]` and transposing beats writing `[m,n]`: rows of a multiple of 4 instead of not. */
export function prefersTransposedOutput(m: number, n: number): boolean {
  return n % 4 !== 0 && m % 4 === 0;
}
