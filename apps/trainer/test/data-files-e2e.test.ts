import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { DATA_FILES } from "@tensorplug/fashion-mnist";
import { describe, expect, it } from "vitest";
import { modelFile } from "../src/artefacts/model-file.js";
import { runCli } from "./run-cli.js";
import { tinyDataDir } from "./tiny-data.js";

// Every way a data file can be bad, through the built CLI as a user runs it: one line naming the
// file and the problem, exit 1, no stack trace, no run folder, nothing written to the cache or to
// the data directory.

const good = tinyDataDir(300, 60);

/** A valid model for `evaluate`, which reads only the test split. */
const model = mkdtempSync(join(tmpdir(), "tensorplug-model-"));
writeFileSync(
  join(model, "model.json"),
  JSON.stringify(
    modelFile({
      weights: { W: new Float32Array(7840).fill(0.01), b: new Float32Array(10) },
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

/** A copy of the good data directory with one file replaced (or removed, for `undefined`). */
function dataWith(file: string, bytes: Uint8Array | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), "tensorplug-bad-data-"));
  cpSync(good, dir, { recursive: true });
  if (bytes === undefined) rmSync(join(dir, file));
  else writeFileSync(join(dir, file), bytes);
  return dir;
}

/** The decompressed IDX bytes of a good file, to bend. */
const raw = (file: string) => new Uint8Array(gunzipSync(readFileSync(join(good, file))));

function withWord(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(at, value);
  return out;
}

const cases: [string, string, () => Uint8Array | undefined, RegExp][] = [
  ["a missing file", DATA_FILES.trainLabels, () => undefined, /is missing train-labels-idx1-ubyte\.gz/],
  ["a file that is not gzip", DATA_FILES.trainImages, () => raw(DATA_FILES.trainImages), /: not a gzip file/],
  [
    "a truncated gzip stream",
    DATA_FILES.testImages,
    () => readFileSync(join(good, DATA_FILES.testImages)).subarray(0, 3000),
    /: truncated gzip data/,
  ],
  [
    "a wrong IDX magic number (a label file's)",
    DATA_FILES.testImages,
    () => gzipSync(withWord(raw(DATA_FILES.testImages), 0, 0x801)),
    /: bad magic number 0x00000801, expected 0x00000803 for IDX images/,
  ],
  [
    "a magic number that is no IDX at all",
    DATA_FILES.trainImages,
    () => gzipSync(withWord(raw(DATA_FILES.trainImages), 0, 0xdeadbeef)),
    /: bad magic number 0xdeadbeef, not an IDX file/,
  ],
  [
    "wrong image dimensions",
    DATA_FILES.testImages,
    () => gzipSync(withWord(raw(DATA_FILES.testImages), 8, 27)),
    /: images are 27x28, expected 28x28/,
  ],
  [
    "image and label counts that disagree",
    DATA_FILES.testLabels,
    () => {
      const labels = raw(DATA_FILES.testLabels);
      return gzipSync(withWord(labels.subarray(0, labels.length - 1), 4, labels.length - 9));
    },
    /has 60 images but .*t10k-labels-idx1-ubyte\.gz has 59 labels/,
  ],
  [
    "a label outside 0-9",
    DATA_FILES.trainLabels,
    () => {
      const labels = raw(DATA_FILES.trainLabels);
      labels[8 + 17] = 10;
      return gzipSync(labels);
    },
    /: label 10 at index 17 is out of range 0\.\.9/,
  ],
  ["an empty file", DATA_FILES.testLabels, () => new Uint8Array(0), /: file is empty/],
  [
    "a header claiming 10^9 images",
    DATA_FILES.trainImages,
    () => gzipSync(withWord(raw(DATA_FILES.trainImages), 4, 1e9)),
    /: header declares 1000000000x28x28 values \(784000000016 bytes\), more than the \d+-byte limit/,
  ],
];

describe("bad data files: one line naming the file and the problem, exit 1, nothing written", () => {
  for (const [label, file, bytes, problem] of cases) {
    it(label, { timeout: 60_000 }, () => {
      const dir = dataWith(file, bytes());
      const before = readdirSync(dir).sort();
      const home = mkdtempSync(join(tmpdir(), "tensorplug-home-"));
      const cwd = mkdtempSync(join(tmpdir(), "tensorplug-cwd-"));
      const env = { HOME: home, XDG_CACHE_HOME: join(home, "cache") };
      for (const args of [
        ["train", "--backend", "cpu", "--epochs", "1", "--data-dir", dir],
        // evaluate reads the test split only (but needs all four files present).
        ...(file.startsWith("t10k") || bytes() === undefined
          ? [["evaluate", "--backend", "cpu", "--model", model, "--data-dir", dir]]
          : []),
      ]) {
        const result = runCli(args, env, cwd);
        expect(result.code, result.stderr).toBe(1);
        const lines = result.stderr.trim().split("\n");
        expect(lines, result.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(/^tensorplug: /);
        expect(lines[0]).toContain(dir);
        expect(lines[0]).toContain(file);
        expect(lines[0]).toMatch(problem);
        expect(result.stderr).not.toMatch(/\n\s+at /);
        expect(result.stdout).toBe("");
      }
      expect(readdirSync(cwd)).toEqual([]);
      expect(readdirSync(dir).sort()).toEqual(before);
      expect(existsSync(join(home, "cache"))).toBe(false);
      expect(readdirSync(home)).toEqual([]);
    });
  }
});
