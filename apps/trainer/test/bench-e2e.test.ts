import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";
import { schemaErrors } from "./schemas.js";

// One epoch on two backends, each in its own process: the point is the report, not the speed.
describe("tensorplug bench on real data", () => {
  it("measures each backend in a fresh process, with peak memory, and writes bench.json and bench.md", {
    timeout: 300_000,
  }, () => {
    const out = mkdtempSync(join(tmpdir(), "tensorplug-bench-"));
    const result = runCli(["bench", "--backends", "cpu,tfjs:cpu", "--epochs", "1", "--out", out, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    const report = JSON.parse(result.stdout);
    expect(schemaErrors("bench", report)).toBe("");
    expect(JSON.parse(readFileSync(join(out, "bench.json"), "utf8"))).toEqual(report);
    expect(report.rows.map((r: { backend: string; mode: string }) => `${r.backend}:${r.mode}`)).toEqual([
      "cpu:cpu",
      "tfjs:cpu",
    ]);
    const [cpu, tfjs] = report.rows;
    expect(cpu.maxWeightDiffVsCpu).toBe(0);
    expect(tfjs.maxWeightDiffVsCpu).toBeLessThan(1e-4);
    // Each child holds the data set (about 55 MB of bytes) on top of Node itself.
    expect(report.baselinePeakRssMiB).toBeGreaterThan(55);
    for (const row of report.rows) {
      expect(row.peakRssMiB).toBeGreaterThan(report.baselinePeakRssMiB * 0.9);
      expect(row.wholeRunSeconds).toBeGreaterThan(row.trainSeconds);
      expect(row.testAccuracy).toBeGreaterThan(0.7);
    }
    const md = readFileSync(join(out, "bench.md"), "utf8");
    expect(md).toMatch(
      /\| backend \| mode \| s\/epoch \| train s \(1 epochs\) \| whole run s \| peak MiB \| test acc \|/,
    );
    // The NumPy reference runs when its script (beside the checkout) and python3 with NumPy are
    // here; then every row has a ratio, else the column says n/a.
    const ratio = report.reference === null ? "n/a" : "[\\d.]+x";
    if (report.reference !== null) {
      expect(report.reference.script).toMatch(/numpy_reference\.py$/);
      expect(report.reference.trainSeconds).toBeGreaterThan(0);
      expect(report.reference.testAccuracy).toBeGreaterThan(0.7);
    }
    expect(md).toMatch(
      new RegExp(
        `^\\| tfjs \\| cpu \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| \\d+ \\| 0\\.\\d{4} \\| [\\d.e+-]+ \\| ${ratio} \\|$`,
        "m",
      ),
    );
  });
});
