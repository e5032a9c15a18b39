import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { CpuBackend } from "./packages/backend-cpu/dist/index.js";
import { Random } from "./packages/core/dist/index.js";
import { SoftmaxRegression, train } from "./packages/softmax/dist/index.js";
const d = "/usr/share/datasets/fashion-mnist/";
const rd = (f, off) => gunzipSync(readFileSync(d + f)).subarray(off);
const X = rd("train-images-idx3-ubyte.gz", 16), y = rd("train-labels-idx1-ubyte.gz", 8);
const Xt = rd("t10k-images-idx3-ubyte.gz", 16), yt = rd("t10k-labels-idx1-ubyte.gz", 8);
function* batches(X, y, n, bs, rng) {
  const idx = new Uint32Array(n).map((_, i) => i); if (rng) rng.shuffle(idx);
  const x = new Float32Array(bs * 784); const l = new Uint8Array(bs);
  for (let s = 0; s < n; s += bs) { const m = Math.min(bs, n - s);
    for (let i = 0; i < m; i++) { const r = idx[s + i]; l[i] = y[r]; for (let p = 0; p < 784; p++) x[i * 784 + p] = X[r * 784 + p] / 255; }
    yield { x, labels: l, size: m }; }
}
const rng = new Random(0); const b = new CpuBackend();
const model = SoftmaxRegression.initialize(b, rng);
const t0 = performance.now();
const h = await train(model, { batchesPerEpoch: 235, trainBatches: () => batches(X, y, 60000, 256, rng), testBatches: () => batches(Xt, yt, 10000, 256) },
 { epochs: +process.argv[2] || 10, lr: 0.1, onEvent: (e) => e.type === "epoch" && console.log(JSON.stringify(e.result)) });
console.log((performance.now() - t0) / 1000, "s live", b.live());
