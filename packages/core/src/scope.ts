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

/** A backend's scoped view, and the stack of scopes open on it (innermost last). */
interface Scoped {
  readonly root: Backend;
  readonly view: Backend;
  readonly scopes: Set<Tensor>[];
}

/** One scoped view per backend, made once: a view per `tidy` call cost more than a small op. */
const scopedViews = new WeakMap<Backend, Scoped>();

/**
 * The scoped view of `backend` (of its root backend, when `backend` is itself a view): every op
 * called through it records its outputs in the innermost open scope.
 */
function scopedView(backend: Backend): Scoped {
  const known = scopedViews.get(backend);
  if (known !== undefined) return known;
  const scopes: Set<Tensor>[] = [];
  const view = Object.create(backend) as Backend;
  const scoped: Scoped = { root: backend, view, scopes };
  const slots = view as unknown as Record<string, unknown>;
  const source = backend as unknown as Record<string, unknown>;
  // Bind every method to the real backend: backends may keep private state that `this = view` cannot reach.
  for (const key of ["read", "readSync", "live", "close", "allocateBytes"]) {
    const method = source[key];
    if (typeof method === "function") slots[key] = method.bind(backend);
  }
  for (const op of TENSOR_OPS) {
    const method = source[op];
    if (typeof method !== "function") continue;
    slots[op] = (...args: unknown[]) => {
      const out = (method as (...a: unknown[]) => Tensor).apply(backend, args);
      scopes[scopes.length - 1]?.add(out);
      return out;
    };
  }
  for (const op of MULTI_TENSOR_OPS) {
    const method = source[op];
    if (typeof method !== "function") continue;
    slots[op] = (...args: unknown[]) => {
      const out = (method as (...a: unknown[]) => Kept).apply(backend, args);
      const scope = scopes[scopes.length - 1];
      if (scope !== undefined) collect(out, scope);
      return out;
    };
  }
  // A tensor disposed inside a scope (by `fn` or by a nested scope) is no longer any scope's to dispose.
  view.dispose = (t) => {
    for (const scope of scopes) scope.delete(t);
    backend.dispose(t);
  };
  scopedViews.set(backend, scoped);
  scopedViews.set(view, scoped);
  return scoped;
}

/**
 * Runs `fn` with a view of `backend` that remembers every tensor its ops make, then disposes all
 * of them except the ones `fn` returns. Intermediates can then never leak, whatever path `fn` takes
 * (including a throw). Tensors made before the scope are untouched. Scopes nest: what an inner
 * scope returns belongs to the scope around it.
 */
export function tidy<T extends Kept>(backend: Backend, fn: (b: Backend) => T): T {
  const { root, view, scopes } = scopedView(backend);
  const made = new Set<Tensor>();
  scopes.push(made);
  let result: T | undefined;
  try {
    result = fn(view);
    return result;
  } finally {
    scopes.pop();
    const keep = new Set<Tensor>();
    if (result !== undefined) collect(result, keep);
    const outer = scopes[scopes.length - 1];
    for (const t of made) {
      if (!keep.has(t)) root.dispose(t);
      else outer?.add(t);
    }
  }
}
