import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { BackendRegistry } from "@tensorplug/core";
import { BOOK_RECIPE } from "@tensorplug/softmax";
import { CHECKPOINT_FILE, type Checkpoint, readCheckpoint } from "./artefacts/checkpoint.js";
import { MODEL_FILE } from "./artefacts/model-file.js";
import { BACKEND_FLAGS, type BackendChoice, chooseBackend } from "./backend-choice.js";
import {
  existingDirectory,
  type FlagSpecs,
  nonNegativeInteger,
  parseFlags,
  positiveInteger,
  positiveNumber,
} from "./options.js";
import { OUTPUT_FLAGS, type OutputMode, outputMode } from "./output.js";
import { CLI_BACKENDS } from "./registry.js";
import { UsageError } from "./usage-error.js";

const COMMAND = "train";

export const TRAIN_FLAGS: FlagSpecs = {
  ...BACKEND_FLAGS,
  epochs: {
    type: "string",
    value: "N",
    help: "passes over the training set",
    default: String(BOOK_RECIPE.epochs),
  },
  "batch-size": {
    type: "string",
    value: "N",
    help: "examples per SGD step",
    default: String(BOOK_RECIPE.batchSize),
  },
  lr: { type: "string", value: "X", help: "learning rate", default: String(BOOK_RECIPE.lr) },
  seed: {
    type: "string",
    value: "N",
    help: "seed of the one generator (init, shuffles)",
    default: String(BOOK_RECIPE.seed),
  },
  "data-dir": { type: "string", value: "DIR", help: "Fashion-MNIST directory (env TENSORPLUG_DATA_DIR)" },
  out: {
    type: "string",
    value: "DIR",
    help: "run folder for the model, metrics, pictures and report",
    default: "runs/<date-time>-<backend>",
  },
  resume: {
    type: "string",
    value: "DIR",
    help: "continue the stopped run in DIR from its last complete epoch, with its own settings",
  },
  ...OUTPUT_FLAGS,
  help: { type: "boolean", help: "show this help" },
};

/** Validated settings of a training run. */
export interface TrainSettings {
  readonly backend: BackendChoice;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  readonly dataDir?: string;
  readonly out?: string;
  readonly output: OutputMode;
  /** Present with `--resume`: the run folder and what its checkpoint holds. */
  readonly resume?: { readonly dir: string; readonly checkpoint: Checkpoint };
}

type Flags = Record<string, string | boolean>;

/** Every flag checked before anything is loaded. */
export function parseTrainArgs(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  registry: BackendRegistry,
): TrainSettings | "help" {
  const flags = parseFlags(COMMAND, args, TRAIN_FLAGS);
  if (flags.help === true) return "help";
  const text = (name: string): string | undefined => {
    const v = flags[name];
    return typeof v === "string" ? v : undefined;
  };
  const epochs = text("epochs");
  const batchSize = text("batch-size");
  const lr = text("lr");
  const seed = text("seed");
  const dataDir = text("data-dir");
  const out = text("out");
  if (out !== undefined && (out.trim() === "" || (existsSync(out) && !statSync(out).isDirectory()))) {
    throw new UsageError(`--out ${out}: not a folder; pass a folder for the run's files`, COMMAND);
  }
  const resumeDir = text("resume");
  // A new run would overwrite an earlier run's model and checkpoint in the same folder.
  const earlierRun = out === undefined || resumeDir !== undefined ? undefined : savedRunFile(out);
  if (earlierRun !== undefined) {
    throw new UsageError(
      `--out ${out}: holds a run already (${earlierRun}); pass a new folder, or --resume ${out} if that run is unfinished`,
      COMMAND,
    );
  }
  const settings: TrainSettings = {
    backend: chooseBackend(flags, env, registry, COMMAND),
    epochs: epochs === undefined ? BOOK_RECIPE.epochs : positiveInteger("epochs", epochs, COMMAND),
    batchSize:
      batchSize === undefined ? BOOK_RECIPE.batchSize : positiveInteger("batch-size", batchSize, COMMAND),
    lr: lr === undefined ? BOOK_RECIPE.lr : positiveNumber("lr", lr, COMMAND),
    seed: seed === undefined ? BOOK_RECIPE.seed : nonNegativeInteger("seed", seed, COMMAND),
    ...(dataDir !== undefined ? { dataDir: existingDirectory("data-dir", dataDir, COMMAND) } : {}),
    ...(out !== undefined ? { out } : {}),
    output: outputMode(flags),
  };
  return resumeDir === undefined ? settings : resumed(resumeDir, flags, settings);
}

/** The file of a run that `dir` already holds (its model or checkpoint), if any. */
function savedRunFile(dir: string): string | undefined {
  return [MODEL_FILE, CHECKPOINT_FILE].find((file) => existsSync(join(dir, file)));
}

/**
 * `--resume DIR`: the run's own settings, from its checkpoint. A flag that repeats one of them is
 * fine; one that disagrees is a usage mistake, since a resumed run can only go on as it started.
 */
function resumed(dir: string, flags: Flags, parsed: TrainSettings): TrainSettings {
  const checkpoint = readCheckpoint(dir, COMMAND);
  const saved = checkpoint.settings;
  const disagree = (flag: string, given: unknown, own: unknown) => {
    if (flags[flag] !== undefined && given !== own) {
      throw new UsageError(
        `--${flag} ${String(flags[flag])} disagrees with the run in ${dir} (${flag} ${String(own)}); a resumed run keeps its own settings, so drop --${flag}`,
        COMMAND,
      );
    }
  };
  disagree("epochs", parsed.epochs, saved.epochs);
  disagree("batch-size", parsed.batchSize, saved.batchSize);
  disagree("lr", parsed.lr, saved.lr);
  disagree("seed", parsed.seed, saved.seed);
  disagree("backend", parsed.backend.name, checkpoint.backend.name);
  const entry = CLI_BACKENDS.find((b) => b.name === checkpoint.backend.name);
  if (entry?.modeFlag) disagree(entry.modeFlag, parsed.backend.mode, checkpoint.backend.mode);
  if (parsed.out !== undefined && resolve(parsed.out) !== resolve(dir)) {
    throw new UsageError(
      `--out ${parsed.out} disagrees with --resume ${dir}; a resumed run writes into its own folder, so drop --out`,
      COMMAND,
    );
  }
  if (checkpoint.epoch >= saved.epochs) {
    throw new UsageError(
      `--resume ${dir}: the run is complete (${checkpoint.epoch} of ${saved.epochs} epochs); nothing to resume`,
      COMMAND,
    );
  }
  const { dataDir, output } = parsed;
  return {
    backend: {
      name: checkpoint.backend.name,
      ...(entry?.modes ? { mode: checkpoint.backend.mode } : {}),
      from: "resume",
    },
    ...saved,
    ...(dataDir !== undefined ? { dataDir } : {}),
    out: dir,
    output,
    resume: { dir: resolve(dir), checkpoint },
  };
}
