import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCpuBackend } from "@tensorplug/backend-cpu";
import type { Backend, BackendEntry } from "@tensorplug/core";
import { describe, expect, it, vi } from "vitest";
import { CHECKPOINT_FILE } from "../src/artefacts/checkpoint.js";
import { runInProcess } from "./fake-io.js";
import { runCli } from "./run-cli.js";
import { tinyDataDir } from "./tiny-data.js";

// Backends that fail. One that cannot start says which piece is missing and how to get it, and
// names the backends that do start (through the built CLI, with the piece hidden). One that throws
// or goes bad in the middle of training stops the run with its checkpoint intact (in process,
// through a test double registered next to the real backends).

const data = tinyDataDir(600, 120);
const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

/** What the test double does: throw, or poison the weights, at its n-th SGD step (`linearSoftmaxSgd`). */
const plan = vi.hoisted(() => ({ failAt: 0, poisonAt: 0, steps: 0 }));

type Sgd = NonNullable<Backend["linearSoftmaxSgd"]>;

/** backend-cpu under another name, which throws or writes NaN weights when the plan says so. */
function flaky(inner: Backend): Backend {
  return new Proxy(inner, {
    get(target, key, receiver) {
      if (key === "name") return "flaky";
      if (key === "linearSoftmaxSgd") {
        const step: Sgd = (x, W, b, targets, scale) => {
          plan.steps++;
          if (plan.steps === plan.failAt) throw new Error("device lost\n    at Kernel.run (gpu.js:1:1)");
          const sgd = target.linearSoftmaxSgd;
          if (sgd === undefined)
            throw new Error("the test double needs a backend that fuses linearSoftmaxSgd");
          return sgd.call(target, x, W, b, targets, plan.steps === plan.poisonAt ? Number.NaN : scale);
        };
        return step;
      }
      const value = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

vi.mock("../src/registry.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/registry.js")>();
  const entry: BackendEntry = {
    name: "flaky",
    priority: 0,
    description: "backend-cpu that fails on cue (test double)",
    factory: async () => flaky(createCpuBackend()),
  };
  return {
    ...real,
    createRegistry: () => {
      const registry = real.createRegistry();
      registry.register(entry);
      return registry;
    },
  };
});

// 600 train images in batches of 100: 6 batches, one SGD step each, per epoch.
const BATCHES = 6;
const stepOf = (epoch: number, batch: number) => (epoch - 1) * BATCHES + batch;

const bits = (values: readonly number[]) => Buffer.from(Float32Array.from(values).buffer).toString("hex");
const flags = (out: string, backend = "flaky") => [
  "train",
  "--backend",
  backend,
  "--epochs",
  "3",
  "--batch-size",
  "100",
  "--seed",
  "5",
  "--data-dir",
  data,
  "--out",
  out,
];

describe("a backend that throws in the middle of training", () => {
  it("stops the run with one line naming epoch and batch; the checkpoint is intact and resumes to the same weights", {
    timeout: 120_000,
  }, async () => {
    const work = mkdtempSync(join(tmpdir(), "tensorplug-flaky-"));
    const reference = await runInProcess([...flags(join(work, "cpu"), "cpu"), "--quiet"]);
    expect(reference.code, reference.stderr).toBe(0);

    const dir = join(work, "flaky");
    Object.assign(plan, { failAt: stepOf(2, 3), poisonAt: 0, steps: 0 });
    const failed = await runInProcess(flags(dir));
    expect(failed.code, failed.stderr).toBe(1);
    const lines = failed.stderr.trim().split("\n");
    expect(lines.pop()).toBe(
      `tensorplug: backend flaky (cpu) failed: training failed at epoch 2, batch 3 of 6: device lost; ${dir} keeps epoch 1 of 3; resume with: tensorplug train --resume ${dir}`,
    );
    expect(failed.stderr).not.toMatch(/\n\s+at /);
    expect(failed.stdout).toMatch(/^epoch 1\/3 /);
    const saved = JSON.parse(readFileSync(join(dir, CHECKPOINT_FILE), "utf8"));
    expect(saved.epoch).toBe(1);
    expect(saved.backend).toEqual({ name: "flaky", mode: "cpu" });

    Object.assign(plan, { failAt: 0, steps: 0 });
    const resumed = await runInProcess(["train", "--resume", dir, "--quiet"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const final = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
    const uninterrupted = JSON.parse(readFileSync(join(work, "cpu", "model.json"), "utf8"));
    expect(bits(final.W)).toBe(bits(uninterrupted.W));
    expect(bits(final.b)).toBe(bits(uninterrupted.b));
  });

  it("weights gone NaN stop the run as divergence at the next batch, keeping the last good epoch", {
    timeout: 60_000,
  }, async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "tensorplug-flaky-")), "nan");
    Object.assign(plan, { failAt: 0, poisonAt: stepOf(2, 3), steps: 0 });
    const result = await runInProcess(flags(dir));
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr.trim().split("\n").pop()).toBe(
      `tensorplug: training diverged at epoch 2, batch 4 of 6: the loss became NaN; use a smaller learning rate than 0.1 (the book uses 0.1); ${dir} keeps the last good checkpoint, epoch 1 of 3`,
    );
    const saved = JSON.parse(readFileSync(join(dir, CHECKPOINT_FILE), "utf8"));
    expect(saved.epoch).toBe(1);
    expect((saved.W as number[]).every(Number.isFinite)).toBe(true);
    const model = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
    expect(model.metrics.epochs).toBe(1);
  });
});

