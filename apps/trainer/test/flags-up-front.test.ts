import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { DATA_FILES } from "@tensorplug/fashion-mnist";
import { describe, expect, it } from "vitest";
import { writeCheckpoint } from "../src/artefacts/checkpoint.js";
import { modelFile } from "../src/artefacts/model-file.js";
import { runCli } from "./run-cli.js";
import { tinyDataDir } from "./tiny-data.js";

// Bad flags and bad combinations are found before any data is read: run against a data directory
// whose every file is broken, they still get the usage error (exit 2), never the data error.

const good = tinyDataDir(600, 120);

/** Every data file present but empty: reading any of them fails with exit 1. */
const broken = mkdtempSync(join(tmpdir(), "tensorplug-broken-"));
for (const file of Object.values(DATA_FILES)) writeFileSync(join(broken, file), "");

/**
 * The train and test images with a sound header and a body cut short: the headers say 600 and 120
 * images, but decoding the files fails. Only a check that reads the header alone gets past it.
 */
const headerOnly = mkdtempSync(join(tmpdir(), "tensorplug-header-only-"));
cpSync(good, headerOnly, { recursive: true });
for (const file of [DATA_FILES.trainImages, DATA_FILES.testImages]) {
  const gz = gzipSync(gunzipSync(readFileSync(join(good, file))));
  writeFileSync(join(headerOnly, file), gz.subarray(0, gz.length >> 1));
}

/** A usable model, for predict. */
const model = mkdtempSync(join(tmpdir(), "tensorplug-model-"));
writeFileSync(
  join(model, "model.json"),
  JSON.stringify(
    modelFile({
      weights: { W: new Float32Array(7840), b: new Float32Array(10) },
      shape: { features: 784, classes: 10 },
      labels: Array.from({ length: 10 }, (_, i) => `class ${i}`),
      hyperparameters: { epochs: 1, batchSize: 256, lr: 0.1, seed: 0 },
      backend: { name: "cpu", mode: "cpu" },
      history: [{ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, testLoss: 1, testAccuracy: 0.5, seconds: 1 }],
      version: "0.1.0",
      createdAt: new Date(0),
    }),
  ),
);

/** A stopped run: its checkpoint after epoch 1 of 3, trained with these settings on cpu. */
const run = mkdtempSync(join(tmpdir(), "tensorplug-stopped-run-"));
writeCheckpoint(run, {
  savedAt: new Date(0).toISOString(),
  epoch: 1,
  settings: { epochs: 3, batchSize: 100, lr: 0.05, seed: 7 },
  backend: { name: "gpujs", mode: "webasm" },
  data: { dir: good, trainCount: 600, testCount: 120, sha256: "0".repeat(64) },
  rng: { s: [1, 2, 3, 4], spare: null },
  history: [{ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, testLoss: 1, testAccuracy: 0.5, seconds: 1 }],
  weights: { W: new Float32Array(7840), b: new Float32Array(10) },
});

