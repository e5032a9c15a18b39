import type { ProgressStream } from "./progress.js";

/** What a command may touch of the outside world, so tests can hand it their own. */
export interface Io {
  /** Where results go. */
  readonly stdout: ProgressStream;
  /** Where progress and errors go. */
  readonly stderr: ProgressStream;
  /** The environment, e.g. `TENSORPLUG_BACKEND` and `TENSORPLUG_DATA_DIR`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where relative default paths (the run folder, bench files) go; default `process.cwd()`. */
  readonly cwd?: string;
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Writes one line. */
export function println(stream: ProgressStream, line = ""): void {
  stream.write(`${line}\n`);
}
