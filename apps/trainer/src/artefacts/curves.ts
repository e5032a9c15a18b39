import { lineChart, type Scene } from "@tensorplug/plots";
import type { EpochResult } from "@tensorplug/softmax";

/** The book's colours and line styles: train loss solid blue, train acc dashed magenta, test acc dash-dot green. */
const STYLE = {
  trainLoss: { color: "#1f77b4" },
  trainAccuracy: { color: "#bf00bf", dash: [10, 6] },
  testAccuracy: { color: "#008000", dash: [12, 5, 3, 5] },
} as const;

/** The book's training plot: loss and accuracies against epoch, y from 0.3 to 0.9 unless the data leave it. */
export function curvesScene(history: readonly EpochResult[], ran: string): Scene {
  const points = (pick: (r: EpochResult) => number) => history.map((r) => [r.epoch, pick(r)] as const);
  return lineChart({
    title: `softmax regression on Fashion-MNIST (${ran})`,
    width: 720,
    height: 480,
    xLabel: "epoch",
    integerX: true,
    yDomain: [0.3, 0.9],
    series: [
      { label: "train loss", points: points((r) => r.trainLoss), ...STYLE.trainLoss },
      { label: "train acc", points: points((r) => r.trainAccuracy), ...STYLE.trainAccuracy },
      { label: "test acc", points: points((r) => r.testAccuracy), ...STYLE.testAccuracy },
    ],
  });
}
