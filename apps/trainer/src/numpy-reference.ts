import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

/** The NumPy yardstick's own timings, as it prints them. */
export interface ReferenceTiming {
  readonly script: string;
  readonly loadSeconds: number;
  readonly trainSeconds: number;
  readonly testAccuracy: number;
}

export const REFERENCE_ENV = "TENSORPLUG_NUMPY_REFERENCE";

/** The reference script: `--reference`, then the env variable, then `../shared/bench/` beside the checkout. */
export function findReferenceScript(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd = process.cwd(),
): string | undefined {
  const candidates = [explicit, env[REFERENCE_ENV], resolve(cwd, "../shared/bench/numpy_reference.py")];
  return candidates.find((c): c is string => c !== undefined && c !== "" && existsSync(c));
}

/** Runs the reference on the same data; `undefined` with a reason when python3 or numpy is missing. */
export function runReference(
  script: string,
  dataDir: string,
  epochs: number,
): { ok: true; timing: ReferenceTiming } | { ok: false; reason: string } {
  const run = spawnSync("python3", [script, dataDir, String(epochs)], { encoding: "utf8" });
  if (run.error) return { ok: false, reason: `python3 did not start (${run.error.message})` };
  if (run.status !== 0) {
    const lastLine = run.stderr.trim().split("\n").pop() ?? "";
    return { ok: false, reason: `the reference exited ${run.status}: ${lastLine}` };
  }
  const times = /load ([\d.]+)s train ([\d.]+)s/.exec(run.stdout);
  const accuracies = [...run.stdout.matchAll(/test acc ([\d.]+)/g)];
  const lastAccuracy = accuracies[accuracies.length - 1]?.[1];
  if (!times || lastAccuracy === undefined)
    return { ok: false, reason: "could not read the reference's output" };
  return {
    ok: true,
    timing: {
      script,
      loadSeconds: Number(times[1]),
      trainSeconds: Number(times[2]),
      testAccuracy: Number(lastAccuracy),
    },
  };
}
