import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built CLI, run the way a user runs it. */
export const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], env: Record<string, string | undefined> = {}): CliResult {
  const run = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    env: { ...process.env, TENSORPLUG_BACKEND: undefined, TENSORPLUG_DATA_DIR: undefined, ...env },
    timeout: 600_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
