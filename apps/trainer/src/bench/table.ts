import type { ReferenceTiming } from "../numpy-reference.js";

/** One backend's measurement: medians over its runs. */
export interface BenchRow {
  readonly backend: string;
  readonly mode: string;
  readonly secondsPerEpoch: number;
  readonly trainSeconds: number;
  /** Fresh process to exit: start-up, data loading, backend start, training. */
  readonly wholeRunSeconds: number;
  readonly peakRssMiB: number;
  readonly testAccuracy: number;
  readonly maxWeightDiffVsCpu: number | null;
  /** Train seconds divided by NumPy's, measured in the same bench; null without the reference. */
  readonly vsNumpy: number | null;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

const mib = (v: number | null) => (v === null ? "-" : v.toFixed(0));

/** bench.md's table: one row per backend and mode, then the NumPy reference as the 1.00x row. */
export function benchMarkdown(
  rows: readonly BenchRow[],
  reference: ReferenceTiming | undefined,
  epochs: number,
  baselineMiB: number | null,
): string {
  const lines = [
    `| backend | mode | s/epoch | train s (${epochs} epochs) | whole run s | peak MiB | test acc | max abs W diff vs cpu | vs NumPy |`,
    "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.backend} | ${r.mode} | ${r.secondsPerEpoch.toFixed(3)} | ${r.trainSeconds.toFixed(2)} | ${r.wholeRunSeconds.toFixed(2)} | ${mib(r.peakRssMiB)} | ${r.testAccuracy.toFixed(4)} | ${
          r.maxWeightDiffVsCpu === null ? "-" : r.maxWeightDiffVsCpu.toExponential(2)
        } | ${r.vsNumpy === null ? "n/a" : `${r.vsNumpy.toFixed(2)}x`} |`,
    ),
  ];
  if (reference) {
    lines.push(
      `| numpy (reference) | float32 | ${(reference.trainSeconds / epochs).toFixed(3)} | ${reference.trainSeconds.toFixed(2)} | ${reference.wholeRunSeconds.toFixed(2)} | ${mib(reference.peakRssMiB)} | ${reference.testAccuracy.toFixed(4)} | - | 1.00x |`,
    );
  }
  lines.push(
    "",
    `Peak MiB is the peak resident memory of a fresh process per run (Node or Python, the data set, the backend)${
      baselineMiB === null
        ? ""
        : `; Node with the data set loaded and no backend peaks at ${baselineMiB.toFixed(0)} MiB`
    }. "vs NumPy" is train seconds over NumPy's, measured in the same bench.`,
  );
  return `${lines.join("\n")}\n`;
}
