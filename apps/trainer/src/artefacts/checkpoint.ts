import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { RandomState } from "@tensorplug/core";
import { FASHION_SHAPE, type Hyperparameters, type Weights } from "@tensorplug/softmax";
import { writeFileAtomic } from "../atomic-write.js";
import { CliError } from "../cli-error.js";
import { UsageError } from "../usage-error.js";
import { float32Array } from "./float-json.js";
import { type MetricsLine, metricsLine } from "./metrics.js";
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

export const CHECKPOINT_FILE = "checkpoint.json";
export const CHECKPOINT_FORMAT = "tensorplug-checkpoint";
export const CHECKPOINT_FORMAT_VERSION = 1;

/** Which data a run trained on: enough to refuse resuming it on other data. */
export interface DataIdentity {
  /** Absolute directory the files were read from (where a resume looks first). */
  readonly dir: string;
  readonly trainCount: number;
  readonly testCount: number;
  /** SHA-256 of the decoded images and labels of both splits. */
  readonly sha256: string;
}

/**
 * Everything a run needs to go on exactly where it stopped, in one file so that it is replaced
 * whole (see `writeFileAtomic`): the settings, the backend that ran, the data it ran on, the
 * epochs complete with their metrics, the weights after the last of them, and the state of the
 * run's one random generator at that moment (the next epoch's shuffle is drawn from it).
 */
export interface Checkpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly formatVersion: typeof CHECKPOINT_FORMAT_VERSION;
  readonly savedAt: string;
  /** Epochs complete: 0 right after initialisation. */
  readonly epoch: number;
  readonly settings: Hyperparameters;
  readonly backend: { readonly name: string; readonly mode: string };
  readonly data: DataIdentity;
  readonly rng: RandomState;
  readonly history: readonly MetricsLine[];
  readonly weights: Weights;
}

/** Writes `checkpoint.json` into the run folder, replacing the previous one atomically. */
export function writeCheckpoint(dir: string, checkpoint: Omit<Checkpoint, "format" | "formatVersion">): void {
  const { weights, ...rest } = checkpoint;
  const file = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    ...rest,
    history: rest.history.map(metricsLine),
    W: float32Array(weights.W),
    b: float32Array(weights.b),
  };
  writeFileAtomic(join(dir, CHECKPOINT_FILE), `${JSON.stringify(file)}\n`);
}

const KEYS = [
  "format",
  "formatVersion",
  "savedAt",
  "epoch",
  "settings",
  "backend",
  "data",
  "rng",
  "history",
  "W",
  "b",
] as const;

function parseHistory(value: unknown, epoch: number): MetricsLine[] {
  if (!Array.isArray(value) || value.length !== epoch) {
    throw new FieldProblem(`"history" must list the ${epoch} epochs complete`);
  }
  const rate = { min: 0, max: 1 };
  return value.map((line, i) => {
    const where = `history[${i}]`;
    const m = object(line, where);
    exactKeys(m, ["epoch", "trainLoss", "trainAccuracy", "testLoss", "testAccuracy", "seconds"], where);
    if (m.epoch !== i + 1) throw new FieldProblem(`"${where}.epoch" must be ${i + 1}, got ${shown(m.epoch)}`);
    return {
      epoch: i + 1,
      trainLoss: finite(m.trainLoss, `${where}.trainLoss`, { min: 0 }),
      trainAccuracy: finite(m.trainAccuracy, `${where}.trainAccuracy`, rate),
      testLoss: finite(m.testLoss, `${where}.testLoss`, { min: 0 }),
      testAccuracy: finite(m.testAccuracy, `${where}.testAccuracy`, rate),
      seconds: finite(m.seconds, `${where}.seconds`, { min: 0 }),
    };
  });
}

