import type { ProgressStream } from "./progress.js";

/** What a command may touch of the outside world, so tests can hand it their own. */
export interface Io {
  readonly stdout: ProgressStream;
  readonly stderr: ProgressStream;
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
