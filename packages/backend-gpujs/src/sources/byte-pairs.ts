import type { Shape } from "@tensorplug/core";
import { dims, type KernelSpec, memoized, QUAD } from "../kernel-spec.js";

// The two products of a training step on a batch of images read as byte pairs (`ByteImage.pairs`),
// webasm only. They are written around what gpu.js 2.24's WebAssembly makes of a kernel:
//
// - every local it declares is a float (an integer initialiser decays to float), so an index that
//   uses a loop counter converts it with `i32.trunc_sat_f32_s` at every array read, which V8 turns
//   into a rounding, a conversion and a branch per read. The operands are therefore presented to
//   gpu.js as 2-D views whose row is the loop counter (`views`): `t[q][c]` is `c + q * width`, and
//   with `c` a literal (or built from `this.thread.x`, an integer) each read converts the same `q`
//   and the step's offsets are constants;
// - a read whose index is the same for the 4 SIMD lanes (`this.thread.y` and literals) is one
//   scalar load and a splat, while `this.thread.y` itself is a global re-read at every use: one
//   branch per column group with the columns written in as literals drops that from every read of
//   the right operand;
// - the bytes are summed unscaled and divided by the divisor once per output (exact where the
//   scale is, e.g. 1/2; otherwise one rounding instead of one per product), where dividing every
//   decoded value cost two SIMD divisions per gathered pair.
//
// Measured on 256x784 · 784x10 (one process, alternating with the loop form they replace, best of
// 5 rounds on a busy 2-core machine): the forward product 0.78 ms against 1.06 ms, the weight
// gradient 0.87 ms against 1.37 ms.

/** Column groups (forward) or column pairs (gradient) up to which each gets its own branch. */
const MAX_BRANCHES = 8;

/** The largest of `candidates` (descending) that divides `count`. */
function largestDivisor(count: number, candidates: readonly number[]): number {
  return candidates.find((u) => count % u === 0) ?? 1;
}

/**
 * `if (this.thread.y === 0) { body(0) } else if ... else { body(count - 1) }`: one branch per
 * value of `this.thread.y`, which every SIMD lane shares, so each is a real branch.
 */
function branchPerGroup(count: number, body: (group: number) => string): string {
  if (count === 1) return body(0);
  return Array.from({ length: count }, (_, g) => {
    const head =
      g === 0
        ? `if (this.thread.y === ${g}) `
        : g < count - 1
          ? `else if (this.thread.y === ${g}) `
          : "else ";
    return `${head}{\n  ${body(g)}\n  }`;
  }).join(" ");
}

/** What the forward product adds to `a · b`. */
export interface PairedForwardExtras {
  /** Adds a `[1,n]` bias (a third argument) to every row. */
  readonly bias: boolean;
  /** Each byte of `a` stands for `byte / divisor`. */
  readonly divisor: number;
}

/**
 * `a · b` for `a` a `[m,k]` image of bytes read as byte pairs (`k` even) and `b` `[k,n]` floats,
 * in the `rowQuads` layout: `this.thread.x` is the row (4 rows per SIMD step, one gather of a pair
 * per lane), `this.thread.y` the group of 4 columns. Each loop step decodes `unroll` pairs.
 */
