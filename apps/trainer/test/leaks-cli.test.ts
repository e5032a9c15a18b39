import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Backend, BackendRegistry } from "@tensorplug/core";
import { describe, expect, it, vi } from "vitest";
import { runInProcess } from "./fake-io.js";
import { megabytes, settledMemory, slope, TARGETS, TEST_IMAGES, TRAIN_IMAGES } from "./leak-watch.js";
import { realSubsetDir } from "./real-subset.js";

// Leaks under load through the CLI's own commands: `tensorplug train` (one epoch on 2,000 real
// images, a whole run folder written) then `tensorplug evaluate`, cycle after cycle in this one
// process, on every backend and mode. Each command starts and closes its own backend, so this is
// where a leak in starting or closing one shows: every command must have disposed everything it made
// by the time it closes its backend, the process must hold no more OS handles (worker threads,
// files, sockets, timers) after any cycle than after the first, and memory must stay flat.
//
// A CLI cycle costs about a second, most of it drawing the run folder's PNGs, so this loop runs 10
// cycles per mode (the 50 run in leaks-backends.test.ts, at a tenth of the cost per cycle).
// Ten are enough here: a handle or a backend's tensors leaked per command show after one cycle, and
// the memory bound below is meant for the command-sized leaks only this loop can see.

const CYCLES = 10;
const WARM_UP = 2;

/**
 * Allowed memory growth per cycle after warm-up: 256 KB. What a command could leak that the
 * backend loop cannot see is command-sized: the data it loaded (2,000 + 500 images, 2 MB), a
 * backend's buffers, the run folder's pictures (about 0.5 MB). Measured here, the slopes over
 * these 8 cycles range from -35 to +63 KB per cycle, so the bound sits four times above the noise
 * and half a picture set below the smallest such leak.
 */
const SLOPE_BYTES = 256 * 1024;

/** Live handles each backend the CLI started still had when the CLI closed it. */
const closes = vi.hoisted(() => [] as { name: string; live: number }[]);

vi.mock("../src/registry.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/registry.js")>();
  return {
    ...real,
    createRegistry: () => {
      const registry = new BackendRegistry();
      for (const entry of real.CLI_BACKENDS) {
        registry.register({
          ...entry,
          factory: async (options) => {
            const backend: Backend = await entry.factory(options);
            const close = backend.close?.bind(backend);
            backend.close = async () => {
              closes.push({ name: backend.name, live: backend.live() });
              await close?.();
            };
            return backend;
          },
        });
      }
      return registry;
    },
  };
});

const dir = realSubsetDir(TRAIN_IMAGES, TEST_IMAGES);

/** The process's OS-level handles by kind ("Timeout", "FSReqCallback", "MessagePort", ...). */
const handles = () => process.getActiveResourcesInfo().sort();

describe(`${CYCLES} cycles of tensorplug train and evaluate in one process: nothing left behind, memory flat`, () => {
  for (const target of TARGETS) {
    it(target.label, { timeout: 300_000 }, async () => {
      const work = mkdtempSync(join(tmpdir(), "tensorplug-leaks-"));
      closes.length = 0;
      let afterFirst: string[] | undefined;
      const memory: number[] = [];
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        // A run folder of its own each time: train refuses one that holds a run already.
        const out = join(work, `run-${cycle}`);
        const trained = await runInProcess(
          ["train", ...target.flags, "--epochs", "1", "--data-dir", dir, "--out", out, "--quiet"],
          { cwd: work },
        );
        expect(trained.code, trained.stderr).toBe(0);
        const evaluated = await runInProcess(
          ["evaluate", ...target.flags, "--model", out, "--data-dir", dir, "--json"],
          { cwd: work },
        );
        expect(evaluated.code, evaluated.stderr).toBe(0);
        expect(JSON.parse(evaluated.stdout).count).toBe(TEST_IMAGES);
        const now = handles();
        afterFirst ??= now;
        expect(now, `OS handles after cycle ${cycle}`).toEqual(afterFirst);
        memory.push(settledMemory());
      }
      // Two commands per cycle, each closing the backend it started with nothing left on it.
      expect(closes).toHaveLength(2 * CYCLES);
      expect(closes.filter((c) => c.live !== 0)).toEqual([]);
      expect(slope(memory.slice(WARM_UP)), megabytes(memory)).toBeLessThan(SLOPE_BYTES);
    });
  }
});
