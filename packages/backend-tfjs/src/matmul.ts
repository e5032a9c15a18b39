import { matMul, type Tensor2D } from "@tensorflow/tfjs-core";
import { transpose } from "./transpose.js";

// tfjs-backend-wasm runs `matMul` on XNNPACK only when neither operand is transposed; with either
// flag it takes a blocked scalar loop (about 2.5 ms instead of 0.3 ms for 784x256 · 256x10 here).
// So the flags are rewritten into untransposed products plus explicit transposes, using
// (A^T)^T = A and (A B)^T = B^T A^T. What a rewrite adds is per element: tfjs's wasm transpose of
// the operand, and XNNPACK packing the right operand (it repacks every new right operand). Both
// measured about 2 to 3 ns per element here (a 256x784 batch: 0.5 ms to transpose with
// `transpose.ts`, 0.65 ms to pack), so they weigh the same and the plan moving fewer elements wins.
const TRANSPOSE = 1;
const PACK = 1;

interface Plan {
  readonly cost: number;
  readonly run: () => Tensor2D;
}

/** tfjs types `matMul` as rank-generic; a product of two matrices is a matrix. */
function mm(a: Tensor2D, b: Tensor2D): Tensor2D {
  return matMul(a, b) as Tensor2D;
}

function cheapest(plans: readonly Plan[]): Tensor2D {
  let best = plans[0]!;
  for (const p of plans) if (p.cost < best.cost) best = p;
  return best.run();
}

/**
 * `op(a) · op(b)` with untransposed `matMul` calls only, choosing the cheaper rewrite. Shapes must
 * already be checked. Call inside `tf.tidy`: the rewrites make intermediate tensors.
 */
export function xnnpackMatMul(a: Tensor2D, b: Tensor2D, transA: boolean, transB: boolean): Tensor2D {
  if (!transA && !transB) return mm(a, b);
  const sa = a.size;
  const sb = b.size;
  const [m, n] = [transA ? a.shape[1] : a.shape[0], transB ? b.shape[0] : b.shape[1]];
  const out = m * n;
  if (transA && !transB) {
    // The other rewrite, (b^T a)^T, moves a and b just the same plus the product, so it never wins:
    // for the weight gradient X^T·G this transposes the batch once and packs only the small G.
    return mm(transpose(a), b);
  }
  if (!transA && transB) {
    // a b^T = (b a^T)^T
    return cheapest([
      { cost: (TRANSPOSE + PACK) * sb, run: () => mm(a, transpose(b)) },
      { cost: TRANSPOSE * (sa + out) + PACK * sa, run: () => transpose(mm(b, transpose(a))) },
    ]);
  }
  // a^T b^T = (b a)^T
  return cheapest([
    { cost: TRANSPOSE * out + PACK * sa, run: () => transpose(mm(b, a)) },
    { cost: TRANSPOSE * (sa + sb) + PACK * sb, run: () => mm(transpose(a), transpose(b)) },
  ]);
}
