import type { Shape } from "@tensorplug/core";
import { type ArgKind, dims, type KernelSpec, memoized, QUAD } from "../kernel-spec.js";
import { pairedForwardSource } from "./byte-pairs.js";
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
 * `op(a) · op(b)`, one thread per output element with a dot product of length `k` (GL's form); the
 * transposes are folded into the indexing, so no transposed copy is made. With `transposedOutput`
 * the kernel writes the product transposed, `[n,m]`: GL rasterisers shade blocks of pixels, which
 * a 10-wide target fills badly.
 */
export function matmulSpec(p: MatmulProblem, transposedOutput = false): KernelSpec {
  // Each flag has its own tag: with one letter for both, 1x7·(1x7)ᵀ and (1x7)ᵀ·1x7 shared a cache
  // key, and the first ran the second's 7x7 kernel.
  const flags = `${p.transA ? "+tA" : ""}${p.transB ? "+tB" : ""}${transposedOutput ? "+tOut" : ""}`;
  const key = `matmul${flags}|${dims(p.a)}|${dims(p.b)}`;
  return memoized(key, () => buildMatmul(key, p, transposedOutput));
}

function buildMatmul(key: string, p: MatmulProblem, transposedOutput: boolean): KernelSpec {
  const { m, k, n, transA, transB } = p;
  // i walks op(a)'s rows, j op(b)'s columns; which thread axis carries each depends on the layout.
  const [i, j] = transposedOutput ? [COL, ROW] : [ROW, COL];
  const term = (q: string) =>
    `${transA ? `a[${q}][${i}]` : `a[${i}][${q}]`} * ${transB ? `b[${j}][${q}]` : `b[${q}][${j}]`}`;
  return {
    key,
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
  const key = `transpose|${dims(x)}`;
  return memoized(key, () => ({
    key,
    source: `function(a) { return a[${COL}][${ROW}]; }`,
    output: [x[1], x[0]],
    args: ["tensor"],
  }));
}

/** Whether writing `[n,m]` and transposing beats writing `[m,n]`: rows of a multiple of 4 instead of not. */
export function prefersTransposedOutput(m: number, n: number): boolean {
  return n % 4 !== 0 && m % 4 === 0;
}

/**
 * How a `rowQuads` matmul refers to its thread: `inline` writes `this.thread.x`/`y` into every
 * index, which gpu.js's WebAssembly keeps as integer SIMD arithmetic (a local would be a float,
 * converted back at every read); `locals` reads them once, which is what the JavaScript of cpu
 * mode wants.
 */
export type ThreadRefs = "inline" | "locals";

/** What a `rowQuads` product does besides `op(a) · op(b)`. */
export interface RowQuadsExtras {
  /** Adds a `[1,n]` bias (a third argument) to every row: the dense layer `x W + b`. */
  readonly bias?: boolean;
  /** `a` is a `ByteImage` read raw: each of its values is divided by this (see `ArgKind`). */
  readonly divisorA?: number;
  /** `b` is a `ByteImage` read raw: each of its values is divided by this. */
  readonly divisorB?: number;
  /**
   * With `divisorA`, not `transA` nor `transB`, no `divisorB`, `inline` and an even `k`: `a` is
   * read as byte pairs (see `ByteImage.pairs`), each value `lo + 256 hi`, decoded in the kernel
   * (`pairedForwardSource`); otherwise ignored.
   */
  readonly pairsA?: boolean;
}

/** Dot-product steps per loop iteration of the `rowQuads` matmul. */
const QUAD_UNROLL = 2;

/**
 * gpu.js's WebAssembly holds locals as floats: a flat index computed from one stays exact below
 * 2^24 elements, past which `a` is indexed by row and column.
 */
const FLAT_INDEX_LIMIT = 2 ** 24;

/**
 * `op(a) · op(b)` with each thread computing 4 neighbouring columns of one row (the `rowQuads`
 * layout). Each value of `op(a)` is loaded once for 4 products instead of once per product: in
 * webasm the 4 rows of a SIMD step need 4 scalar loads for `a` (gpu.js has no gathers), while the
 * 4 columns of `b` are the same for every lane. When `n` is not a multiple of 4 the last group
 * (a branch every lane takes alike) computes only its real columns. `a` is read through a flat
 * index from a per-thread base (a float SIMD add and one conversion per read, where a row and
 * column index costs an integer SIMD multiply too: 15% of a product in webasm). Measured per
 * 256x784 · 784x10 product: webasm 1.45 ms against 3.2 ms for one thread per element, cpu mode
 * 2.5 against 3.8.
 */
export function rowQuadsMatmulSpec(
  p: MatmulProblem,
  refs: ThreadRefs,
  extras: RowQuadsExtras = {},
): KernelSpec {
  const flags = `${p.transA ? "+tA" : ""}${p.transB ? "+tB" : ""}`;
  const more = `${extras.bias ? "+bias" : ""}${extras.divisorA ? `+a/${extras.divisorA}` : ""}${extras.pairsA ? "+pairs" : ""}${extras.divisorB ? `+b/${extras.divisorB}` : ""}`;
  const key = `matmulQ${refs === "inline" ? "i" : "l"}${flags}${more}|${dims(p.a)}|${dims(p.b)}`;
  return memoized(key, () => buildRowQuadsMatmul(key, p, refs, extras));
}

function buildRowQuadsMatmul(
  key: string,
  p: MatmulProblem,
  refs: ThreadRefs,
  extras: RowQuadsExtras,
): KernelSpec {
  const { m, k, n, transA, transB } = p;
  const flatA = p.a[0] * p.a[1] < FLAT_INDEX_LIMIT;
  // Byte pairs where they can be read (see `pairsA`) and b is floats as stored; otherwise a is
  // read byte by byte.
  const pairs =
    extras.pairsA === true &&
    !!extras.divisorA &&
    !transA &&
    !transB &&
    !extras.divisorB &&
    refs === "inline" &&
    k % 2 === 0 &&
    flatA;
  if (pairs) {
    const paired = pairedForwardSource(p.a, p.b, { bias: extras.bias === true, divisor: extras.divisorA! });
    const args: ArgKind[] = ["bytePairs", "tensor", ...(extras.bias ? (["tensor"] as const) : [])];
    return { key, ...paired, output: [m, n], args, layout: "rowQuads" };
  }
  const row = refs === "inline" ? "this.thread.x" : "i";
  const group = refs === "inline" ? `this.thread.y * ${QUAD}` : "j";
  const column = (c: number) => (c === 0 ? group : `${group} + ${c}`);
  const overA = extras.divisorA ? ` / ${extras.divisorA}` : "";
  const overB = extras.divisorB ? ` / ${extras.divisorB}` : "";
  // The flat index of op(a)[row][q] is base + q (a stored [m,k]) or base + q * m (stored [k,m]).
  const base = transA ? row : `${row} * ${k}`;
  const flatIndex = (q: string) =>
    transA ? `rb + ${/^\d+$/.test(q) ? Number(q) * m : `(${q}) * ${m}`}` : `rb + ${q}`;
  const readA = (q: string) =>
    `${flatA ? `a[${flatIndex(q)}]` : transA ? `a[${q}][${row}]` : `a[${row}][${q}]`}${overA}`;
  const readB = (q: string, c: number) =>
    `${transB ? `b[${column(c)}][${q}]` : `b[${q}][${column(c)}]`}${overB}`;
  // The sums of columns 0..width-1 of the group, over the whole dot product.
  const sums = (width: number) => {
    const cols = Array.from({ length: width }, (_, c) => c);
    const offsets = Array.from({ length: QUAD_UNROLL }, (_, u) => (u === 0 ? "p" : `p + ${u}`));
    const unrolled = k - (k % QUAD_UNROLL);
    const loop = [
      ...offsets.map((q, u) => `const v${u} = ${readA(q)};`),
      ...cols.map((c) => `s${c} += ${offsets.map((q, u) => `v${u} * ${readB(q, c)}`).join(" + ")};`),
    ].join(" ");
    // The steps past the last full unrolled one, with their index written in.
    const rest = Array.from({ length: k - unrolled }, (_, t) => String(unrolled + t)).flatMap((q) =>
      cols.map((c) => `s${c} += ${readA(q)} * ${readB(q, c)};`),
    );
    const addBias = extras.bias ? cols.map((c) => `s${c} += bias[0][${column(c)}];`) : [];
    const products = [
      ...(unrolled > 0 ? [`for (let p = 0; p < ${unrolled}; p += ${QUAD_UNROLL}) { ${loop} }`] : []),
      ...rest,
    ];
    return [...products, ...addBias].join("\n  ");
  };
  const full = Math.floor(n / QUAD);
  const partial = n % QUAD;
  let body: string;
  if (partial === 0) body = sums(QUAD);
  else if (full === 0) body = sums(partial);
  else body = `if (this.thread.y < ${full}) {\n  ${sums(QUAD)}\n  } else {\n  ${sums(partial)}\n  }`;
  const locals = refs === "locals" ? [`const i = this.thread.x;`, `const j = this.thread.y * ${QUAD};`] : [];
  const lines = [
    ...locals,
    ...(flatA ? [`const rb = ${base};`] : []),
    Array.from({ length: QUAD }, (_, c) => `let s${c} = 0;`).join(" "),
    body,
    `return [${Array.from({ length: QUAD }, (_, c) => `s${c}`).join(", ")}];`,
  ];
  return {
    key,
    source: `function(a, b${extras.bias ? ", bias" : ""}) {\n  ${lines.join("\n  ")}\n}`,
    output: [m, n],
    args: [
      extras.divisorA ? "bytes" : "tensor",
      extras.divisorB ? "bytes" : "tensor",
      ...(extras.bias ? (["tensor"] as const) : []),
    ],
    layout: "rowQuads",
  };
}
