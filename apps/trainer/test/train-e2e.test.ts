import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodePng } from "@tensorplug/plots";
import { describe, expect, it } from "vitest";
import { RUN_FILES } from "../src/artefacts/run-folder.js";
import { runCli } from "./run-cli.js";
import { schemaErrors } from "./schemas.js";

const EPOCH_LINE =
  /^epoch (\d+)\/(\d+) {2}loss (\d\.\d{4}) {2}train acc (\d\.\d{4}) {2}test acc (\d\.\d{4}) {2}[\d.]+ s$/;

interface Epoch {
  readonly epoch: number;
  readonly loss: number;
  readonly trainAcc: number;
  readonly testAcc: number;
}

function epochs(stdout: string): Epoch[] {
  return stdout
    .split("\n")
    .map((line) => EPOCH_LINE.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ epoch: Number(m[1]), loss: Number(m[3]), trainAcc: Number(m[4]), testAcc: Number(m[5]) }));
}

// The book's recipe on the real Fashion-MNIST files (CI installs the Debian package
// dataset-fashion-mnist). The NumPy reference lands at train loss 0.4475 and test acc 0.829.
const RUN = join(mkdtempSync(join(tmpdir(), "tensorplug-e2e-")), "book");

describe("tensorplug train, the full recipe on real data", () => {
  it("--backend cpu reaches test accuracy >= 0.82 and train loss < 0.5 in 10 epochs", {
    timeout: 300_000,
  }, () => {
    const result = runCli(["train", "--backend", "cpu", "--out", RUN]);
    expect(result.code, result.stderr).toBe(0);
    const history = epochs(result.stdout);
    expect(history.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const last = history[9]!;
    expect(last.loss).toBeLessThan(0.5);
    expect(last.trainAcc).toBeGreaterThan(0.7);
    expect(last.testAcc).toBeGreaterThanOrEqual(0.82);
    expect(history[0]!.loss).toBeGreaterThan(last.loss);
    const summary = result.stdout.trim().split("\n").pop() ?? "";
    expect(summary).toMatch(/^done: 10 epochs on cpu in .* test acc 0\.8\d{3}$/);
    expect(result.stderr).toMatch(/backend: cpu; epochs 10, batch size 256, lr 0.1, seed 0/);

    // The run folder of the real run: every file, valid JSON, pictures of the expected sizes.
    for (const file of RUN_FILES) expect(existsSync(join(RUN, file)), file).toBe(true);
    const model = JSON.parse(readFileSync(join(RUN, "model.json"), "utf8"));
    expect(schemaErrors("model", model)).toBe("");
    expect(model.metrics.testAccuracy.toFixed(4)).toBe(last.testAcc.toFixed(4));
    const curves = decodePng(readFileSync(join(RUN, "curves.png")));
    expect([curves.width, curves.height]).toEqual([720, 480]);
    const html = readFileSync(join(RUN, "report.html"), "utf8");
    expect(html).toContain(`${Math.round(model.metrics.testAccuracy * 10000)} of 10000 test images right`);
  });

  it("the saved model scores the same test accuracy on every backend", { timeout: 300_000 }, () => {
    const model = JSON.parse(readFileSync(join(RUN, "model.json"), "utf8"));
    const backends = [
      ["--backend", "cpu"],
      ["--backend", "tfjs", "--tfjs-backend", "wasm"],
      ["--backend", "tfjs", "--tfjs-backend", "cpu"],
      ["--backend", "gpujs", "--gpujs-mode", "webasm"],
      ...(process.env["DISPLAY"] ? [["--backend", "gpujs", "--gpujs-mode", "gpu"]] : []),
    ];
    for (const flags of backends) {
      const result = runCli(["evaluate", "--model", RUN, ...flags, "--json"]);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(schemaErrors("evaluate-output", report)).toBe("");
      expect(report.accuracy, flags.join(" ")).toBe(model.metrics.testAccuracy);
    }
  });

  it("predict: the first test image is an ankle boot, and the model says so", { timeout: 60_000 }, () => {
    const result = runCli(["predict", "--model", RUN, "--index", "0", "--backend", "cpu"]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toBe("image: test image #0 (true: ankle boot)");
    expect(lines[1]).toMatch(/^1\. ankle boot +\d+\.\d%$/);
    expect(lines).toHaveLength(4);
  });

  it("the same seed gives the same run; another seed a different one", { timeout: 120_000 }, () => {
    const a = runCli(["train", "--epochs", "1", "--seed", "7"]);
    const b = runCli(["train", "--epochs", "1", "--seed", "7"]);
    const c = runCli(["train", "--epochs", "1", "--seed", "8"]);
    const strip = (s: string) => epochs(s).map(({ loss, trainAcc, testAcc }) => [loss, trainAcc, testAcc]);
    expect(strip(a.stdout)).toHaveLength(1);
    expect(strip(a.stdout)).toEqual(strip(b.stdout));
    expect(strip(a.stdout)).not.toEqual(strip(c.stdout));
  });

  it("TENSORPLUG_BACKEND picks the backend and --backend overrides it", { timeout: 120_000 }, () => {
    const viaEnv = runCli(["train", "--epochs", "1", "--batch-size", "1000"], { TENSORPLUG_BACKEND: "cpu" });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(viaEnv.stderr).toMatch(/backend: cpu;/);
    const overridden = runCli(["train", "--epochs", "1", "--batch-size", "1000", "--backend", "cpu"], {
      TENSORPLUG_BACKEND: "nope",
    });
    expect(overridden.code, overridden.stderr).toBe(0);
  });
});
