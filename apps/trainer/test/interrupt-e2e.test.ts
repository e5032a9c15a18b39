import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKPOINT_FILE } from "../src/artefacts/checkpoint.js";
import { runCli, runCliUntil } from "./run-cli.js";
import { schemaErrors } from "./schemas.js";

// Real runs on the real data (CI installs dataset-fashion-mnist), stopped the way a user or a
// service manager stops them, then resumed. On backend-cpu the resumed run must end with the very
// weights of a run that was never stopped.

const base = mkdtempSync(join(tmpdir(), "tensorplug-interrupt-"));
const EPOCHS = "3";
const train = (out: string, ...more: string[]) => [
  "train",
  "--backend",
  "cpu",
  "--epochs",
  EPOCHS,
  "--out",
  out,
  ...more,
];

interface Saved {
  readonly W: number[];
  readonly b: number[];
  readonly metrics: { epochs: number };
}
const model = (dir: string): Saved => JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
const checkpoint = (dir: string) => JSON.parse(readFileSync(join(dir, CHECKPOINT_FILE), "utf8"));
/** The float32 bits of saved weights: equal bits, equal models. */
const bits = (values: readonly number[]) => Buffer.from(Float32Array.from(values).buffer).toString("hex");
/** metrics.jsonl without the timings, which differ from run to run. */
const metrics = (dir: string) =>
  readFileSync(join(dir, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const { seconds: _s, ...rest } = JSON.parse(line);
      return rest;
    });

const straightDir = join(base, "straight");
let straight: Saved | undefined;
function uninterrupted(): Saved {
  if (!straight) {
    const result = runCli(train(straightDir, "--quiet"));
    expect(result.code, result.stderr).toBe(0);
    straight = model(straightDir);
  }
  return straight;
}

describe("stopping a run with a signal, and resuming it", () => {
  it("SIGINT after epoch 1: exit 130, the last complete epoch kept, then --resume ends bit for bit where an uninterrupted run does", {
    timeout: 180_000,
  }, async () => {
    const reference = uninterrupted();
    const dir = join(base, "sigint");
    const stopped = await runCliUntil(train(dir), /^epoch 1\/3 /m, "SIGINT");
    expect(stopped.sent).toBe(true);
    expect(stopped.code, stopped.stderr).toBe(130);
    const saved = checkpoint(dir);
    expect(saved.epoch).toBeGreaterThanOrEqual(1);
    expect(saved.epoch).toBeLessThan(3);
    const last = stopped.stderr.trim().split("\n").pop() ?? "";
    expect(last).toMatch(
      new RegExp(
        `^tensorplug: SIGINT: stopped before epoch ${saved.epoch + 1}, batch \\d+ of 235; ${dir} keeps epoch ${saved.epoch} of 3; resume with: tensorplug train --resume ${dir}$`,
      ),
    );
    expect(stopped.stderr).not.toMatch(/\n\s+at /);
    // Nothing half-written: the checkpoint, metrics and model of the last epoch, no temporary file.
    expect(readdirSync(dir).sort()).toEqual([
      "checkpoint.json",
      "metrics.csv",
      "metrics.jsonl",
      "model.json",
    ]);
    expect(model(dir).metrics.epochs).toBe(saved.epoch);

    const resumed = runCli(["train", "--resume", dir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming ${dir} after epoch ${saved.epoch} of 3`);
    const epochsRun = [...resumed.stdout.matchAll(/^epoch (\d)\/3 /gm)].map((m) => Number(m[1]));
    expect(epochsRun).toEqual([2, 3].filter((e) => e > saved.epoch));
    const final = model(dir);
    expect(bits(final.W)).toBe(bits(reference.W));
    expect(bits(final.b)).toBe(bits(reference.b));
    expect(metrics(dir)).toEqual(metrics(straightDir));
    expect(existsSync(join(dir, "report.html"))).toBe(true);
  });

  it("SIGTERM during epoch 1: exit 143 keeping the initial weights; the resumed run is the same run", {
    timeout: 180_000,
  }, async () => {
    const reference = uninterrupted();
    const dir = join(base, "sigterm");
    const stopped = await runCliUntil(train(dir), /^data: /m, "SIGTERM");
    expect(stopped.code, stopped.stderr).toBe(143);
    const saved = checkpoint(dir);
    const last = stopped.stderr.trim().split("\n").pop() ?? "";
    expect(last).toMatch(/^tensorplug: SIGTERM: stopped before epoch \d, batch \d+ of 235; .* keeps /);
    expect(last).toContain(`resume with: tensorplug train --resume ${dir}`);
    const resumed = runCli(["train", "--resume", dir, "--json"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout);
    expect(schemaErrors("train-output", report)).toBe("");
    expect(report.resumedAfter).toBe(saved.epoch);
    expect(report.backend).toMatchObject({ requested: "cpu", from: "resume", name: "cpu" });
    expect(report.history.map((r: { epoch: number }) => r.epoch)).toEqual([1, 2, 3]);
    expect(bits(model(dir).W)).toBe(bits(reference.W));
    expect(saved.epoch).toBeLessThan(3);
  });

  it("a second --resume of a finished run is refused: there is nothing left to do", {
    timeout: 60_000,
  }, () => {
    uninterrupted();
    const again = runCli(["train", "--resume", straightDir]);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe(
      `tensorplug: --resume ${straightDir}: the run is complete (3 of 3 epochs); nothing to resume (see 'tensorplug train --help')`,
    );
  });
});

describe("divergence on the real data", () => {
  it("--lr 1e35 stops at the batch whose loss is infinite, exit 1, keeping the last good checkpoint", {
    timeout: 60_000,
  }, () => {
    const dir = join(base, "diverged");
    const result = runCli(train(dir, "--lr", "1e35"));
    expect(result.code, result.stderr).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines.pop()).toMatch(
      new RegExp(
        `^tensorplug: training diverged at epoch 1, batch \\d+ of 235: the loss became (Infinity|NaN); use a smaller learning rate than 1e\\+35 \\(the book uses 0\\.1\\); ${dir} keeps the last good checkpoint, the initial weights \\(epoch 0 of 3\\)$`,
      ),
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // The checkpoint is the one written before the first batch, and a usable one.
    expect(readdirSync(dir)).toEqual([CHECKPOINT_FILE]);
    const saved = checkpoint(dir);
    expect(saved.epoch).toBe(0);
    expect((saved.W as number[]).every(Number.isFinite)).toBe(true);
  });
});
