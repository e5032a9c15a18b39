import { writeFileSync } from "node:fs";
import { type BackendRegistry, Random } from "@tensorplug/core";
import { type FashionMnist, loadFashionMnist } from "@tensorplug/fashion-mnist";
import { BOOK_RECIPE, SoftmaxRegression, train } from "@tensorplug/softmax";
import { trainData } from "../data.js";
import { type Io, println } from "../io.js";
import { findReferenceScript, type ReferenceTiming, runReference } from "../numpy-reference.js";
import {
  existingDirectory,
  type FlagSpecs,
  helpText,
  nonNegativeInteger,
  parseFlags,
  positiveInteger,
} from "../options.js";
import { createRegistry } from "../registry.js";
import { UsageError } from "../usage-error.js";

const COMMAND = "bench";

export const BENCH_FLAGS: FlagSpecs = {
  backends: {
    type: "string",
    value: "LIST",
    help: "backends to measure, as name or name:mode (e.g. cpu,tfjs:wasm)",
    default: "every backend and mode",
  },
  epochs: { type: "string", value: "N", help: "epochs per run", default: String(BOOK_RECIPE.epochs) },
  runs: { type: "string", value: "N", help: "runs per backend; the median is reported", default: "1" },
  seed: { type: "string", value: "N", help: "seed shared by every run", default: String(BOOK_RECIPE.seed) },
  "data-dir": { type: "string", value: "DIR", help: "Fashion-MNIST directory (env TENSORPLUG_DATA_DIR)" },
  reference: {
    type: "string",
    value: "FILE",
    help: "NumPy reference script (env TENSORPLUG_NUMPY_REFERENCE)",
  },
  help: { type: "boolean", help: "show this help" },
};

export const BENCH_HELP = helpText(
  "tensorplug bench [options]",
  "Trains the full recipe on every available backend with the same seed and data, and compares with the NumPy reference measured in the same run.",
  BENCH_FLAGS,
);

