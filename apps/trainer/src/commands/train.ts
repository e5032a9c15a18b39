import { existsSync, statSync } from "node:fs";
import { relative } from "node:path";
import { type BackendRegistry, Random } from "@tensorplug/core";
import { type FashionMnist, LABEL_NAMES } from "@tensorplug/fashion-mnist";
import { BOOK_RECIPE, type EpochResult, SoftmaxRegression, train } from "@tensorplug/softmax";
import { defaultRunDir, prepareRunDir, writeMetrics, writeRunArtefacts } from "../artefacts/run-folder.js";
import { BACKEND_FLAGS, type BackendChoice, chooseBackend, startBackend } from "../backend-choice.js";
import { loadData, trainData } from "../data.js";
import type { Io } from "../io.js";
import {
  existingDirectory,
  type FlagSpecs,
  helpText,
  nonNegativeInteger,
  parseFlags,
  positiveInteger,
  positiveNumber,
} from "../options.js";
import { OUTPUT_FLAGS, Output, type OutputMode, outputMode } from "../output.js";
import { createRegistry } from "../registry.js";
import { epochLine, ranName, summaryLine } from "../report.js";
import { scoreTestSet } from "../scoring.js";
import { UsageError } from "../usage-error.js";
import { TENSORPLUG_VERSION } from "../version.js";

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
  ...OUTPUT_FLAGS,
  help: { type: "boolean", help: "show this help" },
};

export const TRAIN_HELP = helpText(
  "tensorplug train [options]",
  "Trains softmax regression on Fashion-MNIST (the d2l.ai recipe), reports loss and accuracy per epoch, and saves a run folder: model.json, metrics.jsonl/.csv, curves.svg/.png, predictions.png, weights.png, report.html.",
  TRAIN_FLAGS,
);

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
}

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
  return {
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
}

const seconds = (since: number) => (performance.now() - since) / 1000;

export async function trainCommand(args: readonly string[], io: Io): Promise<number> {
  const registry = createRegistry();
  const settings = parseTrainArgs(args, io.env, registry);
  if (settings === "help") {
    io.stdout.write(TRAIN_HELP);
    return 0;
  }
  const output = new Output(io, settings.output);
  const bar = output.progressBar();
  const cwd = io.cwd ?? process.cwd();

  let started = performance.now();
  const backend = await startBackend(registry, settings.backend);
  const backendSeconds = seconds(started);
  output.note(
    `backend: ${ranName(backend.name, backend.mode)}; epochs ${settings.epochs}, batch size ${settings.batchSize}, lr ${settings.lr}, seed ${settings.seed}`,
  );

  let data: FashionMnist;
  let outDir: string;
  started = performance.now();
  try {
    data = await loadData(settings.dataDir, io.env, bar);
    outDir = prepareRunDir(
      settings.out ??
        defaultRunDir(
          cwd,
          new Date(),
          backend.mode === backend.name ? backend.name : `${backend.name}-${backend.mode}`,
        ),
      COMMAND,
    );
  } catch (error) {
    await backend.close?.();
    throw error;
  }
  const loadSeconds = seconds(started);
  output.note(
    `data: ${data.dir} (${data.source}); ${data.train.count} train, ${data.test.count} test images`,
  );

  const rng = new Random(settings.seed);
  const model = SoftmaxRegression.initialize(backend, rng);
  const source = trainData(data, settings.batchSize, rng);
  const totalBatches = settings.epochs * source.batchesPerEpoch;
  started = performance.now();
  let history: EpochResult[] = [];
  let trainSeconds = 0;
  let weights: Awaited<ReturnType<SoftmaxRegression["weights"]>>;
  let score: Awaited<ReturnType<typeof scoreTestSet>>;
  try {
    history = await train(model, source, {
      epochs: settings.epochs,
      lr: settings.lr,
      onEvent: (event) => {
        if (event.type === "batch") {
          const done = (event.epoch - 1) * event.batches + event.batch;
          const elapsed = seconds(started);
          bar.update(
            event.batch,
            event.batches,
            `epoch ${event.epoch}/${event.epochs}`,
            `loss ${(event.tally.lossSum / event.tally.count).toFixed(4)}`,
            (elapsed / done) * (totalBatches - done),
          );
        } else {
          bar.clear();
          output.detail(epochLine(event.result, event.epochs));
          writeMetrics(outDir, [...history, event.result]);
          history.push(event.result);
        }
      },
    });
    trainSeconds = seconds(started);
    weights = await model.weights();
    score = await scoreTestSet(model, data.test, LABEL_NAMES);
  } finally {
    bar.clear();
    model.dispose();
    await backend.close?.();
  }

  const createdAt = new Date();
  const files = writeRunArtefacts(outDir, {
    createdAt,
    version: TENSORPLUG_VERSION,
    backend: {
      requested: settings.backend.name,
      from: settings.backend.from,
      name: backend.name,
      mode: backend.mode,
    },
    settings,
    hyperparameters: {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      lr: settings.lr,
      seed: settings.seed,
    },
    data: { dir: data.dir, source: data.source, trainCount: data.train.count, testCount: data.test.count },
    timings: { loadSeconds, backendSeconds, trainSeconds },
    history,
    weights,
    test: data.test,
    score,
  });
  const shown = relative(cwd, outDir) || ".";
  output.detail(`saved: ${shown.startsWith("..") ? outDir : shown} (${files.join(", ")})`);
  output.result(output.paint("bold", summaryLine(history, backend.name, backend.mode, trainSeconds)));
  const last = history[history.length - 1]!;
  output.json({
    command: COMMAND,
    backend: {
      requested: settings.backend.name,
      from: settings.backend.from,
      name: backend.name,
      mode: backend.mode,
    },
    settings: {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      lr: settings.lr,
      seed: settings.seed,
    },
    data: { dir: data.dir, source: data.source, trainCount: data.train.count, testCount: data.test.count },
    history,
    final: {
      trainLoss: last.trainLoss,
      trainAccuracy: last.trainAccuracy,
      testLoss: last.testLoss,
      testAccuracy: last.testAccuracy,
    },
    seconds: { load: loadSeconds, backend: backendSeconds, train: trainSeconds },
    outDir,
    files,
  });
  return 0;
}
