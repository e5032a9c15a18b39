// A consumer's program, compiled and run by scripts/consumer-test.sh in a fresh project that has
// only @tensorplug/core, @tensorplug/softmax and @tensorplug/backend-cpu installed from their
// tarballs. It trains on three well-separated generated clusters and fails unless the model
// learns them, every handle is freed, and the packages load from that project's node_modules.
import { fileURLToPath } from "node:url";
import { createCpuBackend } from "@tensorplug/backend-cpu";
import { Random } from "@tensorplug/core";
import { type Batch, SoftmaxRegression, type TrainData, train } from "@tensorplug/softmax";

const FEATURES = 4;
const CLASSES = 3;
const EXAMPLES = 150;
const BATCH = 32;

function fail(message: string): never {
  console.error(`consumer program: ${message}`);
  process.exit(1);
}

// The published entry points, not the workspace's sources (the "source" export condition).
for (const name of ["@tensorplug/core", "@tensorplug/softmax", "@tensorplug/backend-cpu"]) {
  const file = fileURLToPath(import.meta.resolve(name));
  if (!file.startsWith(`${process.cwd()}/node_modules/`) || !file.endsWith("/dist/index.js")) {
    fail(`${name} resolved to ${file}, not to dist/index.js under ${process.cwd()}/node_modules`);
  }
}

// Cluster k sits at +4 on feature k and 0 elsewhere; points scatter around it with unit noise.
const rng = new Random(7);
const x = new Float32Array(EXAMPLES * FEATURES);
const labels = new Uint8Array(EXAMPLES);
for (let i = 0; i < EXAMPLES; i++) {
  const label = i % CLASSES;
  labels[i] = label;
  for (let f = 0; f < FEATURES; f++) x[i * FEATURES + f] = (f === label ? 4 : 0) + rng.normal();
}

function batchesInOrder(order: Uint32Array): Batch[] {
  const out: Batch[] = [];
  for (let start = 0; start < order.length; start += BATCH) {
    const size = Math.min(BATCH, order.length - start);
    const bx = new Float32Array(size * FEATURES);
    const by = new Uint8Array(size);
    for (let r = 0; r < size; r++) {
      const row = order[start + r] ?? 0;
      bx.set(x.subarray(row * FEATURES, (row + 1) * FEATURES), r * FEATURES);
      by[r] = labels[row] ?? 0;
    }
    out.push({ x: bx, labels: by, size });
  }
  return out;
}

const identity = Uint32Array.from({ length: EXAMPLES }, (_, i) => i);
const data: TrainData = {
  trainBatches: () => batchesInOrder(rng.shuffle(identity.slice())),
  testBatches: () => batchesInOrder(identity),
  batchesPerEpoch: Math.ceil(EXAMPLES / BATCH),
};

const backend = createCpuBackend();
const model = SoftmaxRegression.initialize(backend, new Random(0), { features: FEATURES, classes: CLASSES });
const history = await train(model, data, { epochs: 8, lr: 0.5 });
const first = history[0];
const last = history.at(-1);
if (first === undefined || last === undefined) fail("train() returned no epochs");
for (const e of history) {
  console.log(
    `epoch ${e.epoch}  loss ${e.trainLoss.toFixed(4)}  train acc ${e.trainAccuracy.toFixed(3)}  test acc ${e.testAccuracy.toFixed(3)}`,
  );
}
if (!(last.trainLoss < first.trainLoss)) fail(`loss did not fall: ${first.trainLoss} -> ${last.trainLoss}`);
if (!(last.testAccuracy >= 0.95)) fail(`test accuracy ${last.testAccuracy} < 0.95 on separable clusters`);

const [prediction] = await model.predict(Float32Array.from([0, 0, 5, 0]), 1);
if (prediction?.label !== 2) fail(`a point at cluster 2 was predicted as ${prediction?.label}`);

model.dispose();
if (backend.live() !== 0) fail(`${backend.live()} tensor handles still alive after dispose`);
console.log(`trained on ${backend.name}: test accuracy ${last.testAccuracy.toFixed(3)}, no handles left`);
