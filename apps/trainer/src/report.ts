import { relative } from "node:path";
import type { EpochResult } from "@tensorplug/softmax";
import { formatSeconds } from "./progress.js";

/** `epoch 3/10  loss 0.5245  train acc 0.8272  test acc 0.8164  1.9 s` */
export function epochLine(result: EpochResult, epochs: number): string {
  return [
    `epoch ${result.epoch}/${epochs}`,
    `loss ${result.trainLoss.toFixed(4)}`,
    `train acc ${result.trainAccuracy.toFixed(4)}`,
    `test acc ${result.testAccuracy.toFixed(4)}`,
    formatSeconds(result.seconds),
  ].join("  ");
}

/** `cpu`, or `gpujs (webasm)` when the mode is not the backend's own name. */
export function ranName(backend: string, mode: string): string {
  return mode === backend ? backend : `${backend} (${mode})`;
}

/** The run's last line: final metrics, the backend and mode that ran, and the time taken. */
export function summaryLine(
  history: readonly EpochResult[],
  backend: string,
  mode: string,
  seconds: number,
): string {
  const last = history[history.length - 1];
  if (!last) return "no epochs ran";
  const ran = ranName(backend, mode);
  return [
    `done: ${history.length} epoch${history.length === 1 ? "" : "s"} on ${ran} in ${formatSeconds(seconds)}`,
    `train loss ${last.trainLoss.toFixed(4)}`,
    `train acc ${last.trainAccuracy.toFixed(4)}`,
    `test acc ${last.testAccuracy.toFixed(4)}`,
  ].join("  ");
}

/** A path as messages show it: relative to `cwd` when inside it, else absolute. */
export function shownPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith("..") ? path : rel || ".";
}
