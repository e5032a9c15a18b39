import type { ProgressStream } from "./progress.js";

/** Styles the CLI uses. */
export type Style = "bold" | "dim" | "red" | "green" | "yellow" | "cyan";

const CODES: Readonly<Record<Style, readonly [number, number]>> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

/**
 * Colour only on a terminal, never when `NO_COLOR` is set to anything non-empty (no-color.org),
 * and on any stream when `FORCE_COLOR` is set (and is not "0" or "false") without `NO_COLOR`.
 */
export function colorEnabled(
  stream: ProgressStream,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  const force = env["FORCE_COLOR"];
  if (force !== undefined && force !== "" && force !== "0" && force !== "false") return true;
  return stream.isTTY === true && env["TERM"] !== "dumb";
}

/** Wraps text in ANSI styles, or returns it as is when colour is off. */
export type Paint = (style: Style, text: string) => string;

export function painter(enabled: boolean): Paint {
  if (!enabled) return (_style, text) => text;
  return (style, text) => `\x1b[${CODES[style][0]}m${text}\x1b[${CODES[style][1]}m`;
}
