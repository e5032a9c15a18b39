import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CliError } from "../cli-error.js";
import { UsageError } from "../usage-error.js";
import { float32Array, float32ForJson } from "./float-json.js";
import { MODEL_FORMAT, modelFile, modelPath, modelProblem, readModel } from "./model-file.js";

describe("float32 in JSON", () => {
  it("the short form reads back as the very same float32", () => {
    let s = 7;
    for (let i = 0; i < 5000; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const v = Math.fround((s / 2 ** 32 - 0.5) * 10 ** ((i % 9) - 4));
      const short = float32ForJson(v);
      expect(Math.fround(JSON.parse(JSON.stringify(short)))).toBe(v);
      expect(short.toExponential().split("e")[0]!.replace(/[-.]/g, "").length).toBeLessThanOrEqual(9);
    }
    expect(float32ForJson(Math.fround(0.1))).toBe(0.1);
    expect(float32Array(Float32Array.of(0.5, 0, Math.fround(1 / 3)))).toEqual([0.5, 0, 0.33333334]);
    expect(() => float32ForJson(Number.NaN)).toThrow(/cannot store NaN/);
  });
});

const weights = {
  W: new Float32Array(7840).map((_, i) => Math.fround(Math.sin(i) / 10)),
  b: new Float32Array(10).fill(0.25),
};
const saved = modelFile({
  weights,
  shape: { features: 784, classes: 10 },
  labels: Array.from({ length: 10 }, (_, i) => `c${i}`),
  hyperparameters: { epochs: 1, batchSize: 256, lr: 0.1, seed: 3 },
  backend: { name: "cpu", mode: "cpu" },
  history: [{ epoch: 1, trainLoss: 0.7, trainAccuracy: 0.75, testLoss: 0.6, testAccuracy: 0.78, seconds: 2 }],
  version: "0.1.0",
  createdAt: new Date(0),
});

describe("model.json", () => {
  it("round-trips the weights bit for bit", () => {
    const dir = mkdtempSync(join(tmpdir(), "tp-model-"));
    writeFileSync(join(dir, "model.json"), JSON.stringify(saved));
    const read = readModel(modelPath(dir, "evaluate"));
    expect(read.weights.W).toEqual(weights.W);
    expect(read.weights.b).toEqual(weights.b);
    expect(read.metrics.testAccuracy).toBe(0.78);
    expect(read.seed).toBe(3);
  });
  it("says what is wrong with a file that is not a usable model", () => {
    expect(modelProblem(saved)).toBeUndefined();
    expect(modelProblem([])).toBe("it is not a JSON object");
    expect(modelProblem({ ...saved, format: "onnx" })).toMatch(
      /"format" is "onnx", not "tensorplug-softmax-model"/,
    );
    expect(modelProblem({ ...saved, formatVersion: 2 })).toMatch(
      /format version 2; this tensorplug reads version 1/,
    );
    expect(modelProblem({ ...saved, b: [1, 2] })).toBe('"b" must be 10 finite numbers');
    expect(modelProblem({ ...saved, W: [...saved.W.slice(1), null] })).toBe(
      '"W" must be 7840 finite numbers',
    );
    expect(modelProblem({ ...saved, labels: ["a"] })).toBe('"labels" must be 10 strings');
    expect(saved.format).toBe(MODEL_FORMAT);
  });
  it("a path without a model is a usage mistake; a broken file a runtime error", () => {
    const dir = mkdtempSync(join(tmpdir(), "tp-model-"));
    expect(() => modelPath(join(dir, "none"), "predict")).toThrow(UsageError);
    expect(() => modelPath(dir, "predict")).toThrow(/no model\.json in it/);
    writeFileSync(join(dir, "model.json"), "{ not json");
    expect(() => readModel(join(dir, "model.json"))).toThrow(CliError);
    expect(() => readModel(join(dir, "model.json"))).toThrow(/is not valid JSON/);
  });
});
