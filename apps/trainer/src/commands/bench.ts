import { existsSync, mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { BackendRegistry } from "@tensorplug/core";
import { locateDataset } from "@tensorplug/fashion-mnist";
import { BOOK_RECIPE } from "@tensorplug/softmax";
import { writeFileAtomic } from "../atomic-write.js";
import type { BenchJob } from "../bench/job.js";
import { runBenchChild } from "../bench/run-child.js";
import { type BenchRow, benchMarkdown, maxAbsDiff, median } from "../bench/table.js";
import { locateOptions } from "../data.js";
import type { Io } from "../io.js";
import { findReferenceScript, type ReferenceTiming, runReference } from "../numpy-reference.js";
import {
  existingDirectory,
  type FlagSpecs,
  helpText,
  nonNegativeInteger,
  parseFlags,
  positiveInteger,
} from "../options.js";
import { OUTPUT_FLAGS, Output, outputMode } from "../output.js";
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
  runs: {
    type: "string",
    value: "N",
    help: "runs per backend, interleaved; medians are reported",
    default: "1",
  },
  seed: { type: "string", value: "N", help: "seed shared by every run", default: String(BOOK_RECIPE.seed) },
  "data-dir": { type: "string", value: "DIR", help: "Fashion-MNIST directory (env TENSORPLUG_DATA_DIR)" },
  reference: {
    type: "string",
    value: "FILE",
    help: "NumPy reference script (env TENSORPLUG_NUMPY_REFERENCE)",
  },
  out: { type: "string", value: "DIR", help: "folder for bench.md and bench.json", default: "." },
  ...OUTPUT_FLAGS,
  help: { type: "boolean", help: "show this help" },
};

export const BENCH_HELP = helpText(
  "tensorplug bench [options]",
  "Trains the recipe on every available backend and mode, each run in a fresh process, with the same seed and data: seconds per epoch, whole run, peak memory, test accuracy, max |W - W_cpu|, and the ratio to the NumPy reference measured in the same bench. Writes bench.md and bench.json.",
  BENCH_FLAGS,
);

/** One backend, optionally pinned to one of its modes. */
export interface Target {
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

const label = (t: Target) => (t.mode === undefined ? t.name : `${t.name}:${t.mode}`);

/** What a target's runs gave. */
interface Measured {
  mode: string;
  train: number[];
  wall: number[];
  peak: number[];
  testAccuracy: number;
  W: readonly number[];
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
  const outDir = resolve(io.cwd ?? process.cwd(), outFolder(text("out") ?? "."));
  const output = new Output(io, outputMode(flags));

  // Found (or downloaded) once here, so every child reads the same directory.
  const data = await locateDataset(locateOptions(dataDir, io.env, output.progressBar()));
  output.note(
    `data: ${data.dir}; ${epochs} epochs, ${runs} run(s) per backend, seed ${seed}, one process per run`,
  );
  const script = findReferenceScript(text("reference"), io.env, io.cwd ?? process.cwd());
  if (!script) output.note("numpy reference: not found (pass --reference FILE); ratios omitted");

  const job = (t: Target | null): BenchJob => ({
    backend: t?.name ?? null,
    ...(t?.mode !== undefined ? { mode: t.mode } : {}),
    epochs,
    seed,
    dataDir: data.dir,
  });
  const baseline = await runBenchChild(job(null), io.env);
  const baselineMiB = baseline.reply.ok ? baseline.reply.peakRssKiB / 1024 : null;

