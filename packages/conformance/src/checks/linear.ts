import {
  formatShape,
  linearSoftmaxCrossEntropy,
  linearSoftmaxLoss,
  linearSoftmaxSgd,
  type Shape,
  type Tensor,
  uploadBytes,
} from "@tensorplug/core";
import fc from "fast-check";
import { dim, floats, labels, matrixOf } from "../arbitraries.js";
import { type Arena, withArena } from "../arena.js";
import { assertSameBits } from "../bits.js";
import type { Check, CheckContext } from "../context.js";
import { type F32Matrix, oneHotF32, seededLabels, seededMatrix } from "../host.js";
import { checkProperty, heavyRuns } from "../property.js";
import * as reference from "../reference/index.js";
import { accumulated, assertClose } from "../tolerance.js";

// The fused dense layer with softmax cross-entropy (core's `linearSoftmaxCrossEntropy`, fused or
// composed) and byte uploads (`uploadBytes`), against the float64 reference. Inputs are mostly
// zeros, like image backgrounds, so kernels that skip zeros are exercised, including where a
// zero meets an infinite weight and the product must be NaN.

const PIXEL_SCALE = 1 / 255;
/** The step `linearSoftmaxSgd` is checked with: large enough to move every weight visibly. */
const SGD_SCALE = -0.375;

/** One problem: inputs as floats (and, for byte problems, the bytes they stand for), weights, bias, labels. */
interface Problem {
  readonly x: F32Matrix;
  readonly bytes?: Uint8Array;
  readonly W: F32Matrix;
  readonly b: F32Matrix;
  readonly targets: F32Matrix;
}

/** Mostly zero, otherwise in [-2, 2]. */
const sparse = fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: floats(-2, 2), weight: 1 });
/** Bytes, half of them zero. */
const pixel = fc.oneof(
  { arbitrary: fc.constant(0), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 255 }), weight: 1 },
);

/** Small problems; `n` up to 16 so both the narrow (up to 12 classes) and wide kernel paths run. */
function problems(asBytes: boolean): fc.Arbitrary<Problem> {
  return fc.tuple(dim(9), dim(20), dim(16)).chain(([m, k, n]) =>
    fc
      .record({
        x: asBytes
          ? fc.array(pixel, { minLength: m * k, maxLength: m * k }).map((v) => Uint8Array.from(v))
          : matrixOf([m, k], sparse),
        W: matrixOf([k, n], floats(-2, 2)),
        b: matrixOf([1, n], floats(-2, 2)),
        y: labels(m, n),
      })
      .map(({ x, W, b, y }): Problem => {
        const targets = oneHotF32(y, n);
        if (!(x instanceof Uint8Array)) return { x, W, b, targets };
        return { x: { shape: [m, k], data: reference.scaledBytes(x, PIXEL_SCALE) }, bytes: x, W, b, targets };
      }),
  );
}

/** Uploads the left operand as bytes when the problem has them, else as floats. */
function uploadInputs(arena: Arena, p: Problem): Tensor {
  if (p.bytes === undefined) return arena.upload(p.x);
  return arena.track(uploadBytes(arena.backend, p.bytes, p.x.shape, PIXEL_SCALE));
}

/**
 * Error scales. A logit's error grows with `sum |x||W| + |b|` (call it L); the loss inherits it;
 * a gradient entry `sum_i x_ip (p_ij - t_ij)` errs by about `|x_ip| (p_ij + t_ij) (1 + L_i)` per term.
 */
function errorScales(p: Problem): { loss: Float64Array; gradW: Float64Array; gradB: Float64Array } {
  const m = p.x.shape[0];
  const n = p.W.shape[1];
  const absLogits = reference.matmul(reference.abs(p.x), reference.abs(p.W)).data;
  const probs = reference.softmax({
    shape: [m, n],
    data: reference.matmul(p.x, p.W).data.map((v, i) => v + p.b.data[i % n]!),
  }).data;
  const rowScale = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let largest = 0;
    for (let j = 0; j < n; j++) largest = Math.max(largest, absLogits[i * n + j]! + Math.abs(p.b.data[j]!));
    rowScale[i] = 1 + largest;
  }
  const weight = Float64Array.from(
    probs,
    (v, idx) => (v + p.targets.data[idx]!) * rowScale[Math.floor(idx / n)]!,
  );
  const gradW = reference.matmul(reference.abs(p.x), { shape: [m, n], data: weight }, { transA: true }).data;
  const gradB = reference.sum({ shape: [m, n], data: weight }, 0).data;
  return { loss: rowScale, gradW, gradB };
}

