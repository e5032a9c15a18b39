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

/** The saved model without one of its fields, as JSON would have it. */
function without(key: string): Record<string, unknown> {
  const { [key]: _gone, ...rest } = saved as unknown as Record<string, unknown>;
  return rest;
}

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
  it("says what is wrong with a file that is not a usable model, field by field", () => {
    expect(modelProblem(saved)).toBeUndefined();
    const W = [...saved.W];
    const cases: [string, unknown, string][] = [
      ["not an object", [], "it is not a JSON object"],
      [
        "another format",
        { ...saved, format: "onnx" },
        'its "format" is "onnx", not "tensorplug-softmax-model"',
      ],
      [
        "a newer version",
        { ...saved, formatVersion: 2 },
        "it has format version 2; this tensorplug reads version 1",
      ],
      [
        "no version",
        without("formatVersion"),
        "it has format version missing; this tensorplug reads version 1",
      ],
      ["an extra field", { ...saved, script: "alert(1)" }, 'unknown field "script"'],
      [
        "a __proto__ field",
        JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(saved).slice(1)}`),
        'unknown field "__proto__"',
      ],
      ["a missing field", without("metrics"), 'field "metrics" is missing'],
      [
        "another shape",
        { ...saved, shape: { features: 100, classes: 10 } },
        '"shape" is 100x10; Fashion-MNIST models are 784x10',
      ],
      ["W too short", { ...saved, W: W.slice(1) }, '"W" must hold 7840 numbers, it holds 7839'],
      ["b too short", { ...saved, b: [1, 2] }, '"b" must hold 10 numbers, it holds 2'],
      [
        "a NaN weight (JSON writes null)",
        { ...saved, W: [...W.slice(0, 5), null, ...W.slice(6)] },
        '"W"[5] is null, not a finite float32 number',
      ],
      [
        "an infinite weight (1e999 parses to Infinity)",
        JSON.parse(JSON.stringify(saved).replace('"b":[0.25', '"b":[1e999')),
        '"b"[0] is null, not a finite float32 number',
      ],
      [
        "a weight past float32",
        { ...saved, b: [1e39, ...saved.b.slice(1)] },
        '"b"[0] is 1e+39, not a finite float32 number',
      ],
      [
        "a weight as text",
        { ...saved, b: ["0.1", ...saved.b.slice(1)] },
        '"b"[0] is "0.1", not a finite float32 number',
      ],
      ["one label too few", { ...saved, labels: ["a"] }, '"labels" must be 10 names'],
      [
        "a label with a terminal escape",
        { ...saved, labels: ["\u001b[2J", ...saved.labels.slice(1)] },
        '"labels[0]" must be 1 to 40 printable characters, got "\\u001b[2J"',
      ],
      [
        "a negative learning rate",
        { ...saved, hyperparameters: { ...saved.hyperparameters, lr: -1 } },
        '"hyperparameters.lr" must be above 0, got -1',
      ],
      [
        "an accuracy above 1",
        { ...saved, metrics: { ...saved.metrics, testAccuracy: 7 } },
        '"metrics.testAccuracy" must be at least 0 and at most 1, got 7',
      ],
    ];
    for (const [label, value, problem] of cases) expect(modelProblem(value), label).toBe(problem);
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
