import { existsSync } from "node:fs";
import { hostBytes } from "@tensorplug/core";
import { LABEL_NAMES } from "@tensorplug/fashion-mnist";
import type { EpochResult, SoftmaxRegression } from "@tensorplug/softmax";
import { defaultRunDir, prepareRunDir, writeRunArtefacts } from "../artefacts/run-folder.js";
import { startBackend } from "../backend-choice.js";
import { CliError } from "../cli-error.js";
import { loadTrainingData } from "../data.js";
import { type Io, println } from "../io.js";
import { helpText } from "../options.js";
import { Output } from "../output.js";
import { createRegistry } from "../registry.js";
import { ranName, shownPath, summaryLine } from "../report.js";
import { scoreTestSet } from "../scoring.js";
import { catchStopSignals, STOP_SIGNALS, type StopRequests } from "../stop-signals.js";
import { trainSession } from "../train-session.js";
import { parseTrainArgs, TRAIN_FLAGS, type TrainSettings } from "../train-settings.js";
import { UsageError } from "../usage-error.js";
import { TENSORPLUG_VERSION } from "../version.js";

export { parseTrainArgs, TRAIN_FLAGS, type TrainSettings } from "../train-settings.js";

const COMMAND = "train";

export const TRAIN_HELP = helpText(
  "tensorplug train [options]",
  "Trains softmax regression on Fashion-MNIST (the d2l.ai recipe), reports loss and accuracy per epoch, and saves a run folder: checkpoint.json and model.json after every epoch, metrics.jsonl/.csv, curves.svg/.png, predictions.png, weights.png, report.html. Ctrl-C stops at the next batch, keeping the last complete epoch; --resume DIR goes on from there.",
  TRAIN_FLAGS,
);

const seconds = (since: number) => (performance.now() - since) / 1000;

export async function trainCommand(args: readonly string[], io: Io): Promise<number> {
  const registry = createRegistry();
  const settings = parseTrainArgs(args, io.env, registry);
  if (settings === "help") {
    io.stdout.write(TRAIN_HELP);
    return 0;
  }
  const stops = catchStopSignals();
  try {
    return await runTraining(settings, registry, io, stops);
  } catch (error) {
    // Stopped while the data was still loading or downloading: nothing was written yet.
    const name = stops.received();
    if (name !== undefined && error === name) {
      println(io.stderr, `tensorplug: ${name}: stopped before training began; nothing was saved`);
      return STOP_SIGNALS[name];
    }
    throw error;
  } finally {
    stops.dispose();
  }
}