export function pairedForwardSource(
  a: Shape,
  b: Shape,
  extras: PairedForwardExtras,
): Pick<KernelSpec, "source" | "views"> {
  const [m, k] = a;
  const n = b[1];
  const pairs = k / 2;
  const unroll = largestDivisor(pairs, [4, 2, 1]);
  const groups = Math.ceil(n / QUAD);
  const literal = groups <= MAX_BRANCHES;
  // Column c of group g: a literal where each group has its own branch.
  const column = (g: number, c: number) => (literal ? `${g * QUAD + c}` : `this.thread.y * ${QUAD} + ${c}`);
  // Row 2(q·unroll + u) + half of b, column `col`, in b's view of 2·unroll rows per view row.
  const readB = (u: number, half: number, col: string) =>
    literal ? `b[q][${(2 * u + half) * n + Number(col)}]` : `b[q][${col} + ${(2 * u + half) * n}]`;
  const loop = (g: number, width: number) => {
    const cols = Array.from({ length: width }, (_, c) => c);
    const steps = Array.from({ length: unroll }, (_, u) => u);
    const decode = steps.map(
      (u) =>
        `const w${u} = a[q][this.thread.x * ${pairs} + ${u}]; const h${u} = Math.floor(w${u} * 0.00390625); const l${u} = w${u} - h${u} * 256;`,
    );
    const add = cols.map(
      (c) =>
        `s${c} += ${steps.map((u) => `l${u} * ${readB(u, 0, column(g, c))} + h${u} * ${readB(u, 1, column(g, c))}`).join(" + ")};`,
    );
    const finish = cols.map(
      (c) => `s${c} = s${c} / ${extras.divisor}${extras.bias ? ` + bias[0][${column(g, c)}]` : ""};`,
    );
    return `for (let q = 0; q < ${pairs / unroll}; q++) { ${[...decode, ...add].join(" ")} }\n  ${finish.join(" ")}`;
  };
  const width = (g: number) => Math.min(QUAD, n - g * QUAD);
  const full = Math.floor(n / QUAD);
  let body: string;
  if (literal) body = branchPerGroup(groups, (g) => loop(g, width(g)));
  else if (full === groups) body = loop(0, QUAD);
  else body = `if (this.thread.y < ${full}) {\n  ${loop(0, QUAD)}\n  } else {\n  ${loop(0, n % QUAD)}\n  }`;
  return {
    source: `function(a, b${extras.bias ? ", bias" : ""}) {
  let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0;
  ${body}
  return [s0, s1, s2, s3];
}`,
    // a: `unroll` pairs per view row; b: 2·unroll rows of b per view row.
    views: [
      [(m * pairs) / unroll, unroll],
      [k / (2 * unroll), 2 * unroll * n],
      ...(extras.bias ? [undefined] : []),
    ],
  };
}

/**
 * `aᵀ · b` for `a` a `ByteImage` of `[k, m]` read as byte pairs (`ByteImage.pairs`, rows of even
 * length `m`) and divided by `divisor`, in the `pairBlocks` layout: each thread decodes one pair,
 * two elements of a row of `aᵀ`, and multiplies them by two columns of `b`, so each gathered value
 * (webasm's costliest read) feeds 4 products from half as many gathers, and 2 loads of `b` serve
 * them where the `rowQuads` product loads 4. Each loop step takes `unroll` rows of `a` and `b`.
 * This is the weight gradient `xᵀ G` of a batch of images. webasm only.
 */
export function bytePairsGradientSpec(a: Shape, b: Shape, divisor: number): KernelSpec {
  const key = `matmulP2+tA+a/${divisor}+pairs|${dims(a)}|${dims(b)}`;
  return memoized(key, () => {
    const [k, m] = a;
    const n = b[1];
    const pairsPerRow = m / 2;
    const unroll = largestDivisor(k, [8, 4, 2, 1]);
    const colPairs = Math.ceil(n / 2);
    const literal = colPairs <= MAX_BRANCHES;
    // Column c of column pair y, and b's element [q·unroll + u][that column] in b's view.
    const readB = (y: number, u: number, c: number) =>
      literal ? `b[q][${u * n + 2 * y + c}]` : `b[q][this.thread.y * 2 + ${u * n + c}]`;
    const loop = (y: number, width: number) => {
      const steps = Array.from({ length: unroll }, (_, u) =>
        [
          `w = a[q][this.thread.x + ${u * pairsPerRow}]; h = Math.floor(w * 0.00390625); l = w - h * 256;`,
          `g0 = ${readB(y, u, 0)}; s0 += l * g0; s2 += h * g0;`,
          ...(width > 1 ? [`g1 = ${readB(y, u, 1)}; s1 += l * g1; s3 += h * g1;`] : []),
        ].join(" "),
      );
      return `for (let q = 0; q < ${k / unroll}; q++) { ${steps.join(" ")} }`;
    };
    const width = (y: number) => Math.min(2, n - 2 * y);
    const full = Math.floor(n / 2);
    let body: string;
    if (literal) body = branchPerGroup(colPairs, (y) => loop(y, width(y)));
    else if (full === colPairs) body = loop(0, 2);
    else body = `if (this.thread.y < ${full}) {\n  ${loop(0, 2)}\n  } else {\n  ${loop(0, 1)}\n  }`;
    return {
      key,
      source: `function(a, b) {
  let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0; let w = 0; let h = 0; let l = 0; let g0 = 0; let g1 = 0;
  ${body}
  return [s0 / ${divisor}, s1 / ${divisor}, s2 / ${divisor}, s3 / ${divisor}];
}`,
      output: [m, n],
      args: ["bytePairs", "tensor"],
      layout: "pairBlocks",
      // a: `unroll` rows of pairs per view row; b: `unroll` rows per view row.
      views: [
        [k / unroll, unroll * pairsPerRow],
        [k / unroll, unroll * n],
      ],
    };
  });
}
