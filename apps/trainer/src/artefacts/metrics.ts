import type { EpochResult } from "@tensorplug/softmax";

/** One line of metrics.jsonl. */
export interface MetricsLine {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
  readonly seconds: number;
}

export function metricsLine(result: EpochResult): MetricsLine {
  return {
    epoch: result.epoch,
    trainLoss: result.trainLoss,
    trainAccuracy: result.trainAccuracy,
    testLoss: result.testLoss,
    testAccuracy: result.testAccuracy,
    seconds: result.seconds,
  };
}

/** metrics.jsonl: one JSON object per epoch, one per line. */
export function metricsJsonl(history: readonly EpochResult[]): string {
  return history.map((r) => `${JSON.stringify(metricsLine(r))}\n`).join("");
}

const CSV_COLUMNS = ["epoch", "train_loss", "train_acc", "test_loss", "test_acc", "seconds"] as const;

/** metrics.csv: the same numbers with a header row, for spreadsheets. */
export function metricsCsv(history: readonly EpochResult[]): string {
  const rows = history.map((r) =>
    [r.epoch, r.trainLoss, r.trainAccuracy, r.testLoss, r.testAccuracy, r.seconds.toFixed(3)].join(","),
  );
  return `${[CSV_COLUMNS.join(","), ...rows].join("\n")}\n`;
}
