import { CpuBackend } from "@tensorplug/backend-cpu";
import { type Backend, Random, type RandomState } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { DivergedError, TrainingFailedError, TrainingStoppedError } from "./errors.js";
import { type ModelShape, SoftmaxRegression, type Weights } from "./model.js";
import { batchesOf, gaussianBlobs } from "./reference.test-helper.js";
import { type EpochResult, type TrainData, train } from "./train.js";

// The train loop watches the run: divergence, a stop request and a failing backend each end it at
// a named batch, with the epochs before it intact; and a run resumed from an epoch's weights and
// generator state ends bit for bit where an uninterrupted one does.

const SHAPE: ModelShape = { features: 20, classes: 3 };
const BATCH = 32; // 300 train points: 10 batches per epoch

/** Blob data whose train order is shuffled by `rng` each epoch, as the CLI does. */
function blobData(rng: Random, poison?: { batch: number; value: number }): TrainData {
  const data = new Random(5);
  const trainSet = gaussianBlobs(data, 300, SHAPE.features, SHAPE.classes, 1);
  const testSet = gaussianBlobs(data, 90, SHAPE.features, SHAPE.classes, 1, trainSet.centres);
  return {
    trainBatches() {
      const order = rng.shuffle(Uint32Array.from({ length: trainSet.n }, (_, i) => i));
      const batches = batchesOf(trainSet, BATCH, order);
      if (poison) (batches[poison.batch - 1]!.x as Float32Array)[7] = poison.value;
      return batches;
    },
    testBatches: () => batchesOf(testSet, 64),
    batchesPerEpoch: Math.ceil(trainSet.n / BATCH),
  };
}

