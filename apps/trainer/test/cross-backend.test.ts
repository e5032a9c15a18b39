import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runInProcess } from "./fake-io.js";
import { tinyDataDir } from "./tiny-data.js";

// A model trained on one backend scores the same on every other: train on each, evaluate each
// model everywhere. gpu.js mode gpu joins when there is a display (root `pnpm test` provides one).
const data = tinyDataDir(1200, 300);
const work = mkdtempSync(join(tmpdir(), "tensorplug-cross-"));
const BACKENDS: string[][] = [
  ["--backend", "cpu"],
  ["--backend", "tfjs", "--tfjs-backend", "wasm"],
  ["--backend", "gpujs", "--gpujs-mode", "webasm"],
  ...(process.env["DISPLAY"] ? [["--backend", "gpujs", "--gpujs-mode", "gpu"]] : []),
];
const name = (flags: string[]) => flags.filter((_, i) => i % 2 === 1).join("-");

describe("a model gives the same test accuracy on every backend", () => {
  for (const trainOn of BACKENDS.slice(0, 2)) {
    it(`trained on ${name(trainOn)}, evaluated on ${BACKENDS.map(name).join(", ")}`, {
      timeout: 120_000,
    }, async () => {
      const out = join(work, name(trainOn));
      const trained = await runInProcess([
        "train",
        ...trainOn,
        "--epochs",
        "2",
        "--data-dir",
        data,
        "--out",
        out,
        "--quiet",
      ]);
      expect(trained.code, trained.stderr).toBe(0);
      const saved = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
      const accuracies: Record<string, number> = {};
      for (const evalOn of BACKENDS) {
        const result = await runInProcess([
          "evaluate",
          "--model",
          out,
          ...evalOn,
          "--data-dir",
          data,
          "--json",
        ]);
        expect(result.code, result.stderr).toBe(0);
        accuracies[name(evalOn)] = JSON.parse(result.stdout).accuracy;
      }
      for (const accuracy of Object.values(accuracies)) expect(accuracy).toBe(saved.metrics.testAccuracy);
    });
  }
});
