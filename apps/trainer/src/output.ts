import { colorEnabled, type Paint, painter } from "./colors.js";
import type { Io } from "./io.js";
import type { FlagSpecs } from "./options.js";
import { ProgressBar } from "./progress.js";

/** `--json` and `--quiet`, shared by the commands that print results. */
export const OUTPUT_FLAGS: FlagSpecs = {
  json: { type: "boolean", help: "print one JSON document on stdout; progress on stderr only on a terminal" },
  quiet: { type: "boolean", help: "print only the result: no progress, no notes on stderr" },
};

export interface OutputMode {
  readonly json: boolean;
  readonly quiet: boolean;
}

/** Reads `--json` and `--quiet` from parsed flags. */
export function outputMode(flags: Readonly<Record<string, string | boolean | undefined>>): OutputMode {
  return { json: flags.json === true, quiet: flags.quiet === true };
}

/**
 * Where each kind of line goes. Results go to stdout (as text, or as one JSON document with
 * `--json`); notes and progress go to stderr, and with `--json` only when stderr is a terminal, so
 * a pipe gets nothing but the document. `--quiet` keeps only the result.
 */
export class Output {
  readonly mode: OutputMode;
  /** Styles for stdout (off without a terminal or with NO_COLOR). */
  readonly paint: Paint;
  private readonly io: Io;

  constructor(io: Io, mode: OutputMode) {
    this.io = io;
    this.mode = mode;
    this.paint = painter(!mode.json && colorEnabled(io.stdout, io.env));
  }

  /** A result line on stdout (text mode only). */
  result(line: string): void {
    if (!this.mode.json) this.io.stdout.write(`${line}\n`);
  }

  /** A line of running results on stdout (epoch lines): text mode, not quiet. */
  detail(line: string): void {
    if (!this.mode.json && !this.mode.quiet) this.io.stdout.write(`${line}\n`);
  }

  /** A note on stderr: what ran, where files went. */
  note(line: string): void {
    if (this.mode.quiet) return;
    if (this.mode.json && this.io.stderr.isTTY !== true) return;
    this.io.stderr.write(`${line}\n`);
  }

  /** The JSON document (with `--json`). */
  json(value: unknown): void {
    if (this.mode.json) this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A progress bar on stderr: drawn only on a terminal and never with `--quiet`. */
  progressBar(): ProgressBar {
    return new ProgressBar(
      this.io.stderr,
      !this.mode.quiet && this.io.stderr.isTTY === true,
      painter(colorEnabled(this.io.stderr, this.io.env)),
    );
  }
}
