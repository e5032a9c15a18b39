import { readFileSync, statSync } from "node:fs";
import { CliError } from "../cli-error.js";

// Model and checkpoint files are input like any other: they may be truncated, hand-edited, or
// made by someone else. They are read with JSON.parse only (nothing in them is ever run), checked
// field by field, and every problem becomes one line naming the file and the field.

/** Far above any file tensorplug writes (a model is about 100 KB), far below trouble. */
export const MAX_JSON_FILE_BYTES = 8 * 1024 * 1024;

/** A field's value that does not fit; `problem` completes "<file> is not a <kind>: <problem>". */
export class FieldProblem extends Error {}

/** Reads and parses a JSON file; a file too large, unreadable as text or not JSON is a `CliError`. */
export function readJsonFile(path: string, kind: string): unknown {
  const size = statSync(path).size;
  if (size > MAX_JSON_FILE_BYTES) {
    throw new CliError(
      `${path} is ${size} bytes, too large to be a ${kind} (at most ${MAX_JSON_FILE_BYTES})`,
    );
  }
  const text = readFileSync(path, "utf8");
  if (text.trim() === "") throw new CliError(`${path} is empty, not a ${kind}; it was cut short`);
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0] ?? "";
    // V8 names the place it stopped: at the very end, the text ended before the JSON did.
    const at = /at position (\d+)/.exec(reason);
    const atEnd = at !== null && Number(at[1]) >= text.trimEnd().length;
    const cut = atEnd || /end of (JSON )?input|Unterminated/i.test(reason) ? "; the file was cut short" : "";
    throw new CliError(`${path} is not valid JSON (${reason})${cut}`);
  }
}

/** A value as it may appear in a message: JSON, escaped, at most 40 characters. */
export function shown(value: unknown): string {
  const text = value === undefined ? "missing" : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Exactly these keys: an unknown one or a missing one is a problem, named. */
export function exactKeys(value: Record<string, unknown>, keys: readonly string[], where: string): void {
  const extra = Object.keys(value).filter((k) => !keys.includes(k));
  if (extra.length > 0) {
    throw new FieldProblem(`unknown field ${shown(extra[0])}${where ? ` in ${where}` : ""}`);
  }
  const missing = keys.filter((k) => !Object.hasOwn(value, k));
  if (missing.length > 0) {
    throw new FieldProblem(`field "${missing[0]}"${where ? ` of ${where}` : ""} is missing`);
  }
}

export function object(value: unknown, name: string): Record<string, unknown> {
  if (!isObject(value)) throw new FieldProblem(`"${name}" must be an object, got ${shown(value)}`);
  return value;
}

export function integer(value: unknown, name: string, min: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new FieldProblem(`"${name}" must be a whole number of at least ${min}, got ${shown(value)}`);
  }
  return value;
}

export function finite(
  value: unknown,
  name: string,
  range?: { min?: number; max?: number; above?: number },
): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new FieldProblem(`"${name}" must be a finite number, got ${shown(value)}`);
  }
  if (
    (range?.min !== undefined && value < range.min) ||
    (range?.max !== undefined && value > range.max) ||
    (range?.above !== undefined && value <= range.above)
  ) {
    const bounds = [
      range.min !== undefined ? `at least ${range.min}` : "",
      range.above !== undefined ? `above ${range.above}` : "",
      range.max !== undefined ? `at most ${range.max}` : "",
    ].filter(Boolean);
    throw new FieldProblem(`"${name}" must be ${bounds.join(" and ")}, got ${shown(value)}`);
  }
  return value;
}

/** C0 and C1 control characters, ESC among them: a name holding one could rewrite the terminal. */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/** Text safe to print: 1 to `max` characters, none of them control characters. */
export function text(value: unknown, name: string, max = 80): string {
  if (typeof value !== "string" || value.length === 0 || value.length > max || hasControlCharacter(value)) {
    throw new FieldProblem(`"${name}" must be 1 to ${max} printable characters, got ${shown(value)}`);
  }
  return value;
}

/** `length` finite numbers, as float32 (the weights are float32 on every backend). */
export function float32s(value: unknown, name: string, length: number): Float32Array {
  if (!Array.isArray(value)) throw new FieldProblem(`"${name}" must be an array of ${length} numbers`);
  if (value.length !== length) {
    throw new FieldProblem(`"${name}" must hold ${length} numbers, it holds ${value.length}`);
  }
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const v: unknown = value[i];
    // JSON has no NaN or infinity: JSON.stringify writes them as null, and 1e999 parses to Infinity.
    if (typeof v !== "number" || !Number.isFinite(v) || !Number.isFinite(Math.fround(v))) {
      throw new FieldProblem(`"${name}"[${i}] is ${shown(v)}, not a finite float32 number`);
    }
    out[i] = v;
  }
  return out;
}