async function runTraining(
  settings: TrainSettings,
  registry: ReturnType<typeof createRegistry>,
  io: Io,
  stops: StopRequests,
): Promise<number> {
  const output = new Output(io, settings.output);
  const bar = output.progressBar();
  const cwd = io.cwd ?? process.cwd();
  const resume = settings.resume;

  // The backend first: the data then loads into memory it reads in place, where it has some to
  // offer (backend-cpu), and its worker thread starts while the data loads.
  let started = performance.now();
  const backend = await startBackend(registry, settings.backend);
  const backendSeconds = seconds(started);
  let model: SoftmaxRegression | undefined;
  try {
    started = performance.now();
    const savedDir = resume?.checkpoint.data.dir;
    const dataDir =
      settings.dataDir ?? (savedDir !== undefined && existsSync(savedDir) ? savedDir : undefined);
    const data = await loadTrainingData(dataDir, io.env, {
      bar,
      signal: stops.signal,
      allocate: (length) => hostBytes(backend, length),
      checkTrainCount: (count, dir) => {
        if (settings.batchSize > count) {
          throw new UsageError(
            `--batch-size ${settings.batchSize} is larger than the training set (${count} images in ${dir}); pass at most ${count}`,
            COMMAND,
          );
        }
      },
    });
    const loadSeconds = seconds(started);

    const recipe = `epochs ${settings.epochs}, batch size ${settings.batchSize}, lr ${settings.lr}, seed ${settings.seed}`;
    output.note(`backend: ${ranName(backend.name, backend.mode)}; ${recipe}`);
    output.note(
      `data: ${data.dir} (${data.source}); ${data.train.count} train, ${data.test.count} test images`,
    );
    const outDir =
      resume?.dir ??
      prepareRunDir(
        settings.out ??
          defaultRunDir(
            cwd,
            new Date(),
            backend.mode === backend.name ? backend.name : `${backend.name}-${backend.mode}`,
          ),
        COMMAND,
      );
    if (resume) {
      output.note(
        `resuming ${shownPath(cwd, outDir)} after epoch ${resume.checkpoint.epoch} of ${settings.epochs}`,
      );
    }
    const outcome = await trainSession({ settings, backend, data, outDir, cwd, io, output, bar, stops });
    if (outcome.kind === "stopped") return outcome.exitCode;
    model = outcome.model;
    const { history } = outcome;
    let score: Awaited<ReturnType<typeof scoreTestSet>>;
    let weights: Awaited<ReturnType<SoftmaxRegression["weights"]>>;
    try {
      weights = await model.weights();
      score = await scoreTestSet(model, data.test, LABEL_NAMES);
    } catch (error) {
      const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new CliError(
        `backend ${ranName(backend.name, backend.mode)} failed while scoring the test set: ${message}; ${shownPath(cwd, outDir)} keeps all ${settings.epochs} epochs (model.json, checkpoint.json)`,
      );
    }
    return report({
      settings,
      io,
      output,
      cwd,
      outDir,
      backend: { name: backend.name, mode: backend.mode },
      data,
      history,
      weights,
      score,
      timings: { loadSeconds, backendSeconds, trainSeconds: outcome.seconds },
    });
  } finally {
    bar.clear();
    model?.dispose();
    await backend.close?.();
  }
}

interface Finished {
  readonly settings: TrainSettings;
  readonly io: Io;
  readonly output: Output;
  readonly cwd: string;
  readonly outDir: string;
  readonly backend: { readonly name: string; readonly mode: string };
  readonly data: Awaited<ReturnType<typeof loadTrainingData>>;
  readonly history: EpochResult[];
  readonly weights: Awaited<ReturnType<SoftmaxRegression["weights"]>>;
  readonly score: Awaited<ReturnType<typeof scoreTestSet>>;
  readonly timings: { loadSeconds: number; backendSeconds: number; trainSeconds: number };
}

/** Writes the pictures and the report, and prints the summary (or the JSON document). */
function report(run: Finished): number {
  const { settings, output, cwd, outDir, backend, data, history, timings } = run;
  const createdAt = new Date();
  const hyperparameters = {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    lr: settings.lr,
    seed: settings.seed,
  };
  const requested = { requested: settings.backend.name, from: settings.backend.from };
  const files = writeRunArtefacts(outDir, {
    createdAt,
    version: TENSORPLUG_VERSION,
    backend: { ...requested, ...backend },
    settings,
    hyperparameters,
    data: { dir: data.dir, source: data.source, trainCount: data.train.count, testCount: data.test.count },
    timings,
    history,
    weights: run.weights,
    test: data.test,
    score: run.score,
  });
  output.detail(`saved: ${shownPath(cwd, outDir)} (${files.join(", ")})`);
  output.result(output.paint("bold", summaryLine(history, backend.name, backend.mode, timings.trainSeconds)));
  const last = history[history.length - 1]!;
  output.json({
    command: COMMAND,
    backend: { ...requested, ...backend },
    settings: hyperparameters,
    data: { dir: data.dir, source: data.source, trainCount: data.train.count, testCount: data.test.count },
    ...(settings.resume ? { resumedAfter: settings.resume.checkpoint.epoch } : {}),
    history,
    final: {
      trainLoss: last.trainLoss,
      trainAccuracy: last.trainAccuracy,
      testLoss: last.testLoss,
      testAccuracy: last.testAccuracy,
    },
    seconds: { load: timings.loadSeconds, backend: timings.backendSeconds, train: timings.trainSeconds },
    outDir,
    files,
  });
  return 0;
}