async function checkLinear(ctx: CheckContext, p: Problem, label: string): Promise<void> {
  const want = reference.linearSoftmaxCrossEntropy(p.x, p.W, p.b, p.targets);
  const [m, k] = p.x.shape;
  const n = p.W.shape[1];
  const scales = errorScales(p);
  await withArena(ctx.backend, async (arena) => {
    const inputs = [uploadInputs(arena, p), arena.upload(p.W), arena.upload(p.b), arena.upload(p.targets)];
    const before = await arena.snapshot(inputs);
    const live = ctx.backend.live();
    const [x, W, b, t] = inputs as [Tensor, Tensor, Tensor, Tensor];
    const out = linearSoftmaxCrossEntropy(ctx.backend, x, W, b, t);
    for (const o of [out.loss, out.correct, out.gradW, out.gradB]) arena.track(o);
    const made = ctx.backend.live() - live;
    if (made !== 4)
      throw new Error(`${label}: live() went up by ${made}, expected 4 (loss, correct, gradW, gradB)`);
    const expectShape = (t: Tensor, shape: Shape, what: string) => {
      if (t.shape[0] !== shape[0] || t.shape[1] !== shape[1])
        throw new Error(`${label}: ${what} is ${formatShape(t.shape)}, expected ${formatShape(shape)}`);
    };
    expectShape(out.loss, [m, 1], "loss");
    expectShape(out.correct, [m, 1], "correct");
    expectShape(out.gradW, [k, n], "gradW");
    expectShape(out.gradB, [1, n], "gradB");
    const [loss, correct, gradW, gradB] = await arena.snapshot([out.loss, out.correct, out.gradW, out.gradB]);
    const tol = accumulated(ctx.tolerance, k + n);
    assertClose(loss!, want.loss.data, tol, `${label} (loss)`, { shape: [m, 1], magnitude: scales.loss });
    assertClose(gradW!, want.gradW.data, accumulated(tol, m), `${label} (gradW)`, {
      shape: [k, n],
      magnitude: scales.gradW,
    });
    assertClose(gradB!, want.gradB.data, accumulated(tol, m), `${label} (gradB)`, {
      shape: [1, n],
      magnitude: scales.gradB,
    });
    checkCorrect(p, correct!, want.correct.data, tol.rel, scales.loss, `${label} (correct)`);

    // The ops below return the same per-row loss and correct flags as the step.
    const checkForward = (loss: Float32Array, correct: Float32Array, op: string) => {
      assertClose(loss, want.loss.data, tol, `${label} (${op} loss)`, {
        shape: [m, 1],
        magnitude: scales.loss,
      });
      checkCorrect(p, correct, want.correct.data, tol.rel, scales.loss, `${label} (${op} correct)`);
    };

    // The forward half alone, as scoring calls it: the same loss and correct count, two handles.
    const liveBefore = ctx.backend.live();
    const scored = linearSoftmaxLoss(ctx.backend, x, W, b, t);
    for (const o of [scored.loss, scored.correct]) arena.track(o);
    const scoredMade = ctx.backend.live() - liveBefore;
    if (scoredMade !== 2)
      throw new Error(`${label}: linearSoftmaxLoss made ${scoredMade} handles, expected 2`);
    expectShape(scored.loss, [m, 1], "linearSoftmaxLoss loss");
    expectShape(scored.correct, [m, 1], "linearSoftmaxLoss correct");
    const [scoredLoss, scoredCorrect] = await arena.snapshot([scored.loss, scored.correct]);
    checkForward(scoredLoss!, scoredCorrect!, "linearSoftmaxLoss");

    // One SGD step: the same loss and correct flags, and new weights W + scale gradW, b + scale gradB.
    const sgdBefore = ctx.backend.live();
    const stepped = linearSoftmaxSgd(ctx.backend, x, W, b, t, SGD_SCALE);
    for (const o of [stepped.loss, stepped.correct, stepped.W, stepped.b]) arena.track(o);
    const sgdMade = ctx.backend.live() - sgdBefore;
    if (sgdMade !== 4) throw new Error(`${label}: linearSoftmaxSgd made ${sgdMade} handles, expected 4`);
    expectShape(stepped.W, [k, n], "linearSoftmaxSgd W");
    expectShape(stepped.b, [1, n], "linearSoftmaxSgd b");
    const [sgdLoss, sgdCorrect, newW, newB] = await arena.snapshot([
      stepped.loss,
      stepped.correct,
      stepped.W,
      stepped.b,
    ]);
    checkForward(sgdLoss!, sgdCorrect!, "linearSoftmaxSgd");
    const step = (weights: ArrayLike<number>, grad: ArrayLike<number>, gradScale: ArrayLike<number>) => ({
      want: Float64Array.from(weights, (v, i) => v + SGD_SCALE * grad[i]!),
      magnitude: Float64Array.from(weights, (v, i) => Math.abs(v) + Math.abs(SGD_SCALE) * gradScale[i]!),
    });
    const wantW = step(p.W.data, want.gradW.data, scales.gradW);
    assertClose(newW!, wantW.want, accumulated(tol, m), `${label} (linearSoftmaxSgd W)`, {
      shape: [k, n],
      magnitude: wantW.magnitude,
    });
    const wantB = step(p.b.data, want.gradB.data, scales.gradB);
    assertClose(newB!, wantB.want, accumulated(tol, m), `${label} (linearSoftmaxSgd b)`, {
      shape: [1, n],
      magnitude: wantB.magnitude,
    });
    await arena.assertUnchanged(inputs, before, label);
  });
}