/** A backend that throws from its `upload` once `failAt` uploads have been made. */
function failingBackend(inner: Backend, failAt: number): Backend {
  let uploads = 0;
  return new Proxy(inner, {
    get(target, key, receiver) {
      if (key === "upload") {
        return (...args: Parameters<Backend["upload"]>) => {
          if (++uploads === failAt) throw new Error("device lost\n    at somewhere (gpu.js:1:1)");
          return target.upload(...args);
        };
      }
      const value = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("divergence", () => {
  it("an infinite input at batch 4 of epoch 2 stops the run there, naming the place and the cure", async () => {
    const rng = new Random(1);
    const model = SoftmaxRegression.initialize(new CpuBackend(), rng, SHAPE);
    const saved: number[] = [];
    const clean = blobData(rng);
    const poisoned = blobData(rng, { batch: 4, value: Number.POSITIVE_INFINITY });
    const data: TrainData = { ...clean, trainBatches: (e) => (e === 2 ? poisoned : clean).trainBatches(e) };
    const error = await caught(
      train(model, data, { epochs: 3, lr: 0.1, afterEpoch: (r) => void saved.push(r.epoch) }),
    );
    expect(error).toBeInstanceOf(DivergedError);
    const diverged = error as DivergedError;
    expect(diverged.place).toEqual({ epoch: 2, epochs: 3, batch: 4, batches: 10 });
    expect(Number.isFinite(diverged.loss)).toBe(false);
    expect(diverged.message).toMatch(
      /^training diverged at epoch 2, batch 4 of 10: the loss became (NaN|Infinity); use a smaller learning rate than 0\.1 \(the book uses 0\.1\)$/,
    );
    expect(saved).toEqual([1]);
  });

  it("a learning rate of 1e38 drives the loss to infinity, and the run stops at the first such batch", async () => {
    const rng = new Random(2);
    const model = SoftmaxRegression.initialize(new CpuBackend(), rng, SHAPE);
    const losses: number[] = [];
    const error = await caught(
      train(model, blobData(rng), {
        epochs: 5,
        lr: 1e38,
        onEvent: (e) => {
          if (e.type === "batch") losses.push(e.tally.lossSum);
        },
      }),
    );
    expect(error).toBeInstanceOf(DivergedError);
    const { place } = error as DivergedError;
    // Every batch reported before the stop had a finite running loss; the stop is the next batch.
    expect(losses.every(Number.isFinite)).toBe(true);
    expect((place.epoch - 1) * 10 + place.batch!).toBe(losses.length + 1);
    expect((error as DivergedError).message).toContain("use a smaller learning rate than 1e+38");
  });
});

describe("stopping on request", () => {
  it("stops before the next batch, after the last finished epoch was handed over", async () => {
    const rng = new Random(3);
    const backend = new CpuBackend();
    const model = SoftmaxRegression.initialize(backend, rng, SHAPE);
    const controller = new AbortController();
    const saved: EpochResult[] = [];
    const error = await caught(
      train(model, blobData(rng), {
        epochs: 4,
        lr: 0.1,
        signal: controller.signal,
        afterEpoch: (r) => void saved.push(r),
        onEvent: (e) => {
          if (e.type === "batch" && e.epoch === 2 && e.batch === 6) controller.abort();
        },
      }),
    );
    expect(error).toBeInstanceOf(TrainingStoppedError);
    const stopped = error as TrainingStoppedError;
    expect(stopped.place).toEqual({ epoch: 2, epochs: 4, batch: 7, batches: 10 });
    expect(stopped.completed).toBe(1);
    expect(saved.map((r) => r.epoch)).toEqual([1]);
    model.dispose();
    expect(backend.live()).toBe(0);
  });
});

describe("a backend that throws mid-training", () => {
  it("becomes a one-line TrainingFailedError naming epoch and batch, keeping the cause", async () => {
    const rng = new Random(4);
    const inner = new CpuBackend();
    // Construction uploads W and b; every batch then uploads its inputs and its targets, every
    // test batch the same: epoch 1 takes 20 + 2 * 2 = 24 uploads, so upload 2 + 24 + 13 is the
    // first of batch 7 in epoch 2.
    const backend = failingBackend(inner, 2 + 24 + 13);
    const model = SoftmaxRegression.initialize(backend, rng, SHAPE);
    const saved: number[] = [];
    const error = await caught(
      train(model, blobData(rng), { epochs: 3, lr: 0.1, afterEpoch: (r) => void saved.push(r.epoch) }),
    );
    expect(error).toBeInstanceOf(TrainingFailedError);
    const failed = error as TrainingFailedError;
    expect(failed.place).toEqual({ epoch: 2, epochs: 3, batch: 7, batches: 10 });
    expect(failed.message).toBe("training failed at epoch 2, batch 7 of 10: device lost");
    expect((failed.cause as Error).message).toMatch(/^device lost\n/);
    expect(saved).toEqual([1]);
    // The step that threw was inside a scope: it left nothing behind but the parameters.
    expect(inner.live()).toBe(2);
  });
});

describe("resuming from an epoch's weights and generator state", () => {
  it("ends bit for bit where the uninterrupted run ends", async () => {
    const backend = new CpuBackend();
    const whole = async () => {
      const rng = new Random(9);
      const model = SoftmaxRegression.initialize(backend, rng, SHAPE);
      const history = await train(model, blobData(rng), { epochs: 4, lr: 0.3 });
      const weights = await model.weights();
      model.dispose();
      return { weights, history };
    };
    const uninterrupted = await whole();

    // First run: stopped in epoch 3, keeping what it had after epoch 2.
    let checkpoint: { weights: Weights; rng: RandomState; epoch: number } | undefined;
    const rng = new Random(9);
    const first = SoftmaxRegression.initialize(backend, rng, SHAPE);
    const controller = new AbortController();
    const stop = await caught(
      train(first, blobData(rng), {
        epochs: 4,
        lr: 0.3,
        signal: controller.signal,
        afterEpoch: async (r) => {
          checkpoint = { weights: await first.weights(), rng: rng.getState(), epoch: r.epoch };
        },
        onEvent: (e) => {
          if (e.type === "batch" && e.epoch === 3 && e.batch === 2) controller.abort();
        },
      }),
    );
    expect(stop).toBeInstanceOf(TrainingStoppedError);
    first.dispose();
    expect(checkpoint?.epoch).toBe(2);

    // Second run: from the checkpoint alone.
    const resumedRng = Random.fromState(checkpoint!.rng);
    const second = new SoftmaxRegression(backend, checkpoint!.weights, SHAPE);
    const rest = await train(second, blobData(resumedRng), { epochs: 4, lr: 0.3, startEpoch: 2 });
    expect(rest.map((r) => r.epoch)).toEqual([3, 4]);
    const resumed = await second.weights();
    second.dispose();
    expect(resumed.W).toEqual(uninterrupted.weights.W);
    expect(resumed.b).toEqual(uninterrupted.weights.b);
    expect(Buffer.from(resumed.W.buffer).equals(Buffer.from(uninterrupted.weights.W.buffer))).toBe(true);
    expect(rest.map((r) => r.testLoss)).toEqual(uninterrupted.history.slice(2).map((r) => r.testLoss));
  });
});
