import { type Backend, formatShape, type Tensor } from "@tensorplug/core";
import { assertSameBits } from "./bits.js";
import type { F32Matrix } from "./host.js";

/**
 * The tensors one check made on the backend. Everything tracked is disposed when the check ends,
 * pass or fail, so one failing property cannot make every later live-count check fail too.
 */
export class Arena {
  readonly backend: Backend;
  private readonly owned = new Set<Tensor>();

  constructor(backend: Backend) {
    this.backend = backend;
  }

  /** Uploads a host matrix and tracks the handle. */
  upload(m: F32Matrix): Tensor {
    return this.track(this.backend.upload(m.data, m.shape));
  }

  /** Tracks an op's output for disposal at the end of the check. */
  track<T extends Tensor>(t: T): T {
    this.owned.add(t);
    return t;
  }

  /** Disposes a tracked handle now (for checks about dispose itself). */
  dispose(t: Tensor): void {
    this.owned.delete(t);
    this.backend.dispose(t);
  }

  read(t: Tensor): Promise<Float32Array> {
    return this.backend.read(t);
  }

  /** What the tensors hold now, to prove later that an op left its inputs alone. */
  snapshot(tensors: readonly Tensor[]): Promise<Float32Array[]> {
    return Promise.all(tensors.map((t) => this.backend.read(t)));
  }

  /** Throws unless every tensor still holds bitwise what `snapshot` saw. */
  async assertUnchanged(
    tensors: readonly Tensor[],
    before: readonly Float32Array[],
    label: string,
  ): Promise<void> {
    const after = await this.snapshot(tensors);
    for (const [i, data] of after.entries()) {
      assertSameBits(
        data,
        before[i]!,
        `${label}: input #${i} (${formatShape(tensors[i]!.shape)}) was mutated`,
      );
    }
  }

  /** Disposes everything still tracked. */
  disposeAll(): void {
    for (const t of this.owned) this.backend.dispose(t);
    this.owned.clear();
  }
}

/**
 * Runs `fn` with a fresh arena, disposes what it tracked, and — when `fn` succeeded — checks that
 * `live()` is back where it started, which catches ops that leak an internal handle.
 */
export async function withArena<T>(backend: Backend, fn: (arena: Arena) => Promise<T>): Promise<T> {
  const before = backend.live();
  const arena = new Arena(backend);
  let result: T;
  try {
    result = await fn(arena);
  } catch (error) {
    try {
      arena.disposeAll();
    } catch {
      // The check's own error is the one worth reporting.
    }
    throw error;
  }
  arena.disposeAll();
  const after = backend.live();
  if (after !== before) {
    throw new Error(
      `live() is ${after} after disposing every tensor the check made, ${before} before: a handle leaked`,
    );
  }
  return result;
}
