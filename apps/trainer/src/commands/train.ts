import { type BackendRegistry, Random } from "@tensorplug/core";
import { type FashionMnist, loadFashionMnist } from "@tensorplug/fashion-mnist";
import { BOOK_RECIPE, type EpochResult, SoftmaxRegression, train } from "@tensorplug/softmax";
import { BACKEND_FLAGS, type BackendChoice, chooseBackend, startBackend } from "../backend-choice.js";
import { trainData } from "../data.js";
import { type Io, println } from "../io.js";
import {
  existingDirectory,
  type FlagSpecs,
  helpText,
  nonNegativeInteger,
  parseFlags,
  positiveInteger,
  positiveNumber,
} from "../options.js";
import { ProgressBar } from "../progress.js";
import { createRegistry } from "../registry.js";
import { epochLine, summaryLine } from "../report.js";

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
  help: { type: "boolean", help: "show this help" },
};

export const TRAIN_HELP = helpText(
  "tensorplug train [options]",
  "Trains softmax regression on Fashion-MNIST (the d2l.ai recipe) and reports loss and accuracy per epoch.",
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
  return {
    backend: chooseBackend(flags, env, registry, COMMAND),
    epochs: epochs === undefined ? BOOK_RECIPE.epochs : positiveInteger("epochs", epochs, COMMAND),
    batchSize:
      batchSize === undefined ? BOOK_RECIPE.batchSize : positiveInteger("batch-size", batchSize, COMMAND),
    lr: lr === undefined ? BOOK_RECIPE.lr : positiveNumber("lr", lr, COMMAND),
    seed: seed === undefined ? BOOK_RECIPE.seed : nonNegativeInteger("seed", seed, COMMAND),
    ...(dataDir !== undefined ? { dataDir: existingDirectory("data-dir", dataDir, COMMAND) } : {}),
  };
}

export async function trainCommand(args: readonly string[], io: Io): Promise<number> {
  const registry = createRegistry();
  const settings = parseTrainArgs(args, io.env, registry);
  if (settings === "help") {
    io.stdout.write(TRAIN_HELP);
    return 0;
  }
  const bar = new ProgressBar(io.stderr);

  const backend = await startBackend(registry, settings.backend);
  println(
    io.stderr,
    `backend: ${backend.name}${backend.mode !== backend.name ? ` (${backend.mode})` : ""}; epochs ${settings.epochs}, batch size ${settings.batchSize}, lr ${settings.lr}, seed ${settings.seed}`,
  );

  let data: FashionMnist;
  try {
    data = await loadFashionMnist({
      ...(settings.dataDir !== undefined ? { dataDir: settings.dataDir } : {}),
      env: io.env,
      onProgress: (p) => {
        bar.start();
        bar.update(p.received, p.total ?? p.received, `download ${p.file}`, "");
      },
    });
    bar.clear();
    println(
      io.stderr,
      `data: ${data.dir} (${data.source}); ${data.train.count} train, ${data.test.count} test images`,
    );
  } catch (error) {
    await backend.close?.();
    throw error;
  }

  const rng = new Random(settings.seed);
  const model = SoftmaxRegression.initialize(backend, rng);
  const started = performance.now();
  let history: EpochResult[] = [];
  try {
    history = await train(model, trainData(data, settings.batchSize, rng), {
      epochs: settings.epochs,
      lr: settings.lr,
      onEvent: (event) => {
        if (event.type === "batch") {
          if (event.batch === 1) bar.start();
          const runningLoss = event.tally.lossSum / event.tally.count;
          bar.update(
            event.batch,
            event.batches,
            `epoch ${event.epoch}/${event.epochs}`,
            `loss ${runningLoss.toFixed(4)}`,
          );
        } else {
          bar.clear();
          println(io.stdout, epochLine(event.result, event.epochs));
        }
      },
    });
  } finally {
    bar.clear();
    model.dispose();
    await backend.close?.();
  }
  println(io.stdout, summaryLine(history, backend.name, backend.mode, (performance.now() - started) / 1000));
  return 0;
}
