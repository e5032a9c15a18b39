import fc from "fast-check";
import type { CheckContext } from "./context.js";

/**
 * Runs an async property with the context's run count and seed. On failure fast-check's error
 * carries the seed, the shrunk counterexample and our assertion message (op and shapes) — in the
 * message itself rather than as a `cause`, so every reporter shows the repro in one place.
 */
export async function checkProperty<Ts extends [unknown, ...unknown[]]>(
  ctx: CheckContext,
  property: fc.IAsyncProperty<Ts>,
  numRuns: number = ctx.numRuns,
): Promise<void> {
  const base = { numRuns, includeErrorInReport: true };
  await fc.assert(property, ctx.seed === undefined ? base : { ...base, seed: ctx.seed });
}

/** Runs for the heavy checks (model-sized shapes, training): a few, but never more than asked for. */
export function heavyRuns(ctx: CheckContext, wanted: number): number {
  return Math.max(1, Math.min(wanted, ctx.numRuns));
}