describe("a backend that cannot start says what is missing, how to get it, and what works here", () => {
  const cases: [string, string[], Record<string, string>, string[], RegExp, RegExp][] = [
    [
      "gpu.js mode gpu without the gl package",
      ["--require", join(FIXTURES, "without-gl.cjs")],
      {},
      ["--backend", "gpujs", "--gpujs-mode", "gpu"],
      /mode gpu: the optional "gl" package \(headless-gl\) is not installed .* Fix: apt-get install -y libxi-dev .*reinstall/,
      /gpujs \((webasm, cpu|webasm|cpu)\)/,
    ],
    [
      "gpu.js mode gpu without a display",
      [],
      { DISPLAY: "" },
      ["--backend", "gpujs", "--gpujs-mode", "gpu"],
      /mode gpu: no display: DISPLAY is unset.* Fix: run under a virtual display: apt-get install -y xvfb xauth, then xvfb-run -a <command>/,
      /gpujs \((webasm, cpu|webasm|cpu)\)/,
    ],
    [
      "tfjs wasm without its wasm binary",
      ["--require", join(FIXTURES, "without-wasm-binary.cjs")],
      {},
      ["--backend", "tfjs", "--tfjs-backend", "wasm"],
      /the wasm binary tfjs-backend-wasm-simd\.wasm is missing from .* Fix: reinstall @tensorflow\/tfjs-backend-wasm, or use --tfjs-backend cpu/,
      /tfjs \(cpu\)/,
    ],
  ];
  for (const [label, nodeArgs, env, backend, missing, stillWorks] of cases) {
    it(label, { timeout: 60_000 }, () => {
      const result = runCli(
        ["train", ...backend, "--epochs", "1", "--data-dir", data],
        env,
        undefined,
        nodeArgs,
      );
      expect(result.code, result.stderr).toBe(1);
      const lines = result.stderr.trim().split("\n");
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^tensorplug: backend "(gpujs|tfjs)" cannot start: /);
      expect(lines[0]).toMatch(missing);
      const working = /\. Backends that start here: (.*)\.$/.exec(lines[0]!)?.[1] ?? "";
      expect(working).toMatch(stillWorks);
      expect(working.split(", ")).toContain("cpu");
      // The piece that is missing is not offered as working.
      expect(working).not.toMatch(backend[3] === "gpu" ? /gpujs \(gpu/ : /tfjs \(wasm/);
      expect(result.stdout).toBe("");
    });
  }
});
