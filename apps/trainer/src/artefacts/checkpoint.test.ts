import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Random } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { CliError } from "../cli-error.js";
import { UsageError } from "../usage-error.js";
import { CHECKPOINT_FILE, parseCheckpoint, readCheckpoint, writeCheckpoint } from "./checkpoint.js";

const rng = new Random(11);
const weights = { W: rng.normalArray(7840, 0, 0.01), b: rng.normalArray(10, 0, 0.3) };
rng.normal(); // leaves a spare deviate in the state, which must survive too
const line = (epoch: number) => ({
  epoch,
  trainLoss: 0.6,
  trainAccuracy: 0.8,
  testLoss: 0.65,
  testAccuracy: 0.78,
  seconds: 1.5,
});
const state = {
  savedAt: new Date(0).toISOString(),
  epoch: 2,
  settings: { epochs: 5, batchSize: 256, lr: 0.1, seed: 11 },
  backend: { name: "cpu", mode: "cpu" },
  data: { dir: "/data", trainCount: 60000, testCount: 10000, sha256: "ab".repeat(32) },
  rng: rng.getState(),
  history: [line(1), line(2)],
  weights,
};

function written(): { dir: string; json: Record<string, unknown> } {
  const dir = mkdtempSync(join(tmpdir(), "tp-checkpoint-"));
  writeCheckpoint(dir, state);
  return { dir, json: JSON.parse(readFileSync(join(dir, CHECKPOINT_FILE), "utf8")) };
}

describe("checkpoint.json", () => {
  it("round-trips weights bit for bit and the generator exactly, leaving no temporary file", () => {
    const { dir } = written();
    expect(readdirSync(dir)).toEqual([CHECKPOINT_FILE]);
    const read = readCheckpoint(dir, "train");
    expect(Buffer.from(read.weights.W.buffer).equals(Buffer.from(weights.W.buffer))).toBe(true);
    expect(Buffer.from(read.weights.b.buffer).equals(Buffer.from(weights.b.buffer))).toBe(true);
    expect(read.rng.spare).not.toBeNull();
    const restored = Random.fromState(read.rng);
    const original = Random.fromState(rng.getState());
    for (let i = 0; i < 1000; i++) expect(restored.normal()).toBe(original.normal());
    expect(read.epoch).toBe(2);
    expect(read.settings).toEqual(state.settings);
    expect(read.history).toEqual(state.history);
  });

  it("a replaced checkpoint is the new one whole", () => {
    const { dir } = written();
    writeCheckpoint(dir, { ...state, epoch: 3, history: [line(1), line(2), line(3)] });
    expect(readCheckpoint(dir, "train").epoch).toBe(3);
    expect(readdirSync(dir)).toEqual([CHECKPOINT_FILE]);
  });

  it("a damaged checkpoint is refused with what is wrong", () => {
    const { json } = written();
    const cases: [string, unknown, RegExp][] = [
      ["another version", { ...json, formatVersion: 9 }, /format version 9; this tensorplug reads version 1/],
      [
        "an all-zero generator",
        { ...json, rng: { s: [0, 0, 0, 0], spare: null } },
        /"rng\.s" must be four 32-bit words, not all zero/,
      ],
      [
        "a history that disagrees with the epoch",
        { ...json, epoch: 3 },
        /"history" must list the 3 epochs complete/,
      ],
      ["an epoch past the run", { ...json, epoch: 6 }, /"epoch" 6 is past the run's 5 epochs/],
      ["an unknown field", { ...json, extra: 1 }, /unknown field "extra"/],
      [
        "a bad data hash",
        { ...json, data: { ...(json.data as object), sha256: "x" } },
        /"data\.sha256" must be 64 hex digits/,
      ],
      ["a NaN weight", { ...json, b: [null, ...(json.b as number[]).slice(1)] }, /"b"\[0\] is null/],
    ];
    for (const [label, value, problem] of cases) {
      expect(() => parseCheckpoint(value), label).toThrow(problem);
    }
  });

  it("--resume of a folder without one is a usage mistake; a broken one a runtime error", () => {
    const dir = mkdtempSync(join(tmpdir(), "tp-checkpoint-"));
    expect(() => readCheckpoint(join(dir, "none"), "train")).toThrow(UsageError);
    expect(() => readCheckpoint(dir, "train")).toThrow(/no checkpoint\.json in it/);
    writeFileSync(join(dir, CHECKPOINT_FILE), '{"format":"tensorplug-checkpoint","formatVer');
    expect(() => readCheckpoint(dir, "train")).toThrow(CliError);
    expect(() => readCheckpoint(dir, "train")).toThrow(/is not valid JSON .*; the file was cut short$/);
  });
});
