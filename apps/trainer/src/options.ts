import { statSync } from "node:fs";
import { parseArgs } from "node:util";
import { UsageError } from "./usage-error.js";

/** A flag's spec: its type, and for `--help`, what it takes and means. */
export interface FlagSpec {
  readonly type: "string" | "boolean";
  readonly value?: string;
  readonly help: string;
  readonly default?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** Parses `args` strictly against `specs`; unknown options and missing values become `UsageError`s. */
export function parseFlags(
  command: string,
  args: readonly string[],
  specs: FlagSpecs,
): Record<string, string | boolean> {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const [name, spec] of Object.entries(specs)) options[name] = { type: spec.type };
  try {
    const { values } = parseArgs({
      args: joinNegativeValues(args, specs),
      options,
      strict: true,
      allowPositionals: false,
    });
    return values as Record<string, string | boolean>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(tidyParseMessage(message, specs), command);
  }
}

/**
 * `--lr -0.5` reads to node:util as an option followed by another option; join such pairs into
 * `--lr=-0.5` so a negative number reaches validation and gets the message about its range.
 */
function joinNegativeValues(args: readonly string[], specs: FlagSpecs): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const name = arg.startsWith("--") ? arg.slice(2) : undefined;
    if (name && specs[name]?.type === "string" && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** node:util's messages are multi-line and mention `--foo <value>`; keep one clear line. */
function tidyParseMessage(message: string, specs: FlagSpecs): string {
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) {
    return `unknown option ${unknown[1]}; valid options: ${Object.keys(specs)
      .map((k) => `--${k}`)
      .join(", ")}`;
  }
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missing) return `option ${missing[1]} needs a value`;
  // `--seed --data-dir x`: the next word is an option, so --seed has no value of its own.
  const ambiguous = /Option '(?:-\w, )?(--[\w-]+)' argument is ambiguous/.exec(message);
  if (ambiguous) return `option ${ambiguous[1]} needs a value (the next word is an option)`;
  if (/Unexpected argument/.test(message)) {
    const arg = /Unexpected argument '([^']+)'/.exec(message)?.[1];
    return `unexpected argument ${arg ?? ""}`.trim();
  }
  return message.split("\n")[0] ?? message;
}

/** A whole number of at least 1, or a `UsageError` naming the flag and the valid values. */
export function positiveInteger(flag: string, raw: string, command: string): number {
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--${flag} must be a whole number of at least 1, got "${raw}"`, command);
  }
  return value;
}

/** A whole number of at least 0. */
export function nonNegativeInteger(flag: string, raw: string, command: string): number {
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(value)) {
    throw new UsageError(`--${flag} must be a whole number of at least 0, got "${raw}"`, command);
  }
  return value;
}

/** A finite number greater than 0. */
export function positiveNumber(flag: string, raw: string, command: string): number {
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`--${flag} must be a number greater than 0 (e.g. 0.1), got "${raw}"`, command);
  }
  return value;
}

/** A directory that exists. */
export function existingDirectory(flag: string, raw: string, command: string): string {
  let isDir = false;
  try {
    isDir = statSync(raw).isDirectory();
  } catch {
    throw new UsageError(
      `--${flag} ${raw}: no such directory; pass a directory that holds the data files`,
      command,
    );
  }
  if (!isDir) throw new UsageError(`--${flag} ${raw}: not a directory`, command);
  return raw;
}

/** The `--help` text of a command. */
export function helpText(usage: string, summary: string, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const left = `  --${name}${spec.value ? ` ${spec.value}` : ""}`;
    const right = `${spec.help}${spec.default !== undefined ? ` (default: ${spec.default})` : ""}`;
    return `${left.padEnd(28)}${right}`;
  });
  return `Usage: ${usage}\n\n${summary}\n\nOptions:\n${rows.join("\n")}\n`;
}
