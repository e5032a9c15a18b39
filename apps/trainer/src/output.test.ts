import { describe, expect, it } from "vitest";
import { colorEnabled, painter } from "./colors.js";
import { Output } from "./output.js";

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, columns: 80, write: (c: string) => chunks.push(c) > 0 };
}

describe("colour", () => {
  it("is on for a terminal, off for a pipe, off with NO_COLOR, on with FORCE_COLOR", () => {
    expect(colorEnabled(stream(true), {})).toBe(true);
    expect(colorEnabled(stream(false), {})).toBe(false);
    expect(colorEnabled(stream(true), { NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled(stream(true), { NO_COLOR: "" })).toBe(true);
    expect(colorEnabled(stream(false), { FORCE_COLOR: "1" })).toBe(true);
    expect(colorEnabled(stream(false), { FORCE_COLOR: "1", NO_COLOR: "yes" })).toBe(false);
    expect(colorEnabled(stream(true), { FORCE_COLOR: "0", TERM: "dumb" })).toBe(false);
  });
  it("paints with ANSI codes only when enabled", () => {
    expect(painter(true)("red", "x")).toBe("\u001b[31mx\u001b[39m");
    expect(painter(false)("red", "x")).toBe("x");
  });
});

describe("Output routes lines by mode and terminal", () => {
  const make = (mode: { json: boolean; quiet: boolean }, stderrTTY: boolean) => {
    const stdout = stream(false);
    const stderr = stream(stderrTTY);
    const output = new Output({ stdout, stderr, env: {} }, mode);
    output.result("result");
    output.detail("detail");
    output.note("note");
    output.json({ a: 1 });
    return { out: stdout.chunks.join(""), err: stderr.chunks.join("") };
  };
  it("text: results and details on stdout, notes on stderr", () => {
    expect(make({ json: false, quiet: false }, false)).toEqual({ out: "result\ndetail\n", err: "note\n" });
  });
  it("--json: only the document on stdout; notes on stderr only on a terminal", () => {
    expect(make({ json: true, quiet: false }, false)).toEqual({ out: '{\n  "a": 1\n}\n', err: "" });
    expect(make({ json: true, quiet: false }, true).err).toBe("note\n");
  });
  it("--quiet: the result only", () => {
    expect(make({ json: false, quiet: true }, true)).toEqual({ out: "result\n", err: "" });
  });
});