function parseRng(value: unknown): RandomState {
  const rng = object(value, "rng");
  exactKeys(rng, ["s", "spare"], '"rng"');
  const s = rng.s;
  if (
    !Array.isArray(s) ||
    s.length !== 4 ||
    !s.every((w) => Number.isInteger(w) && w >= -(2 ** 31) && w < 2 ** 32) ||
    s.every((w) => (w | 0) === 0)
  ) {
    throw new FieldProblem(`"rng.s" must be four 32-bit words, not all zero, got ${shown(s)}`);
  }
  const spare = rng.spare === null ? null : finite(rng.spare, "rng.spare");
  return { s: [s[0], s[1], s[2], s[3]] as [number, number, number, number], spare };
}

/** Checks a parsed checkpoint field by field and returns a clean copy; throws `FieldProblem`. */
export function parseCheckpoint(value: unknown): Checkpoint {
  if (!isObject(value)) throw new FieldProblem("it is not a JSON object");
  if (value.format !== CHECKPOINT_FORMAT) {
    throw new FieldProblem(`its "format" is ${shown(value.format)}, not "${CHECKPOINT_FORMAT}"`);
  }
  if (value.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw new FieldProblem(
      `it has format version ${shown(value.formatVersion)}; this tensorplug reads version ${CHECKPOINT_FORMAT_VERSION}`,
    );
  }
  exactKeys(value, KEYS, "");
  const settings = object(value.settings, "settings");
  exactKeys(settings, ["epochs", "batchSize", "lr", "seed"], '"settings"');
  const epochs = integer(settings.epochs, "settings.epochs", 1);
  const epoch = integer(value.epoch, "epoch", 0);
  if (epoch > epochs) throw new FieldProblem(`"epoch" ${epoch} is past the run's ${epochs} epochs`);
  const backend = object(value.backend, "backend");
  exactKeys(backend, ["name", "mode"], '"backend"');
  const data = object(value.data, "data");
  exactKeys(data, ["dir", "trainCount", "testCount", "sha256"], '"data"');
  if (typeof data.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(data.sha256)) {
    throw new FieldProblem(`"data.sha256" must be 64 hex digits, got ${shown(data.sha256)}`);
  }
  const { features, classes } = FASHION_SHAPE;
  return {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    savedAt: text(value.savedAt, "savedAt", 40),
    epoch,
    settings: {
      epochs,
      batchSize: integer(settings.batchSize, "settings.batchSize", 1),
      lr: finite(settings.lr, "settings.lr", { above: 0 }),
      seed: integer(settings.seed, "settings.seed", 0),
    },
    backend: { name: text(backend.name, "backend.name", 40), mode: text(backend.mode, "backend.mode", 40) },
    data: {
      dir: text(data.dir, "data.dir", 4096),
      trainCount: integer(data.trainCount, "data.trainCount", 1),
      testCount: integer(data.testCount, "data.testCount", 1),
      sha256: data.sha256,
    },
    rng: parseRng(value.rng),
    history: parseHistory(value.history, epoch),
    weights: { W: float32s(value.W, "W", features * classes), b: float32s(value.b, "b", classes) },
  };
}

/** The checkpoint of the run folder `dir`, for `--resume`: a missing one is a usage mistake, a bad one a `CliError`. */
export function readCheckpoint(dir: string, command: string): Checkpoint {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(
      `--resume ${dir}: no such folder; pass the run folder of the run to resume`,
      command,
    );
  }
  if (!isDir)
    throw new UsageError(`--resume ${dir}: not a folder; pass the run folder of the run to resume`, command);
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) {
    throw new UsageError(
      `--resume ${dir}: no ${CHECKPOINT_FILE} in it; pass a run folder written by tensorplug train`,
      command,
    );
  }
  const parsed = readJsonFile(path, "tensorplug checkpoint");
  try {
    return parseCheckpoint(parsed);
  } catch (error) {
    if (error instanceof FieldProblem)
      throw new CliError(`${path} is not a tensorplug checkpoint: ${error.message}`);
    throw error;
  }
}
