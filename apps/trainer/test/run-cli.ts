import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built CLI, run the way a user runs it. */
export const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI in `cwd` (default: a fresh temporary directory, so default run folders and
 * bench files never land in the checkout), without the variables that would change its choices;
 * `nodeArgs` go to node itself (a `--require` that hides a native piece, say).
 */
export function runCli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  cwd = mkdtempSync(join(tmpdir(), "tensorplug-cli-")),
  nodeArgs: readonly string[] = [],
): CliResult {
  const run = spawnSync(process.execPath, [...nodeArgs, CLI, ...args], {
    encoding: "utf8",
    cwd,
    env: {
      ...process.env,
      TENSORPLUG_BACKEND: undefined,
      TENSORPLUG_DATA_DIR: undefined,
      TENSORPLUG_NUMPY_REFERENCE: undefined,
      FORCE_COLOR: undefined,
      NO_COLOR: undefined,
      ...env,
    },
    timeout: 600_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/**
 * Runs the built CLI and sends it `signal` the first time its output (stdout and stderr together)
 * matches `when`: a user pressing Ctrl-C, or a service manager stopping it, at a known moment.
 */
export function runCliUntil(
  args: readonly string[],
  when: RegExp,
  signal: NodeJS.Signals,
  env: Record<string, string | undefined> = {},
  cwd = mkdtempSync(join(tmpdir(), "tensorplug-cli-")),
): Promise<CliResult & { readonly sent: boolean }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: {
      ...process.env,
      TENSORPLUG_BACKEND: undefined,
      TENSORPLUG_DATA_DIR: undefined,
      FORCE_COLOR: undefined,
      NO_COLOR: undefined,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let sent = false;
  const watch = () => {
    if (!sent && when.test(stdout + stderr)) {
      sent = true;
      child.kill(signal);
    }
  };
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    watch();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    watch();
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, sent }));
  });
}
