import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodePng, encodePng } from "@tensorplug/plots";
import { beforeAll, describe, expect, it } from "vitest";
import { RUN_FILES } from "../src/artefacts/run-folder.js";
import { runInProcess } from "./fake-io.js";
import { schemaErrors } from "./schemas.js";
import { tinyDataDir } from "./tiny-data.js";

// The commands in this process on a tiny data set the test builds: every artefact and every
// output mode, in seconds. The real data are used in the end-to-end tests.
const data = tinyDataDir();
const work = mkdtempSync(join(tmpdir(), "tensorplug-cmd-"));
const run = join(work, "run");
let trained: Awaited<ReturnType<typeof runInProcess>>;

beforeAll(async () => {
  trained = await runInProcess([
    "train",
    "--backend",
    "cpu",
    "--epochs",
    "3",
    "--data-dir",
    data,
    "--out",
    run,
  ]);
});

const read = (file: string) => readFileSync(join(run, file), "utf8");

describe("train writes a run folder", () => {
  it("prints one line per epoch, where it saved, and the done line, and exits 0", () => {
    expect(trained.code, trained.stderr).toBe(0);
    const lines = trained.stdout.trim().split("\n");
    lines.slice(0, 3).forEach((line, i) => {
      expect(line).toMatch(
        new RegExp(
          `^epoch ${i + 1}/3  loss \\d\\.\\d{4}  train acc \\d\\.\\d{4}  test acc \\d\\.\\d{4}  [\\d.]+ s$`,
        ),
      );
    });
    expect(lines[3]).toMatch(/^saved: .*run \(checkpoint\.json, metrics\.jsonl, .*report\.html\)$/);
    expect(lines[4]).toMatch(/^done: 3 epochs on cpu in .* test acc \d\.\d{4}$/);
    expect(trained.stderr).not.toMatch(/\r/);
  });
  it("holds every file, none left half-written", () => {
    for (const file of RUN_FILES) expect(existsSync(join(run, file)), file).toBe(true);
    expect(readFileSync(join(run, "model.json"), "utf8").endsWith("}\n")).toBe(true);
  });
  it("metrics.jsonl has one valid object per epoch, metrics.csv the same numbers", () => {
    const lines = read("metrics.jsonl")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.epoch)).toEqual([1, 2, 3]);
    for (const line of lines) expect(schemaErrors("metrics-line", line)).toBe("");
    const csv = read("metrics.csv").trim().split("\n");
    expect(csv[0]).toBe("epoch,train_loss,train_acc,test_loss,test_acc,seconds");
    expect(csv).toHaveLength(4);
    expect(Number(csv[3]!.split(",")[4])).toBe(lines[2].testAccuracy);
  });
  it("model.json validates against its schema and keeps the final metrics", () => {
    const model = JSON.parse(read("model.json"));
    expect(schemaErrors("model", model)).toBe("");
    expect(model.backend).toEqual({ name: "cpu", mode: "cpu" });
    expect(model.hyperparameters).toEqual({ epochs: 3, batchSize: 256, lr: 0.1, seed: 0 });
    const last = JSON.parse(read("metrics.jsonl").trim().split("\n")[2]!);
    expect(model.metrics.testAccuracy).toBe(last.testAccuracy);
  });
  it("the PNGs decode to their sizes: curves 720x480, 18 captioned predictions, 10 weight images", () => {
    const curves = decodePng(readFileSync(join(run, "curves.png")));
    expect([curves.width, curves.height]).toEqual([720, 480]);
    const predictions = decodePng(readFileSync(join(run, "predictions.png")));
    const weights = decodePng(readFileSync(join(run, "weights.png")));
    // 6 columns of 112-pixel images, 3 rows; 5 columns and 2 rows of weights plus a colour bar.
    expect(predictions.width).toBeGreaterThan(6 * 112);
    expect(predictions.height).toBeGreaterThan(3 * 112);
    expect(weights.width).toBeGreaterThan(5 * 112);
    expect(weights.height).toBeGreaterThan(2 * 112);
  });
  it("curves.svg is an SVG document with the three series", () => {
    const svg = read("curves.svg");
    expect(svg).toMatch(/^<\?xml[^>]*>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    for (const label of ["train loss", "train acc", "test acc", "epoch"])
      expect(svg).toContain(`>${label}</text>`);
  });
  it("report.html is self-contained: no URL, script or stylesheet link; images inline", () => {
    const html = read("report.html");
    const withoutImages = html.replace(/data:image\/png;base64,[A-Za-z0-9+/=]+/g, "data:");
    expect(withoutImages).not.toMatch(/https?:|\/\/[a-z]|ftp:|file:/i);
    expect(withoutImages).not.toMatch(/<script|<link|<iframe|<object|@import|url\(/i);
    const sources = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThanOrEqual(2);
    for (const s of sources) expect(s).toMatch(/^data:image\/png;base64,/);
    expect(html).toContain("<svg ");
    expect(html).toMatch(/backend that ran<\/td><td><b>cpu<\/b>/);
    expect(html).toMatch(/<table class="confusion">/);
    const confusion = html.slice(html.indexOf('<table class="confusion">'));
    const body = confusion.slice(confusion.indexOf("<tbody>"), confusion.indexOf("</tbody>"));
    const rows = body.match(/<tr>.*<\/tr>/g) ?? [];
    expect(rows).toHaveLength(10);
    for (const row of rows) expect(row.match(/<td style=/g)).toHaveLength(10);
  });
});

