import type { Backend, BackendCaps } from "@tensorplug/core";

/** A backend seen through `withoutSyncRead`, and how often something tried to read synchronously. */
export interface AsyncOnlyBackend {
  /** The double: use it wherever the real backend would go. */
  readonly backend: Backend;
  /** How many times something called the double's `readSync`. */
  readonly syncReads: () => number;
}

/**
 * A test double of `backend` that declares `caps.syncRead: false` and whose `readSync` throws,
 * so code that claims to need only `read` is proven to. Every other member is the real one; methods
 * are bound to the real backend, whose private state (e.g. `#fields`) a Proxy receiver cannot reach.
 */
export function withoutSyncRead(backend: Backend): AsyncOnlyBackend {
  let attempts = 0;
  const caps: BackendCaps = { ...backend.caps, syncRead: false };
  const readSync = (): never => {
    attempts++;
    throw new Error(`${backend.name}: readSync called on a backend that declares caps.syncRead false`);
  };
  const double = new Proxy(backend, {
    get(target, key) {
      if (key === "caps") return caps;
      if (key === "readSync") return readSync;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { backend: double, syncReads: () => attempts };
}