const usage: [string, string[], RegExp][] = [
  [
    "an unknown option",
    ["train", "--learning-rate", "0.1"],
    /unknown option --learning-rate; valid options: /,
  ],
  ["a missing value", ["train", "--seed"], /option --seed needs a value/],
  ["--epochs 0", ["train", "--epochs", "0"], /--epochs must be a whole number of at least 1, got "0"/],
  ["--batch-size 0", ["train", "--batch-size", "0"], /--batch-size must be a whole number of at least 1/],
  ["--lr -1", ["train", "--lr", "-1"], /--lr must be a number greater than 0/],
  ["--lr Infinity", ["train", "--lr", "Infinity"], /--lr must be a number greater than 0/],
  ["a positional argument", ["train", "fast"], /unexpected argument fast/],
  [
    "a mode flag for another backend",
    ["train", "--backend", "cpu", "--tfjs-backend", "wasm"],
    /--tfjs-backend applies to --backend tfjs, but the backend is cpu/,
  ],
  [
    "--index with --image",
    ["predict", "--model", run, "--index", "1", "--image", "x.png"],
    /exactly one of --index N/,
  ],
  ["evaluate without --model", ["evaluate"], /--model DIR is required/],
  [
    "--resume of a folder that does not exist",
    ["train", "--resume", join(run, "nope")],
    /--resume .*nope: no such folder/,
  ],
  ["--resume of a folder without a checkpoint", ["train", "--resume", broken], /no checkpoint\.json in it/],
  [
    "--resume with --epochs that disagree",
    ["train", "--resume", run, "--epochs", "10"],
    /--epochs 10 disagrees with the run in .* \(epochs 3\); a resumed run keeps its own settings, so drop --epochs/,
  ],
  [
    "--resume with --seed that disagrees",
    ["train", "--resume", run, "--seed", "0"],
    /--seed 0 disagrees .*\(seed 7\)/,
  ],
  [
    "--resume with --lr that disagrees",
    ["train", "--resume", run, "--lr", "0.1"],
    /--lr 0\.1 disagrees .*\(lr 0\.05\)/,
  ],
  [
    "--resume with --batch-size that disagrees",
    ["train", "--resume", run, "--batch-size", "256"],
    /--batch-size 256 disagrees .*\(batch-size 100\)/,
  ],
  [
    "--resume with another backend",
    ["train", "--resume", run, "--backend", "cpu"],
    /--backend cpu disagrees .*\(backend gpujs\)/,
  ],
  [
    "--resume with another mode",
    ["train", "--resume", run, "--backend", "gpujs", "--gpujs-mode", "cpu"],
    /--gpujs-mode cpu disagrees .*\(gpujs-mode webasm\)/,
  ],
  [
    "--resume with another --out",
    ["train", "--resume", run, "--out", broken],
    /--out .* disagrees with --resume/,
  ],
];

describe("every bad flag and combination is refused before any data is read (exit 2)", () => {
  for (const [label, args, message] of usage) {
    it(label, () => {
      const result = runCli([...args, "--data-dir", broken]);
      expect(result.code, result.stderr).toBe(2);
      const lines = result.stderr.trim().split("\n");
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^tensorplug: /);
      expect(lines[0]).toMatch(message);
      expect(lines[0]).toMatch(/\(see 'tensorplug (train|predict|evaluate) --help'\)$/);
      expect(result.stdout).toBe("");
    });
  }

  it("--batch-size larger than the training set, found from the header alone", { timeout: 30_000 }, () => {
    const result = runCli(["train", "--backend", "cpu", "--batch-size", "601", "--data-dir", headerOnly]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.trim()).toBe(
      `tensorplug: --batch-size 601 is larger than the training set (600 images in ${headerOnly}); pass at most 600 (see 'tensorplug train --help')`,
    );
    // The same directory with a batch that fits gets as far as decoding the file, and fails there.
    const fits = runCli(["train", "--backend", "cpu", "--batch-size", "600", "--data-dir", headerOnly]);
    expect(fits.code, fits.stderr).toBe(1);
    expect(fits.stderr).toMatch(/truncated gzip data/);
  });

  it("predict --index past the test set, found from the header alone", { timeout: 30_000 }, () => {
    const args = ["predict", "--model", model, "--backend", "cpu", "--data-dir", headerOnly];
    const result = runCli([...args, "--index", "120"]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.trim()).toBe(
      "tensorplug: --index 120: the test set has 120 images, 0..119 (see 'tensorplug predict --help')",
    );
    const fits = runCli([...args, "--index", "119"]);
    expect(fits.code, fits.stderr).toBe(1);
    expect(fits.stderr).toMatch(/truncated gzip data/);
  });

  it("--resume on other data than the run trained on is refused, naming both; the checkpoint is untouched", {
    timeout: 30_000,
  }, () => {
    const before = readFileSync(join(run, "checkpoint.json"), "utf8");
    const result = runCli(["train", "--resume", run, "--data-dir", good]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr.trim().split("\n").pop()).toBe(
      `tensorplug: the data in ${good} (600 train, 120 test images) is not the data the run in ${run} trained on (600 train, 120 test images in ${good}); pass that data with --data-dir`,
    );
    expect(readFileSync(join(run, "checkpoint.json"), "utf8")).toBe(before);
  });

  it("--resume with flags that agree with the run is accepted, and goes on to read the data", () => {
    const result = runCli([
      "train",
      "--resume",
      run,
      "--epochs",
      "3",
      "--seed",
      "7",
      "--lr",
      "0.05",
      "--backend",
      "gpujs",
      "--data-dir",
      broken,
    ]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/: file is empty/);
  });
});
