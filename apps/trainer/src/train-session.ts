import { type Backend, Random } from "@tensorplug/core";
import type { FashionMnist } from "@tensorplug/fashion-mnist";
import {
  DivergedError,
  type EpochResult,
  SoftmaxRegression,
  TrainingFailedError,
  TrainingStoppedError,
  train,
} from "@tensorplug/softmax";
import { writeCheckpoint } from "./artefacts/checkpoint.js";
import { writeMetrics, writeModel } from "./artefacts/run-folder.js";
import { CliError } from "./cli-error.js";
import { dataIdentity, testBatchSize, trainData } from "./data.js";
import { type Io, println } from "./io.js";
import type { Output } from "./output.js";
import type { ProgressBar } from "./progress.js";
import { epochLine, ranName, shownPath } from "./report.js";
import { STOP_SIGNALS, type StopRequests } from "./stop-signals.js";
import type { TrainSettings } from "./train-settings.js";
import { TENSORPLUG_VERSION } from "./version.js";

/**
 * How a session ended: every epoch done (the model still alive on the backend, for scoring; the
 * caller disposes of it), or stopped on request at a safe point.
 */
export type SessionOutcome =
  | {
      readonly kind: "done";
      readonly history: EpochResult[];
      readonly seconds: number;
      readonly model: SoftmaxRegression;
    }
  | { readonly kind: "stopped"; readonly exitCode: number };

export interface Session {
  readonly settings: TrainSettings;
  readonly backend: Backend;
  readonly data: FashionMnist;
  readonly outDir: string;
  readonly cwd: string;
  readonly io: Io;
  readonly output: Output;
  readonly bar: ProgressBar;
  readonly stops: StopRequests;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/**
 * Trains, saving a checkpoint (weights, generator state, epoch, metrics) and model.json after
 * every epoch, and a first checkpoint before any, so a run stopped at any moment can go on from
 * its last complete epoch. A stop request, a diverging loss and a failing backend each end the run
 * at a batch boundary with one line saying what happened and what the folder keeps.
 */
export async function trainSession(session: Session): Promise<SessionOutcome> {
  const { settings, backend, data, outDir, output, bar, stops } = session;
  const shownDir = shownPath(session.cwd, outDir);
  const resume = settings.resume?.checkpoint;
  const identity = dataIdentity(data);
  if (resume && identity.sha256 !== resume.data.sha256) {
    throw new CliError(
      `the data in ${data.dir} (${data.train.count} train, ${data.test.count} test images) is not the data the run in ${shownDir} trained on (${resume.data.trainCount} train, ${resume.data.testCount} test images in ${resume.data.dir}); pass that data with --data-dir`,
    );
  }
  const hyperparameters = {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    lr: settings.lr,
    seed: settings.seed,
  };
  const ran = { name: backend.name, mode: backend.mode };
  const rng = resume ? Random.fromState(resume.rng) : new Random(settings.seed);
  const model = resume
    ? new SoftmaxRegression(backend, resume.weights)
    : SoftmaxRegression.initialize(backend, rng);
  const history: EpochResult[] = resume ? [...resume.history] : [];
  const save = async () => {
    const weights = await model.weights();
    writeCheckpoint(outDir, {
      savedAt: new Date().toISOString(),
      epoch: history.length,
      settings: hyperparameters,
      backend: ran,
      data: identity,
      rng: rng.getState(),
      history,
      weights,
    });
    if (history.length > 0) {
      writeMetrics(outDir, history);
      writeModel(outDir, weights, {
        hyperparameters,
        backend: ran,
        history,
        version: TENSORPLUG_VERSION,
        createdAt: new Date(),
      });
    }
  };

  let kept = false;
  try {
    if (!resume) await save();
    const source = trainData(data, settings.batchSize, rng, testBatchSize(model.backend, settings.batchSize));
    const startEpoch = history.length;
    const totalBatches = (settings.epochs - startEpoch) * source.batchesPerEpoch;
    const started = performance.now();
    await train(model, source, {
      epochs: settings.epochs,
      lr: settings.lr,
      startEpoch,
      signal: stops.signal,
      afterEpoch: async (result) => {
        history.push(result);
        await save();
      },
      onEvent: (event) => {
        if (event.type === "batch") {
          const done = (event.epoch - 1 - startEpoch) * event.batches + event.batch;
          bar.update(
            event.batch,
            event.batches,
            `epoch ${event.epoch}/${event.epochs}`,
            `loss ${(event.tally.lossSum / event.tally.count).toFixed(4)}`,
            (seconds(started) / done) * (totalBatches - done),
          );
        } else {
          bar.clear();
          output.detail(epochLine(event.result, event.epochs));
        }
      },
    });
    kept = true;
    return { kind: "done", history, seconds: seconds(started), model };
  } catch (error) {
    bar.clear();
    const epochKept =
      history.length === 0
        ? `the initial weights (epoch 0 of ${settings.epochs})`
        : `epoch ${history.length} of ${settings.epochs}`;
    const keeps = `${shownDir} keeps ${epochKept}`;
    const resumeHint = `resume with: tensorplug train --resume ${shownDir}`;
    if (error instanceof TrainingStoppedError) {
      const name = stops.received() ?? "SIGINT";
      println(
        session.io.stderr,
        `tensorplug: ${name}: stopped before ${describeBatch(error)}; ${keeps}; ${resumeHint}`,
      );
      return { kind: "stopped", exitCode: STOP_SIGNALS[name] };
    }
    if (error instanceof DivergedError) {
      throw new CliError(`${error.message}; ${shownDir} keeps the last good checkpoint, ${epochKept}`);
    }
    if (error instanceof TrainingFailedError) {
      throw new CliError(
        `backend ${ranName(backend.name, backend.mode)} failed: ${error.message}; ${keeps}; ${resumeHint}`,
      );
    }
    throw error;
  } finally {
    if (!kept) model.dispose();
  }
}

function describeBatch(error: TrainingStoppedError): string {
  const { epoch, batch, batches } = error.place;
  return batch === undefined
    ? `the evaluation of epoch ${epoch}`
    : `epoch ${epoch}, batch ${batch} of ${batches}`;
}
