import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { EpochResult, Hyperparameters, ModelShape, Weights } from "@tensorplug/softmax";
import { CliError } from "../cli-error.js";
import { UsageError } from "../usage-error.js";
import { float32Array } from "./float-json.js";

export const MODEL_FORMAT = "tensorplug-softmax-model";
export const MODEL_FORMAT_VERSION = 1;
export const MODEL_FILE = "model.json";

/** The final metrics saved with a model. */
export interface SavedMetrics {
  readonly epochs: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
}

/** `model.json`: everything needed to use the model again and to know where it came from. */
export interface ModelFile {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: typeof MODEL_FORMAT_VERSION;
  readonly createdAt: string;
  readonly tensorplugVersion: string;
  readonly shape: ModelShape;
  readonly labels: readonly string[];
  /** `features x classes`, row-major (784 rows of 10). */
  readonly W: readonly number[];
  readonly b: readonly number[];
  readonly hyperparameters: Hyperparameters;
  readonly seed: number;
  readonly backend: { readonly name: string; readonly mode: string };
  readonly metrics: SavedMetrics;
}

export interface ModelFileInput {
  readonly weights: Weights;
  readonly shape: ModelShape;
  readonly labels: readonly string[];
  readonly hyperparameters: Hyperparameters;
  readonly backend: { readonly name: string; readonly mode: string };
  readonly history: readonly EpochResult[];
  readonly version: string;
  readonly createdAt: Date;
}

export function modelFile(input: ModelFileInput): ModelFile {
  const last = input.history[input.history.length - 1];
  return {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    createdAt: input.createdAt.toISOString(),
    tensorplugVersion: input.version,
    shape: { features: input.shape.features, classes: input.shape.classes },
    labels: [...input.labels],
    W: float32Array(input.weights.W),
    b: float32Array(input.weights.b),
    hyperparameters: { ...input.hyperparameters },
    seed: input.hyperparameters.seed,
    backend: { ...input.backend },
    metrics: {
      epochs: input.history.length,
      trainLoss: last?.trainLoss ?? 0,
      trainAccuracy: last?.trainAccuracy ?? 0,
      testLoss: last?.testLoss ?? 0,
      testAccuracy: last?.testAccuracy ?? 0,
    },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isNumberArray = (v: unknown, length: number): v is number[] =>
  Array.isArray(v) && v.length === length && v.every((x) => typeof x === "number" && Number.isFinite(x));

/** Checks a parsed `model.json`; returns what is wrong, or undefined when it is a usable model. */
export function modelProblem(value: unknown): string | undefined {
  if (!isObject(value)) return "it is not a JSON object";
  if (value.format !== MODEL_FORMAT)
    return `its "format" is ${JSON.stringify(value.format)}, not "${MODEL_FORMAT}"`;
  if (value.formatVersion !== MODEL_FORMAT_VERSION) {
    return `it has format version ${JSON.stringify(value.formatVersion)}; this tensorplug reads version ${MODEL_FORMAT_VERSION}`;
  }
  const shape = value.shape;
  if (!isObject(shape) || !Number.isInteger(shape.features) || !Number.isInteger(shape.classes)) {
    return '"shape" must hold whole numbers "features" and "classes"';
  }
  const features = shape.features as number;
  const classes = shape.classes as number;
  if (features < 1 || classes < 2) return '"shape" needs at least 1 feature and 2 classes';
  if (!isNumberArray(value.W, features * classes)) return `"W" must be ${features * classes} finite numbers`;
  if (!isNumberArray(value.b, classes)) return `"b" must be ${classes} finite numbers`;
  if (
    !Array.isArray(value.labels) ||
    value.labels.length !== classes ||
    !value.labels.every((l) => typeof l === "string")
  ) {
    return `"labels" must be ${classes} strings`;
  }
  if (!isObject(value.backend) || typeof value.backend.name !== "string")
    return '"backend" must name a backend';
  if (!isObject(value.metrics) || typeof value.metrics.testAccuracy !== "number")
    return '"metrics" is missing';
  if (!isObject(value.hyperparameters)) return '"hyperparameters" is missing';
  return undefined;
}

/** Where a `--model` argument points: a run folder holding model.json, or the file itself. */
export function modelPath(arg: string, command: string): string {
  let isDir: boolean;
  try {
    isDir = statSync(arg).isDirectory();
  } catch {
    throw new UsageError(
      `--model ${arg}: no such file or directory; pass a run folder written by tensorplug train`,
      command,
    );
  }
  const path = isDir ? join(arg, MODEL_FILE) : arg;
  if (!existsSync(path)) {
    throw new UsageError(
      `--model ${arg}: no ${MODEL_FILE} in it; pass a run folder written by tensorplug train`,
      command,
    );
  }
  return path;
}

/** Reads and checks a model file; a file that is not a usable model is a one-line `CliError`. */
export function readModel(path: string): ModelFile & { readonly weights: Weights } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new CliError(`${path} is not valid JSON (${(error as Error).message.split("\n")[0]})`);
  }
  const problem = modelProblem(parsed);
  if (problem) throw new CliError(`${path} is not a tensorplug model: ${problem}`);
  const model = parsed as ModelFile;
  return { ...model, weights: { W: Float32Array.from(model.W), b: Float32Array.from(model.b) } };
}
