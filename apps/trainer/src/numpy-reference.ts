import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The NumPy yardstick's own timings, as it prints them, and what its process cost. */
export interface ReferenceTiming {
  readonly script: string;
  readonly loadSeconds: number;
  readonly trainSeconds: number;
  readonly testAccuracy: number;
  /** Spawn to exit, seconds. */
  readonly wholeRunSeconds: number;
  /** Peak resident memory of the Python process, MiB (null when it could not be read). */
  readonly peakRssMiB: number | null;
}

export const REFERENCE_ENV = "TENSORPLUG_NUMPY_REFERENCE";

/** `../shared/bench/numpy_reference.py` beside the checkout this CLI was built in (apps/trainer/{src,dist}/). */
const BESIDE_CHECKOUT = fileURLToPath(
  new URL("../../../../shared/bench/numpy_reference.py", import.meta.url),
);

/**
 * The reference script: `--reference`, then the env variable, then `../shared/bench/` beside the
 * working directory, then beside the checkout the CLI lives in (so `pnpm bench` finds it from anywhere).
 */
export function findReferenceScript(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd = process.cwd(),
): string | undefined {
  const candidates = [
    explicit,
    env[REFERENCE_ENV],
    resolve(cwd, "../shared/bench/numpy_reference.py"),
    BESIDE_CHECKOUT,
  ];
  return candidates.find((c): c is string => c !== undefined && c !== "" && existsSync(c));
}

// Runs the script as __main__ and reports the process's peak RSS afterwards (KiB on Linux,
// bytes on macOS), the same measure the Node bench children report.
const PEAK_WRAPPER = [
  "import resource, runpy, sys",
  "sys.argv = sys.argv[1:]",
  "try:",
  "    runpy.run_path(sys.argv[0], run_name='__main__')",
  "finally:",
  "    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss",
  "    sys.stderr.write('tensorplug-peak-rss-kib %d\\n' % (r // 1024 if sys.platform == 'darwin' else r))",
].join("\n");

/** Parses the reference's output; undefined when it does not look like the reference's. */
export function parseReferenceOutput(
  stdout: string,
): { loadSeconds: number; trainSeconds: number; testAccuracy: number } | undefined {
  const times = /load ([\d.]+)s train ([\d.]+)s/.exec(stdout);
  const accuracies = [...stdout.matchAll(/test acc ([\d.]+)/g)];
  const lastAccuracy = accuracies[accuracies.length - 1]?.[1];
  if (!times || lastAccuracy === undefined) return undefined;
  return {
    loadSeconds: Number(times[1]),
    trainSeconds: Number(times[2]),
    testAccuracy: Number(lastAccuracy),
  };
}

/** Runs the reference on the same data; a reason instead when python3 or numpy is missing. */
export function runReference(
  script: string,
  dataDir: string,
  epochs: number,
): { ok: true; timing: ReferenceTiming } | { ok: false; reason: string } {
  const started = performance.now();
  const run = spawnSync("python3", ["-c", PEAK_WRAPPER, script, dataDir, String(epochs)], {
    encoding: "utf8",
  });
  const wholeRunSeconds = (performance.now() - started) / 1000;
  if (run.error) return { ok: false, reason: `python3 did not start (${run.error.message})` };
  if (run.status !== 0) {
    const lastLine =
      run.stderr
        .trim()
        .split("\n")
        .filter((l) => !l.startsWith("tensorplug-peak-rss-kib"))
        .pop() ?? "";
    return { ok: false, reason: `the reference exited ${run.status}: ${lastLine}` };
  }
  const parsed = parseReferenceOutput(run.stdout);
  if (!parsed) return { ok: false, reason: "could not read the reference's output" };
  const peak = /tensorplug-peak-rss-kib (\d+)/.exec(run.stderr);
  return {
    ok: true,
    timing: { script, ...parsed, wholeRunSeconds, peakRssMiB: peak ? Number(peak[1]) / 1024 : null },
  };
}
