import type { Tally } from "./types.js";

/** The tally of no examples, the start of every sum. */
export const EMPTY_TALLY: Tally = Object.freeze({ lossSum: 0, correct: 0, count: 0 });

/** The element-wise sum of two tallies. */
export function addTally(a: Tally, b: Tally): Tally {
  return { lossSum: a.lossSum + b.lossSum, correct: a.correct + b.correct, count: a.count + b.count };
}

/** Mean loss and accuracy of a tally (0 for an empty one). */
export function rates(t: Tally): {
  /** Mean loss per example. */
  loss: number;
  /** Fraction of examples classified correctly. */
  accuracy: number;
} {
  return t.count === 0
    ? { loss: 0, accuracy: 0 }
    : { loss: t.lossSum / t.count, accuracy: t.correct / t.count };
}
