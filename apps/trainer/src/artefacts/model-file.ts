import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  type EpochResult,
  FASHION_SHAPE,
  type Hyperparameters,
  type ModelShape,
  type Weights,
} from "@tensorplug/softmax";
import { CliError } from "../cli-error.js";
import { UsageError } from "../usage-error.js";
import { float32Array } from "./float-json.js";
import {
  exactKeys,
  FieldProblem,
  finite,
  float32s,
  integer,
  isObject,
  object,
  readJsonFile,
  shown,
  text,
} from "./untrusted-json.js";

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

const MODEL_KEYS = [
  "format",
  "formatVersion",
  "createdAt",
  "tensorplugVersion",
  "shape",
  "labels",
  "W",
  "b",
  "hyperparameters",
  "seed",
  "backend",
  "metrics",
] as const;

/** Checks a parsed `model.json` field by field and returns a clean copy; throws `FieldProblem`. */
export function parseModel(value: unknown): ModelFile & { readonly weights: Weights } {
  if (!isObject(value)) throw new FieldProblem("it is not a JSON object");
  if (value.format !== MODEL_FORMAT) {
    throw new FieldProblem(`its "format" is ${shown(value.format)}, not "${MODEL_FORMAT}"`);
  }
  if (value.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new FieldProblem(
      `it has format version ${shown(value.formatVersion)}; this tensorplug reads version ${MODEL_FORMAT_VERSION}`,
    );
  }
  exactKeys(value, MODEL_KEYS, "");
  const shape = object(value.shape, "shape");
  exactKeys(shape, ["features", "classes"], '"shape"');
  if (shape.features !== FASHION_SHAPE.features || shape.classes !== FASHION_SHAPE.classes) {
    throw new FieldProblem(
      `"shape" is ${shown(shape.features)}x${shown(shape.classes)}; Fashion-MNIST models are ${FASHION_SHAPE.features}x${FASHION_SHAPE.classes}`,
    );
  }
  const { features, classes } = FASHION_SHAPE;
  const W = float32s(value.W, "W", features * classes);
  const b = float32s(value.b, "b", classes);
  if (!Array.isArray(value.labels) || value.labels.length !== classes) {
    throw new FieldProblem(`"labels" must be ${classes} names`);
  }
  const labels = value.labels.map((l, i) => text(l, `labels[${i}]`, 40));
  const hp = object(value.hyperparameters, "hyperparameters");
  exactKeys(hp, ["epochs", "batchSize", "lr", "seed"], '"hyperparameters"');
  const hyperparameters: Hyperparameters = {
    epochs: integer(hp.epochs, "hyperparameters.epochs", 1),
    batchSize: integer(hp.batchSize, "hyperparameters.batchSize", 1),
    lr: finite(hp.lr, "hyperparameters.lr", { above: 0 }),
    seed: integer(hp.seed, "hyperparameters.seed", 0),
  };
  const backend = object(value.backend, "backend");
  exactKeys(backend, ["name", "mode"], '"backend"');
  const m = object(value.metrics, "metrics");
  exactKeys(m, ["epochs", "trainLoss", "trainAccuracy", "testLoss", "testAccuracy"], '"metrics"');
  const rate = { min: 0, max: 1 };
  return {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    createdAt: text(value.createdAt, "createdAt", 40),
    tensorplugVersion: text(value.tensorplugVersion, "tensorplugVersion", 40),
    shape: { features, classes },
    labels,
    W: Array.from(W),
    b: Array.from(b),
    hyperparameters,
    seed: integer(value.seed, "seed", 0),
    backend: { name: text(backend.name, "backend.name", 40), mode: text(backend.mode, "backend.mode", 40) },
    metrics: {
      epochs: integer(m.epochs, "metrics.epochs", 1),
      trainLoss: finite(m.trainLoss, "metrics.trainLoss", { min: 0 }),
      trainAccuracy: finite(m.trainAccuracy, "metrics.trainAccuracy", rate),
      testLoss: finite(m.testLoss, "metrics.testLoss", { min: 0 }),
      testAccuracy: finite(m.testAccuracy, "metrics.testAccuracy", rate),
    },
    weights: { W, b },
  };
}

/** Checks a parsed `model.json`; returns what is wrong, or undefined when it is a usable model. */
export function modelProblem(value: unknown): string | undefined {
  try {
    parseModel(value);
    return undefined;
  } catch (error) {
    if (error instanceof FieldProblem) return error.message;
    throw error;
  }
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
  const parsed = readJsonFile(path, "tensorplug model");
  try {
    return parseModel(parsed);
  } catch (error) {
    if (error instanceof FieldProblem)
      throw new CliError(`${path} is not a tensorplug model: ${error.message}`);
    throw error;
  }
}