describe("evaluate and predict use the saved model", () => {
  it("evaluate --json validates and reproduces the saved test accuracy on the same backend", async () => {
    const result = await runInProcess([
      "evaluate",
      "--model",
      run,
      "--backend",
      "cpu",
      "--data-dir",
      data,
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    const report = JSON.parse(result.stdout);
    expect(schemaErrors("evaluate-output", report)).toBe("");
    expect(report.accuracy).toBe(report.savedTestAccuracy);
    expect(report.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(120);
    expect(report.perClass.reduce((a: number, c: { correct: number }) => a + c.correct, 0)).toBe(
      report.correct,
    );
  });
  it("evaluate as text: accuracy, per-class lines and a 10x10 matrix", async () => {
    const result = await runInProcess([
      "evaluate",
      "--model",
      join(run, "model.json"),
      "--data-dir",
      data,
      "--backend",
      "cpu",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^test acc \d\.\d{4} \(\d+\/120\) {2}test loss \d\.\d{4} {2}on cpu$/);
    expect(lines.filter((l) => /^ {2}\S.* {2}\d\.\d{4} {2}\(\d+\/\d+\)$/.test(l))).toHaveLength(10);
    expect(lines.filter((l) => /^ {2}\S.*(\s+\d+){10}$/.test(l))).toHaveLength(10);
  });
  it("predict --index prints the top 3 classes with probabilities", async () => {
    const result = await runInProcess([
      "predict",
      "--model",
      run,
      "--index",
      "5",
      "--data-dir",
      data,
      "--backend",
      "cpu",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^image: test image #5 \(true: [\w -]+\)$/);
    expect(lines.slice(1)).toHaveLength(3);
    const percents = lines.slice(1).map((l) => Number(/ ([\d.]+)%$/.exec(l)?.[1]));
    expect(percents[0]).toBeGreaterThanOrEqual(percents[1]!);
    expect(percents[1]).toBeGreaterThanOrEqual(percents[2]!);
  });
  it("predict --image reads a 28x28 gray PNG as is: same answer as the test image it holds", async () => {
    const byIndex = JSON.parse(
      (
        await runInProcess([
          "predict",
          "--model",
          run,
          "--index",
          "7",
          "--data-dir",
          data,
          "--backend",
          "cpu",
          "--json",
        ])
      ).stdout,
    );
    const { test } = await import("../src/data.js").then((m) => m.loadTestSet(data, {}));
    const file = join(work, "seven.png");
    writeFileSync(
      file,
      encodePng({ width: 28, height: 28, channels: 1, data: test.images.slice(7 * 784, 8 * 784) }),
    );
    const result = await runInProcess([
      "predict",
      "--model",
      run,
      "--image",
      file,
      "--backend",
      "cpu",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(schemaErrors("predict-output", answer)).toBe("");
    expect(schemaErrors("predict-output", byIndex)).toBe("");
    expect(answer.input).toMatchObject({
      kind: "image",
      width: 28,
      height: 28,
      converted: false,
      conversion: [],
    });
    expect(answer.probabilities).toEqual(byIndex.probabilities);
  });
  it("predict --image converts a colour image of another size and says so", async () => {
    const file = join(work, "colour.png");
    const rgb = new Uint8Array(56 * 40 * 3).map((_, i) => (i % 3 === 0 ? 200 : 30));
    writeFileSync(file, encodePng({ width: 56, height: 40, channels: 3, data: rgb }));
    const result = await runInProcess(["predict", "--model", run, "--image", file, "--backend", "cpu"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe(
      `image: ${file} (56x40 RGB, 8-bit; converted: colour to gray (BT.601 luma), resized 56x40 to 28x28 (aspect ratio not kept), levels scaled to [0, 1])`,
    );
  });
});

describe("--json and --quiet", () => {
  it("train --json prints one JSON document valid against its schema, and nothing on a non-terminal stderr", async () => {
    const out = join(work, "json-run");
    const result = await runInProcess([
      "train",
      "--backend",
      "cpu",
      "--epochs",
      "1",
      "--data-dir",
      data,
      "--out",
      out,
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    const doc = JSON.parse(result.stdout);
    expect(schemaErrors("train-output", doc)).toBe("");
    expect(doc.outDir).toBe(out);
    expect(doc.history).toHaveLength(1);
  });
  it("on a terminal, train --json draws the progress bar and notes on stderr, JSON alone on stdout", async () => {
    const result = await runInProcess(
      [
        "train",
        "--backend",
        "cpu",
        "--epochs",
        "1",
        "--batch-size",
        "16",
        "--data-dir",
        data,
        "--out",
        join(work, "tty"),
        "--json",
      ],
      { stderrTTY: true },
    );
    expect(result.code).toBe(0);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
    expect(result.stderr).toMatch(/backend: cpu;/);
    expect(result.stderr).toMatch(/\repoch 1\/1 [█░]+ \d+\/38 {2}loss \d\.\d{4} {2}ETA [\d.]+ s/);
    expect(result.stderr).toContain("\u001b[K");
  });
  it("--quiet keeps only the done line", async () => {
    const result = await runInProcess(
      [
        "train",
        "--backend",
        "cpu",
        "--epochs",
        "2",
        "--data-dir",
        data,
        "--out",
        join(work, "quiet"),
        "--quiet",
      ],
      { stderrTTY: true },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim().split("\n")).toHaveLength(1);
    expect(result.stdout).toMatch(/^done: 2 epochs on cpu/);
  });
});

describe("mistakes with models and images: one line, exit 2 for the call, 1 for a broken file", () => {
  const cases: [string, () => string[], number, RegExp][] = [
    ["predict without --model", () => ["predict", "--index", "1"], 2, /--model DIR is required/],
    [
      "predict with both inputs",
      () => ["predict", "--model", run, "--index", "1", "--image", "x.png"],
      2,
      /exactly one of --index N .* or --image/,
    ],
    ["predict with neither input", () => ["predict", "--model", run], 2, /exactly one of --index N/],
    [
      "a model folder that does not exist",
      () => ["evaluate", "--model", join(work, "nope")],
      2,
      /--model .*nope: no such file or directory/,
    ],
    ["a folder without model.json", () => ["evaluate", "--model", work], 2, /no model\.json in it/],
    [
      "an index past the test set",
      () => ["predict", "--model", run, "--index", "120", "--data-dir", data],
      2,
      /--index 120: the test set has 120 images, 0\.\.119/,
    ],
    [
      "a file that is not a PNG",
      () => {
        const file = join(work, "photo.jpg");
        writeFileSync(file, Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 1, 2, 3));
        return ["predict", "--model", run, "--image", file];
      },
      2,
      /--image .*photo\.jpg: not a PNG file \(no PNG signature\); convert it to PNG first/,
    ],
    [
      "a broken PNG",
      () => {
        const file = join(work, "broken.png");
        const png = encodePng({ width: 4, height: 4, channels: 1, data: new Uint8Array(16) });
        writeFileSync(file, png.subarray(0, png.length - 30));
        return ["predict", "--model", run, "--image", file];
      },
      1,
      /--image .*broken\.png: cannot read this PNG: .*truncated/,
    ],
    [
      "a model.json that is not a model",
      () => {
        const dir = mkdtempSync(join(tmpdir(), "tensorplug-bad-model-"));
        writeFileSync(
          join(dir, "model.json"),
          JSON.stringify({
            format: "tensorplug-softmax-model",
            formatVersion: 1,
            shape: { features: 784, classes: 10 },
            W: [1],
          }),
        );
        return ["evaluate", "--model", dir];
      },
      1,
      /model\.json is not a tensorplug model: field "createdAt" is missing/,
    ],
  ];
  for (const [label, args, code, pattern] of cases) {
    it(label, async () => {
      const result = await runInProcess(args());
      expect(result.code, result.stderr).toBe(code);
      const lines = result.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^tensorplug: /);
      expect(lines[0]).toMatch(pattern);
      expect(result.stdout).toBe("");
    });
  }
});