  const measured = new Map<string, Measured>();
  const skipped = new Map<string, string>();
  const referenceRuns: ReferenceTiming[] = [];
  let referenceProblem: string | undefined;
  // Rounds interleave the backends (and NumPy), so a slow spell of the machine hits all alike.
  for (let round = 1; round <= runs; round++) {
    for (const target of targets) {
      const name = label(target);
      if (skipped.has(name)) continue;
      const { reply, wallSeconds } = await runBenchChild(job(target), io.env);
      if (!reply.ok) {
        skipped.set(name, reply.reason);
        output.note(`${name}: skipped: ${reply.reason}`);
        continue;
      }
      const m = measured.get(name) ?? {
        mode: reply.mode,
        train: [],
        wall: [],
        peak: [],
        testAccuracy: 0,
        W: [],
      };
      m.train.push(reply.trainSeconds);
      m.wall.push(wallSeconds);
      m.peak.push(reply.peakRssKiB / 1024);
      m.testAccuracy = reply.testAccuracy;
      m.W = reply.W;
      measured.set(name, m);
      output.note(
        `${name} (${reply.mode}) run ${round}/${runs}: train ${reply.trainSeconds.toFixed(2)} s, whole ${wallSeconds.toFixed(2)} s, peak ${(reply.peakRssKiB / 1024).toFixed(0)} MiB`,
      );
    }
    if (script && referenceProblem === undefined) {
      const result = runReference(script, data.dir, epochs);
      if (result.ok) {
        referenceRuns.push(result.timing);
        output.note(`numpy run ${round}/${runs}: train ${result.timing.trainSeconds.toFixed(2)} s`);
      } else {
        referenceProblem = result.reason;
        output.note(`numpy reference: ${result.reason}; ratios omitted`);
      }
    }
  }

  const reference: ReferenceTiming | undefined =
    referenceRuns.length > 0
      ? {
          ...referenceRuns[referenceRuns.length - 1]!,
          loadSeconds: median(referenceRuns.map((r) => r.loadSeconds)),
          trainSeconds: median(referenceRuns.map((r) => r.trainSeconds)),
          wholeRunSeconds: median(referenceRuns.map((r) => r.wholeRunSeconds)),
          peakRssMiB: referenceRuns.some((r) => r.peakRssMiB === null)
            ? null
            : median(referenceRuns.map((r) => r.peakRssMiB!)),
        }
      : undefined;
  const cpu = measured.get("cpu");
  const rows: BenchRow[] = targets
    .map(label)
    .filter((name) => measured.has(name))
    .map((name) => {
      const m = measured.get(name)!;
      const trainSeconds = median(m.train);
      return {
        backend: name.split(":")[0]!,
        mode: m.mode,
        secondsPerEpoch: trainSeconds / epochs,
        trainSeconds,
        wholeRunSeconds: median(m.wall),
        peakRssMiB: median(m.peak),
        testAccuracy: m.testAccuracy,
        maxWeightDiffVsCpu: cpu ? maxAbsDiff(m.W, cpu.W) : null,
        vsNumpy: reference ? trainSeconds / reference.trainSeconds : null,
      };
    });

  const skippedList = [...skipped].map(([target, reason]) => ({ target, reason }));
  const notes = skippedList.map((s) => `- skipped ${s.target}: ${s.reason}`).join("\n");
  const table = `${benchMarkdown(rows, reference, epochs, baselineMiB)}${notes ? `\n${notes}\n` : ""}`;
  const report = {
    command: COMMAND,
    epochs,
    runs,
    seed,
    data: data.dir,
    machine: { node: process.versions.node, platform: process.platform, arch: process.arch },
    rows,
    baselinePeakRssMiB: baselineMiB,
    reference: reference ?? null,
    referenceProblem: referenceProblem ?? (script ? null : "reference script not found"),
    skipped: skippedList,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileAtomic(join(outDir, "bench.md"), `# tensorplug bench\n\n${table}`);
  writeFileAtomic(join(outDir, "bench.json"), `${JSON.stringify(report, null, 2)}\n`);
  if (output.mode.json) output.json(report);
  else io.stdout.write(table);
  output.note(`wrote ${join(outDir, "bench.md")} and bench.json`);
  return 0;
}

/** `--out`: a folder, made when the bench writes its results if it does not exist yet. */
function outFolder(raw: string): string {
  if (raw.trim() === "" || (existsSync(raw) && !statSync(raw).isDirectory())) {
    throw new UsageError(`--out ${raw}: not a folder; pass a folder for bench.md and bench.json`, COMMAND);
  }
  return raw;
}
