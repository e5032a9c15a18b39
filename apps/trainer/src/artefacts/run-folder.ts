import { existsSync, mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { type ImageSet, LABEL_NAMES } from "@tensorplug/fashion-mnist";
import { sceneToPng, sceneToSvg } from "@tensorplug/plots";
import type { EpochResult, Hyperparameters, Weights } from "@tensorplug/softmax";
import { FASHION_SHAPE } from "@tensorplug/softmax";
import { writeFileAtomic } from "../atomic-write.js";
import type { TestScore } from "../scoring.js";
import { UsageError } from "../usage-error.js";
import { CHECKPOINT_FILE } from "./checkpoint.js";
import { curvesScene } from "./curves.js";
import { metricsCsv, metricsJsonl } from "./metrics.js";
import { MODEL_FILE, modelFile } from "./model-file.js";
import { predictionsScene, weightsScene } from "./pictures.js";
import { type ReportInput, reportHtml } from "./report-html.js";

/** Every file a run folder holds, in the order they are written. */
export const RUN_FILES = [
  CHECKPOINT_FILE,
  "metrics.jsonl",
  "metrics.csv",
  MODEL_FILE,
  "curves.svg",
  "curves.png",
  "predictions.png",
  "weights.png",
  "report.html",
] as const;

const two = (n: number) => String(n).padStart(2, "0");

/** `runs/2026-11-24T02-40-00-cpu` in local time (no colons, which some file systems refuse), made unique. */
export function defaultRunDir(cwd: string, now: Date, ran: string): string {
  const stamp = `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}T${two(now.getHours())}-${two(now.getMinutes())}-${two(now.getSeconds())}`;
  const base = join(cwd, "runs", `${stamp}-${ran.replace(/[^\w.-]+/g, "-")}`);
  let dir = base;
  for (let k = 2; existsSync(dir); k++) dir = `${base}-${k}`;
  return dir;
}

/** Creates the folder (and its parents); a path that is a file is a usage mistake. */
export function prepareRunDir(path: string, command: string): string {
  const dir = resolve(path);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UsageError(
      `--out ${path}: is a file, not a folder; pass a folder for the run's files`,
      command,
    );
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** metrics.jsonl and metrics.csv, rewritten (atomically) after every epoch so a stopped run keeps its curve. */
export function writeMetrics(dir: string, history: readonly EpochResult[]): void {
  writeFileAtomic(join(dir, "metrics.jsonl"), metricsJsonl(history));
  writeFileAtomic(join(dir, "metrics.csv"), metricsCsv(history));
}

/** What model.json records besides the weights. */
export interface ModelFileFacts {
  readonly hyperparameters: Hyperparameters;
  readonly backend: { readonly name: string; readonly mode: string };
  readonly history: readonly EpochResult[];
  readonly version: string;
  readonly createdAt: Date;
}

/** model.json: rewritten (atomically) after every epoch, so a stopped run keeps a usable model. */
export function writeModel(dir: string, weights: Weights, facts: ModelFileFacts): void {
  const model = modelFile({
    weights,
    shape: FASHION_SHAPE,
    labels: [...LABEL_NAMES],
    hyperparameters: facts.hyperparameters,
    backend: { name: facts.backend.name, mode: facts.backend.mode },
    history: facts.history,
    version: facts.version,
    createdAt: facts.createdAt,
  });
  writeFileAtomic(join(dir, MODEL_FILE), `${JSON.stringify(model)}\n`);
}

export interface RunArtefactsInput
  extends Omit<ReportInput, "curves" | "predictionsPng" | "weightsPng" | "files"> {
  readonly weights: Weights;
  readonly hyperparameters: Hyperparameters;
  readonly test: ImageSet;
  readonly score: TestScore;
}

/** Writes the model, the pictures and the report (the checkpoint is already there); returns the run's file names. */
export function writeRunArtefacts(dir: string, input: RunArtefactsInput): string[] {
  const names = [...LABEL_NAMES];
  const { backend } = input;
  const ran = backend.mode === backend.name ? backend.name : `${backend.name} ${backend.mode}`;
  writeMetrics(dir, input.history);
  writeModel(dir, input.weights, { ...input, backend: { name: backend.name, mode: backend.mode } });
  const curves = curvesScene(input.history, ran);
  writeFileAtomic(join(dir, "curves.svg"), sceneToSvg(curves));
  writeFileAtomic(join(dir, "curves.png"), sceneToPng(curves));
  const predictionsPng = sceneToPng(predictionsScene(input.test, input.score.predicted, names));
  writeFileAtomic(join(dir, "predictions.png"), predictionsPng);
  const weightsPng = sceneToPng(weightsScene(input.weights.W, names));
  writeFileAtomic(join(dir, "weights.png"), weightsPng);
  writeFileAtomic(
    join(dir, "report.html"),
    reportHtml({ ...input, curves, predictionsPng, weightsPng, files: [...RUN_FILES] }),
  );
  return [...RUN_FILES];
}
