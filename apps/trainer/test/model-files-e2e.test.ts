import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { modelFile } from "../src/artefacts/model-file.js";
import { runCli } from "./run-cli.js";
import { tinyDataDir } from "./tiny-data.js";

// A model file is untrusted input: through the built CLI, every broken or hostile model.json gets
// one line naming the file and what is wrong (exit 1), and nothing in it is ever run.

const data = tinyDataDir(100, 20);
const good = modelFile({
  weights: {
    W: new Float32Array(7840).map((_, i) => Math.fround(Math.cos(i) / 50)),
    b: new Float32Array(10).fill(0.5),
  },
  shape: { features: 784, classes: 10 },
  labels: Array.from({ length: 10 }, (_, i) => `class ${i}`),
  hyperparameters: { epochs: 2, batchSize: 256, lr: 0.1, seed: 4 },
  backend: { name: "cpu", mode: "cpu" },
  history: [{ epoch: 1, trainLoss: 0.8, trainAccuracy: 0.7, testLoss: 0.7, testAccuracy: 0.75, seconds: 1 }],
  version: "0.1.0",
  createdAt: new Date(0),
});
const goodText = JSON.stringify(good);
const marker = join(mkdtempSync(join(tmpdir(), "tensorplug-marker-")), "ran");

const cases: [string, () => string, RegExp][] = [
  [
    "a W of the wrong size",
    () => JSON.stringify({ ...good, W: good.W.slice(0, 100) }),
    /"W" must hold 7840 numbers, it holds 100/,
  ],
  [
    "a model of another shape",
    () => JSON.stringify({ ...good, shape: { features: 28, classes: 10 } }),
    /"shape" is 28x10; Fashion-MNIST models are 784x10/,
  ],
  [
    "a NaN weight (JSON.stringify writes null)",
    () => JSON.stringify({ ...good, b: [Number.NaN, ...good.b.slice(1)] }),
    /"b"\[0\] is null, not a finite float32 number/,
  ],
  [
    "an infinite weight",
    () => goodText.replace('"W":[', '"W":[1e999,'),
    /"W" must hold 7840 numbers, it holds 7841/,
  ],
  [
    "an infinite weight in place",
    () => goodText.replace(/"b":\[[^,]+/, '"b":[-1e999'),
    /"b"\[0\] is null, not a finite float32 number/,
  ],
  [
    "an unknown format version",
    () => JSON.stringify({ ...good, formatVersion: 7 }),
    /format version 7; this tensorplug reads version 1/,
  ],
  [
    "a truncated file",
    () => goodText.slice(0, goodText.length >> 1),
    /is not valid JSON \(.*\); the file was cut short/,
  ],
  ["an empty file", () => "", /is empty, not a tensorplug model; it was cut short/],
  ["a file that is not JSON", () => "PK\u0003\u0004 a zip archive", /is not valid JSON \(Unexpected token/],
  ["an extra field", () => JSON.stringify({ ...good, onLoad: "rm -rf /" }), /unknown field "onLoad"/],
  [
    "a missing field",
    () => {
      const { metrics: _gone, ...rest } = good;
      return JSON.stringify(rest);
    },
    /field "metrics" is missing/,
  ],
  [
    "a __proto__ field",
    () => `{"__proto__":{"polluted":true},${goodText.slice(1)}`,
    /unknown field "__proto__"/,
  ],
  [
    "a label that would rewrite the terminal",
    () => JSON.stringify({ ...good, labels: ["\u001b]0;owned\u0007", ...good.labels.slice(1)] }),
    /"labels\[0\]" must be 1 to 40 printable characters/,
  ],
  [
    "JavaScript instead of JSON",
    () =>
      `{"format":"tensorplug-softmax-model","W":(function(){require("node:fs").writeFileSync(${JSON.stringify(marker)},"x")})()}`,
    /is not valid JSON/,
  ],
  [
    "a file of 9 MB",
    () => `${goodText.slice(0, -1)},"pad":"${"x".repeat(9 * 1024 * 1024)}"}`,
    /is \d+ bytes, too large to be a tensorplug model \(at most 8388608\)/,
  ],
];

describe("model files are untrusted input: one line, exit 1, nothing run", () => {
  it("the untouched file is a usable model (so each case below fails for its own reason)", () => {
    const dir = mkdtempSync(join(tmpdir(), "tensorplug-model-"));
    writeFileSync(join(dir, "model.json"), goodText);
    const result = runCli(["evaluate", "--model", dir, "--backend", "cpu", "--data-dir", data]);
    expect(result.code, result.stderr).toBe(0);
  });

  for (const [label, content, problem] of cases) {
    it(label, { timeout: 30_000 }, () => {
      const dir = mkdtempSync(join(tmpdir(), "tensorplug-model-"));
      const path = join(dir, "model.json");
      writeFileSync(path, content());
      for (const args of [
        ["evaluate", "--model", dir, "--backend", "cpu", "--data-dir", data],
        ["predict", "--model", path, "--index", "0", "--backend", "cpu", "--data-dir", data],
      ]) {
        const result = runCli(args);
        expect(result.code, result.stderr).toBe(1);
        const lines = result.stderr.trim().split("\n");
        expect(lines, result.stderr).toHaveLength(1);
        expect(lines[0]!.startsWith(`tensorplug: ${path} `)).toBe(true);
        expect(lines[0]).toMatch(problem);
        expect(lines[0]!.length).toBeLessThan(400);
        expect(result.stdout).toBe("");
      }
      expect(existsSync(marker)).toBe(false);
    });
  }
});
