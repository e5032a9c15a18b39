import {
  type Backend,
  correctRows,
  crossEntropy,
  type LossAndGrad,
  logSoftmax,
  softmax,
  softmaxCrossEntropy,
  type Tensor,
} from "@tensorplug/core";
import type { Arena } from "./arena.js";
import { type F32Matrix, oneHotF32, seededMatrix } from "./host.js";

/** Seeded host inputs with every shape the catalog's ops need. */
function fixtureData(seed: number) {
  return {
    a: seededMatrix([3, 4], seed, { normal: 1 }),
    aT: seededMatrix([4, 3], seed + 1, { normal: 1 }),
    b: seededMatrix([4, 5], seed + 2, { normal: 1 }),
    bT: seededMatrix([5, 4], seed + 3, { normal: 1 }),
    c: seededMatrix([3, 4], seed + 4, { normal: 1 }),
    positive: seededMatrix([3, 4], seed + 5, { uniform: [0.1, 2] }),
    row: seededMatrix([1, 4], seed + 6, { normal: 1 }),
    col: seededMatrix([3, 1], seed + 7, { uniform: [0.5, 2] }),
    logits: seededMatrix([3, 4], seed + 8, { normal: 3 }),
    onehot: oneHotF32([2, 0, 3], 4),
    labels: { shape: [3, 1], data: Float32Array.from([2, 0, 3]) } satisfies F32Matrix,
  };
}

type FixtureName = keyof ReturnType<typeof fixtureData>;

/** The fixtures, uploaded: one handle per name. */
export type Fixtures = Readonly<Record<FixtureName, Tensor>>;

/** Uploads the seeded fixtures into `arena`. */
export function uploadFixtures(arena: Arena, seed = 1): Fixtures {
  const data = fixtureData(seed);
  const out = {} as Record<FixtureName, Tensor>;
  for (const name of Object.keys(data) as FixtureName[]) out[name] = arena.upload(data[name]);
  return out;
}

/** One op application and how many live handles it may leave behind. */
export interface CatalogEntry {
  readonly name: string;
  /** New live handles after the call: 1 per tensor output, 2 for loss-and-gradient. */
  readonly outputs: number;
  readonly run: (be: Backend, f: Fixtures) => Tensor | LossAndGrad;
}

/** The outputs of an entry as a list, in a fixed order. */
export function outputsOf(out: Tensor | LossAndGrad): Tensor[] {
  return "loss" in out ? [out.loss, out.grad] : [out];
}

const BINARY = ["add", "sub", "mul", "div", "equal"] as const;

/**
 * Every op of the interface once (every broadcast kind, every transpose), the fused kernels the
 * backend declares, and core's composites, which must leave only their outputs alive.
 */
export function catalog(backend: Backend): CatalogEntry[] {
  const entries: CatalogEntry[] = [
    { name: "upload", outputs: 1, run: (be) => be.upload(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]) },
    { name: "matmul", outputs: 1, run: (be, f) => be.matmul(f.a, f.b) },
    { name: "matmul transA", outputs: 1, run: (be, f) => be.matmul(f.aT, f.b, { transA: true }) },
    { name: "matmul transB", outputs: 1, run: (be, f) => be.matmul(f.a, f.bT, { transB: true }) },
    {
      name: "matmul transA transB",
      outputs: 1,
      run: (be, f) => be.matmul(f.aT, f.bT, { transA: true, transB: true }),
    },
    ...BINARY.flatMap((op): CatalogEntry[] => [
      { name: `${op} same`, outputs: 1, run: (be, f) => be[op](f.a, op === "div" ? f.positive : f.c) },
      { name: `${op} row`, outputs: 1, run: (be, f) => be[op](f.a, f.row) },
      { name: `${op} col`, outputs: 1, run: (be, f) => be[op](f.a, f.col) },
      { name: `${op} scalar`, outputs: 1, run: (be, f) => be[op](f.a, 0.75) },
    ]),
    { name: "exp", outputs: 1, run: (be, f) => be.exp(f.a) },
    { name: "log", outputs: 1, run: (be, f) => be.log(f.positive) },
    { name: "neg", outputs: 1, run: (be, f) => be.neg(f.a) },
    { name: "sum axis 0", outputs: 1, run: (be, f) => be.sum(f.a, 0) },
    { name: "sum axis 1", outputs: 1, run: (be, f) => be.sum(f.a, 1) },
    { name: "max axis 0", outputs: 1, run: (be, f) => be.max(f.a, 0) },
    { name: "max axis 1", outputs: 1, run: (be, f) => be.max(f.a, 1) },
    { name: "argmax", outputs: 1, run: (be, f) => be.argmax(f.a) },
    { name: "concat axis 0", outputs: 1, run: (be, f) => be.concat([f.a, f.c, f.row], 0) },
    { name: "concat axis 1", outputs: 1, run: (be, f) => be.concat([f.a, f.col, f.c], 1) },
    { name: "axpy", outputs: 1, run: (be, f) => be.axpy(-0.25, f.a, f.c) },
    { name: "core softmax", outputs: 1, run: (be, f) => softmax(be, f.logits) },
    { name: "core logSoftmax", outputs: 1, run: (be, f) => logSoftmax(be, f.logits) },
    {
      name: "core softmaxCrossEntropy",
      outputs: 2,
      run: (be, f) => softmaxCrossEntropy(be, f.logits, f.onehot),
    },
    { name: "core crossEntropy", outputs: 1, run: (be, f) => crossEntropy(be, f.logits, f.onehot) },
    { name: "core correctRows", outputs: 1, run: (be, f) => correctRows(be, f.logits, f.labels) },
  ];
  // Declared fused kernels are also called directly, bypassing core's dispatch.
  const fused = backend.caps.fused;
  if (fused.has("softmax") && backend.softmax) {
    entries.push({ name: "fused softmax", outputs: 1, run: (be, f) => be.softmax!(f.logits) });
  }
  if (fused.has("logSoftmax") && backend.logSoftmax) {
    entries.push({ name: "fused logSoftmax", outputs: 1, run: (be, f) => be.logSoftmax!(f.logits) });
  }
  if (fused.has("softmaxCrossEntropy") && backend.softmaxCrossEntropy) {
    entries.push({
      name: "fused softmaxCrossEntropy",
      outputs: 2,
      run: (be, f) => be.softmaxCrossEntropy!(f.logits, f.onehot),
    });
  }
  return entries;
}
