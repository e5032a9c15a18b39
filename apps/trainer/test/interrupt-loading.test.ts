import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LocateOptions } from "@tensorplug/fashion-mnist";
import { describe, expect, it, vi } from "vitest";
import { runInProcess } from "./fake-io.js";

// Ctrl-C while the data is still being found or downloaded: the download is aborted (the package's
// own test proves its temporary file goes with it) and the CLI exits 130 / 143 having saved
// nothing. The locator here is a stand-in that waits for the abort as a download would.

const locating = vi.hoisted(() => ({ started: () => {} }));

vi.mock("@tensorplug/fashion-mnist", async (importOriginal) => {
  const real = await importOriginal<typeof import("@tensorplug/fashion-mnist")>();
  return {
    ...real,
    locateDataset: (opts: LocateOptions) =>
      new Promise((_, reject) => {
        opts.signal?.addEventListener("abort", () => reject(opts.signal?.reason));
        locating.started();
      }),
  };
});

describe("a signal while the data is loading", () => {
  for (const [name, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${name}: exit ${code}, one line, nothing saved`, async () => {
      const cwd = mkdtempSync(join(tmpdir(), "tensorplug-loading-"));
      locating.started = () => setImmediate(() => process.emit(name));
      const result = await runInProcess(["train", "--backend", "cpu"], { cwd });
      expect(result.code, result.stderr).toBe(code);
      expect(result.stderr).toBe(`tensorplug: ${name}: stopped before training began; nothing was saved\n`);
      expect(readdirSync(cwd)).toEqual([]);
    });
  }
});
