// A bench run in its own process, so its peak memory (maxRSS) belongs to one backend only and
// no backend's leftovers (compiled kernels, wasm heaps, GL contexts) weigh on the next one.
import { hostBytes, Random } from "@tensorplug/core";
import { BOOK_RECIPE, SoftmaxRegression, train } from "@tensorplug/softmax";
import { loadData, testBatchSize, trainData } from "../data.js";
import { createRegistry } from "../registry.js";
import type { BenchJob, BenchReply } from "./job.js";

async function run(job: BenchJob): Promise<BenchReply> {
  if (job.backend === null) {
    await loadData(job.dataDir, process.env);
    return {
      ok: true,
      mode: "-",
      trainSeconds: 0,
      testAccuracy: 0,
      W: [],
      peakRssKiB: process.resourceUsage().maxRSS,
    };
  }
  // As `train` does: the backend first, and the data in memory it reads in place where it has some.
  const registry = createRegistry();
  const backend = await registry.create(job.backend, job.mode === undefined ? {} : { mode: job.mode });
  try {
    const data = await loadData(job.dataDir, process.env, undefined, (length) => hostBytes(backend, length));
    const rng = new Random(job.seed);
    const model = SoftmaxRegression.initialize(backend, rng);
    const started = performance.now();
    const { batchSize } = BOOK_RECIPE;
    const history = await train(model, trainData(data, batchSize, rng, testBatchSize(backend, batchSize)), {
      epochs: job.epochs,
      lr: BOOK_RECIPE.lr,
    });
    const trainSeconds = (performance.now() - started) / 1000;
    const { W } = await model.weights();
    model.dispose();
    return {
      ok: true,
      mode: backend.mode,
      trainSeconds,
      testAccuracy: history[history.length - 1]?.testAccuracy ?? 0,
      W: Array.from(W),
      peakRssKiB: process.resourceUsage().maxRSS,
    };
  } finally {
    await backend.close?.();
  }
}

const reply = (message: BenchReply) =>
  // Some backends keep handles open (GL contexts, worker pools); leave once the answer is out.
  process.send?.(message, () => process.exit(0)) ?? process.exit(0);

run(JSON.parse(process.argv[2] ?? "{}") as BenchJob).then(reply, (error: unknown) =>
  reply({ ok: false, reason: (error instanceof Error ? error.message : String(error)).split("\n")[0]! }),
);