/** One backend's measurement. */
interface BenchRow {
  readonly backend: string;
  readonly mode: string;
  readonly secondsPerEpoch: number;
  readonly trainSeconds: number;
  readonly testAccuracy: number;
  readonly maxWeightDiffVsCpu: number | null;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One backend, optionally pinned to one of its modes. */
interface Target {
  readonly name: string;
  readonly mode?: string;
}

/** `cpu,tfjs:wasm` → targets; without a list, every backend in every mode, cpu first (the baseline). */
export function benchTargets(list: string | undefined, registry: BackendRegistry): Target[] {
  const entries = registry.list();
  if (list === undefined) {
    const all = entries.flatMap((e) =>
      (e.modes ?? [undefined]).map((mode) => (mode ? { name: e.name, mode } : { name: e.name })),
    );
    return [...all.filter((t) => t.name === "cpu"), ...all.filter((t) => t.name !== "cpu")];
  }
  return list.split(",").map((item) => {
    const [name = "", mode] = item.trim().split(":");
    const entry = entries.find((e) => e.name === name);
    if (!entry) {
      throw new UsageError(
        `--backends: unknown backend "${name}"; valid values: ${registry.names().join(", ")}`,
        COMMAND,
      );
    }
    if (mode !== undefined && !entry.modes?.includes(mode)) {
      throw new UsageError(
        `--backends: unknown mode "${mode}" for ${name}; valid values: ${entry.modes?.join(", ") ?? "none (it has no modes)"}`,
        COMMAND,
      );
    }
    return mode === undefined ? { name } : { name, mode };
  });
}

async function measure(
  registry: BackendRegistry,
  target: Target,
  data: FashionMnist,
  epochs: number,
  seed: number,
): Promise<{ mode: string; trainSeconds: number; testAccuracy: number; W: Float32Array }> {
  const backend = await registry.create(target.name, target.mode === undefined ? {} : { mode: target.mode });
  try {
    const rng = new Random(seed);
    const model = SoftmaxRegression.initialize(backend, rng);
    const started = performance.now();
    const history = await train(model, trainData(data, BOOK_RECIPE.batchSize, rng), {
      epochs,
      lr: BOOK_RECIPE.lr,
    });
    const trainSeconds = (performance.now() - started) / 1000;
    const { W } = await model.weights();
    model.dispose();
    return {
      mode: backend.mode,
      trainSeconds,
      testAccuracy: history[history.length - 1]?.testAccuracy ?? 0,
      W,
    };
  } finally {
    await backend.close?.();
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function markdown(rows: readonly BenchRow[], reference: ReferenceTiming | undefined, epochs: number): string {
  const ratio = (s: number) => (reference ? `${(s / reference.trainSeconds).toFixed(2)}x` : "n/a");
  const lines = [
    `| backend | mode | s/epoch | train s (${epochs} epochs) | test acc | max abs W diff vs cpu | vs NumPy |`,
    "|---|---|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.backend} | ${r.mode} | ${r.secondsPerEpoch.toFixed(3)} | ${r.trainSeconds.toFixed(2)} | ${r.testAccuracy.toFixed(4)} | ${
          r.maxWeightDiffVsCpu === null ? "-" : r.maxWeightDiffVsCpu.toExponential(2)
        } | ${ratio(r.trainSeconds)} |`,
    ),
  ];
  if (reference) {
    lines.push(
      `| numpy (reference) | openblas | ${(reference.trainSeconds / epochs).toFixed(3)} | ${reference.trainSeconds.toFixed(2)} | ${reference.testAccuracy.toFixed(4)} | - | 1.00x |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export async function benchCommand(args: readonly string[], io: Io): Promise<number> {
  const flags = parseFlags(COMMAND, args, BENCH_FLAGS);
  if (flags.help === true) {
    io.stdout.write(BENCH_HELP);
    return 0;
  }
  const text = (k: string) => (typeof flags[k] === "string" ? (flags[k] as string) : undefined);
  const registry = createRegistry();
  const targets = benchTargets(text("backends"), registry);
  const epochs = positiveInteger("epochs", text("epochs") ?? String(BOOK_RECIPE.epochs), COMMAND);
  const runs = positiveInteger("runs", text("runs") ?? "1", COMMAND);
  const seed = nonNegativeInteger("seed", text("seed") ?? String(BOOK_RECIPE.seed), COMMAND);
  const dataDirFlag = text("data-dir");
  const dataDir = dataDirFlag === undefined ? undefined : existingDirectory("data-dir", dataDirFlag, COMMAND);

  const data = await loadFashionMnist({ ...(dataDir !== undefined ? { dataDir } : {}), env: io.env });
  println(io.stderr, `data: ${data.dir}; ${epochs} epochs, ${runs} run(s) per backend, seed ${seed}`);

  const rows: BenchRow[] = [];
  const skipped: { target: string; reason: string }[] = [];
  let cpuWeights: Float32Array | undefined;
  for (const target of targets) {
    const name = target.mode === undefined ? target.name : `${target.name}:${target.mode}`;
    const times: number[] = [];
    let last: Awaited<ReturnType<typeof measure>> | undefined;
    try {
      for (let run = 0; run < runs; run++) {
        last = await measure(registry, target, data, epochs, seed);
        times.push(last.trainSeconds);
        println(
          io.stderr,
          `${name} (${last.mode}) run ${run + 1}/${runs}: ${last.trainSeconds.toFixed(2)} s`,
        );
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      skipped.push({ target: name, reason });
      println(io.stderr, `${name}: skipped: ${reason}`);
      continue;
    }
    if (!last) continue;
    if (target.name === "cpu") cpuWeights = last.W;
    const trainSeconds = median(times);
    rows.push({
      backend: target.name,
      mode: last.mode,
      secondsPerEpoch: trainSeconds / epochs,
      trainSeconds,
      testAccuracy: last.testAccuracy,
      maxWeightDiffVsCpu: cpuWeights ? maxAbsDiff(last.W, cpuWeights) : null,
    });
  }

  let reference: ReferenceTiming | undefined;
  const script = findReferenceScript(text("reference"), io.env);
  if (!script) {
    println(io.stderr, "numpy reference: not found (pass --reference FILE); ratios omitted");
  } else {
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const result = runReference(script, data.dir, epochs);
      if (!result.ok) {
        println(io.stderr, `numpy reference: ${result.reason}; ratios omitted`);
        break;
      }
      times.push(result.timing.trainSeconds);
      reference = { ...result.timing, trainSeconds: median(times) };
      println(io.stderr, `numpy run ${run + 1}/${runs}: ${result.timing.trainSeconds.toFixed(2)} s`);
    }
  }

  const notes = skipped.map((s) => `- skipped ${s.target}: ${s.reason}`).join("\n");
  const table = `${markdown(rows, reference, epochs)}${notes ? `\n${notes}\n` : ""}`;
  io.stdout.write(table);
  writeFileSync("bench.md", `# tensorplug bench\n\n${table}`);
  writeFileSync(
    "bench.json",
    `${JSON.stringify({ epochs, runs, seed, rows, skipped, reference: reference ?? null }, null, 2)}\n`,
  );
  println(io.stderr, "wrote bench.md and bench.json");
  return 0;
}
