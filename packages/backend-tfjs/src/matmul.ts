import { matMul, type Tensor2D, transpose } from "@tensorflow/tfjs-core";

// tfjs-backend-wasm runs `matMul` on XNNPACK only when neither operand is transposed; with either
// flag it takes a blocked scalar loop (2.0 ms instead of 0.25 ms for 784x256 · 256x10 here). So
// the flags are rewritten into untransposed products plus explicit transposes, using
// (A^T)^T = A and (A B)^T = B^T A^T. Costs are per element: tfjs's wasm transpose measured about
// 4x the cost of XNNPACK packing the right operand (which it does for every new right operand).
const TRANSPOSE = 4;
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
    // a^T b = (b^T a)^T
    return cheapest([
      { cost: TRANSPOSE * sa + PACK * sb, run: () => mm(transpose(a), b) },
      { cost: TRANSPOSE * (sb + out) + PACK * sa, run: () => transpose(mm(transpose(b), a)) },
    ]);
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