/** Each row's correct flag against the reference; a near-tie between the two largest logits may legitimately go either way in float32. */
function checkCorrect(
  p: Problem,
  got: Float32Array,
  want: ArrayLike<number>,
  rel: number,
  rowScale: Float64Array,
  label: string,
): void {
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== want[i] && !nearTie(p, i, rel * rowScale[i]!)) {
      throw new Error(`${label}: row ${i} is ${got[i]}, reference ${want[i]}`);
    }
  }
}

/** Whether row `i`'s two largest logits lie within `gap` of each other. */
function nearTie(p: Problem, i: number, gap: number): boolean {
  const n = p.W.shape[1];
  const row = reference
    .matmul({ shape: [1, p.x.shape[1]], data: p.x.data.slice(i * p.x.shape[1], (i + 1) * p.x.shape[1]) }, p.W)
    .data.map((v, j) => v + p.b.data[j]!);
  const sorted = [...row].sort((a, c) => c - a);
  return n > 1 && sorted[0]! - sorted[1]! <= gap;
}

function describe(p: Problem): string {
  return `linearSoftmaxCrossEntropy ${p.bytes ? "bytes " : ""}${formatShape(p.x.shape)} · ${formatShape(p.W.shape)}`;
}

/** The model's own sizes: a full batch and the last batch of Fashion-MNIST, pixels as bytes. */
function modelProblem(rows: number, seed: number, weightStd: number): Problem {
  const pixels = seededMatrix([rows, 784], seed, { uniform: [0, 1] });
  // Background pixels are exactly zero in the real images: keep about half of them zero here too.
  const bytes = Uint8Array.from(pixels.data, (v) => (v < 0.5 ? 0 : Math.floor((v - 0.5) * 511)));
  return {
    x: { shape: [rows, 784], data: reference.scaledBytes(bytes, PIXEL_SCALE) },
    bytes,
    W: seededMatrix([784, 10], seed + 1, { normal: weightStd }),
    b: seededMatrix([1, 10], seed + 2, { normal: weightStd }),
    targets: oneHotF32(seededLabels(rows, 10, seed + 3), 10),
  };
}

