import { type Backend, MULTI_TENSOR_OPS, TENSOR_OPS } from "./backend.js";
import type { Tensor } from "./tensor.js";

/** Anything a scoped function may return: tensors inside arrays and plain objects are kept alive. */
export type Kept = Tensor | readonly Kept[] | { readonly [key: string]: Kept } | number | string | undefined;

function isTensor(value: unknown): value is Tensor {
  return typeof value === "object" && value !== null && "shape" in value && "backend" in value;
}

function collect(value: Kept, into: Set<Tensor>): void {
  if (isTensor(value)) into.add(value);
  else if (Array.isArray(value)) for (const v of value) collect(v as Kept, into);
  else if (typeof value === "object" && value !== null)
    for (const v of Object.values(value)) collect(v, into);
}

/**
 * Runs `fn` with a view of `backend` that remembers every tensor its ops make, then disposes all
 * of them except the ones `fn` returns. Intermediates can then never leak, whatever path `fn` takes
 * (including a throw). Tensors made before the scope are untouched.
 */
export function tidy<T extends Kept>(backend: Backend, fn: (b: Backend) => T): T {
  const made = new Set<Tensor>();
  const view = Object.create(backend) as Backend;
  const slots = view as unknown as Record<string, unknown>;
  const source = backend as unknown as Record<string, unknown>;
  // Bind every method to the real backend: backends may keep private state that `this = view` cannot reach.
  for (const key of ["read", "readSync", "live", "close"]) {
    const method = source[key];
    if (typeof method === "function") slots[key] = method.bind(backend);
  }
  for (const op of TENSOR_OPS) {
    const method = source[op];
    if (typeof method !== "function") continue;
    slots[op] = (...args: unknown[]) => {
      const out = (method as (...a: unknown[]) => Tensor).apply(backend, args);
      made.add(out);
      return out;
    };
  }
  for (const op of MULTI_TENSOR_OPS) {
    const method = source[op];
    if (typeof method !== "function") continue;
    slots[op] = (...args: unknown[]) => {
      const out = (method as (...a: unknown[]) => Kept).apply(backend, args);
      collect(out, made);
      return out;
    };
  }
  // A tensor disposed inside the scope (by `fn` or by a nested scope) is no longer ours to dispose.
  view.dispose = (t) => {
    made.delete(t);
    backend.dispose(t);
  };
  let result: T | undefined;
  try {
    result = fn(view);
    return result;
  } finally {
    const keep = new Set<Tensor>();
    if (result !== undefined) collect(result, keep);
    for (const t of made) if (!keep.has(t)) backend.dispose(t);
  }
}