export const linearChecks: readonly Check[] = [
  {
    group: "bytes",
    name: "uploadBytes reads back exactly Math.fround(byte * scale), one new handle",
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(
          fc
            .tuple(dim(9), dim(9))
            .chain(([m, n]) =>
              fc.tuple(
                fc.constant<Shape>([m, n]),
                fc.array(fc.integer({ min: 0, max: 255 }), { minLength: m * n, maxLength: m * n }),
                fc.constantFrom(PIXEL_SCALE, 1, 0.5, 1 / 3),
              ),
            ),
          async ([shape, values, scale]) => {
            const bytes = Uint8Array.from(values);
            await withArena(ctx.backend, async (arena) => {
              const live = ctx.backend.live();
              const t = arena.track(uploadBytes(ctx.backend, bytes, shape, scale));
              if (ctx.backend.live() !== live + 1) throw new Error("uploadBytes: live() did not rise by 1");
              const label = `uploadBytes ${formatShape(shape)} scale ${scale}`;
              if (t.shape[0] !== shape[0] || t.shape[1] !== shape[1])
                throw new Error(`${label}: shape ${formatShape(t.shape)}`);
              assertSameBits(await arena.read(t), reference.scaledBytes(bytes, scale), label);
            });
          },
        ),
      ),
  },
  {
    group: "bytes",
    name: "matmul of uploaded bytes · floats matches the reference, 96x784 and 256x784 included",
    run: async (ctx) => {
      const cases = [modelProblem(96, 101, 0.1), modelProblem(256, 202, 0.1)];
      const small = fc.sample(problems(true), {
        numRuns: ctx.numRuns,
        ...(ctx.seed === undefined ? {} : { seed: ctx.seed }),
      });
      for (const p of [...cases, ...small]) {
        const label = `matmul bytes ${formatShape(p.x.shape)} · ${formatShape(p.W.shape)}`;
        await withArena(ctx.backend, async (arena) => {
          const out = arena.track(ctx.backend.matmul(uploadInputs(arena, p), arena.upload(p.W)));
          assertClose(
            await arena.read(out),
            reference.matmul(p.x, p.W).data,
            accumulated(ctx.tolerance, p.x.shape[1]),
            label,
            {
              shape: out.shape,
              magnitude: reference.matmul(reference.abs(p.x), reference.abs(p.W)).data,
            },
          );
        });
      }
    },
  },
  {
    group: "linearSoftmaxCrossEntropy",
    name: "matches the reference on float inputs (loss, correct, gradW, gradB)",
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(problems(false), (p) => checkLinear(ctx, p, describe(p))),
      ),
  },
  {
    group: "linearSoftmaxCrossEntropy",
    name: "matches the reference on byte inputs",
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(problems(true), (p) => checkLinear(ctx, p, describe(p))),
      ),
  },
  {
    group: "linearSoftmaxCrossEntropy",
    name: "the model's batches: 256x784 and the last 96x784, as bytes",
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), async (seed) => {
          for (const rows of [256, 96]) {
            const p = modelProblem(rows, seed, 0.05);
            await checkLinear(ctx, p, `${describe(p)} (seed ${seed})`);
          }
        }),
        heavyRuns(ctx, 3),
      ),
  },
  {
    group: "linearSoftmaxCrossEntropy",
    name: "logits of ±1000 give a finite loss and finite gradients",
    run: async (ctx) => {
      const p = modelProblem(96, 7, 0.05);
      const W = { shape: p.W.shape, data: p.W.data.map((v) => (v > 0 ? 40 : -40)) };
      const huge: Problem = { ...p, W };
      await checkLinear(ctx, huge, `${describe(huge)} with weights ±40`);
      const out = reference.linearSoftmaxCrossEntropy(huge.x, huge.W, huge.b, huge.targets);
      if (![...out.loss.data, ...out.gradW.data].every(Number.isFinite))
        throw new Error("reference itself is not finite: the case does not test what it claims");
    },
  },
  {
    group: "linearSoftmaxCrossEntropy",
    name: "a zero input times an infinite weight is NaN, as in the reference: zeros are not skipped then",
    run: async (ctx) => {
      const base = modelProblem(4, 11, 0.05);
      const W = base.W.data.slice();
      W[3 * 10 + 2] = Number.POSITIVE_INFINITY;
      const bytes = base.bytes!.slice();
      bytes[3] = 0; // row 0 has a zero at the infinite weight's row: its logits are NaN
      bytes[784 + 3] = 200; // row 1 meets it with a positive pixel: logit 2 is +Infinity
      const x = { shape: base.x.shape, data: reference.scaledBytes(bytes, PIXEL_SCALE) };
      const p: Problem = { ...base, x, bytes, W: { shape: base.W.shape, data: W } };
      const want = reference.linearSoftmaxCrossEntropy(p.x, p.W, p.b, p.targets);
      await withArena(ctx.backend, async (arena) => {
        const [tx, tW, tb, tt] = [
          uploadInputs(arena, p),
          arena.upload(p.W),
          arena.upload(p.b),
          arena.upload(p.targets),
        ];
        const out = linearSoftmaxCrossEntropy(ctx.backend, tx, tW, tb, tt);
        for (const o of [out.loss, out.correct, out.gradW, out.gradB]) arena.track(o);
        const loss = await arena.read(out.loss);
        const gradW = await arena.read(out.gradW);
        const label = "linearSoftmaxCrossEntropy with an infinite weight";
        assertClose(loss, want.loss.data, accumulated(ctx.tolerance, 794), `${label} (loss)`, {
          shape: [4, 1],
        });
        for (let i = 0; i < gradW.length; i++) {
          if (Number.isNaN(want.gradW.data[i]) !== Number.isNaN(gradW[i]!))
            throw new Error(
              `${label} (gradW): element #${i} is ${gradW[i]}, reference ${want.gradW.data[i]}`,
            );
        }
      });
    },
  },
];
