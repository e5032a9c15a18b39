import { describe, expect, it } from "vitest";
import { parseTrainArgs } from "./commands/train.js";
import { nonNegativeInteger, parseFlags, positiveInteger, positiveNumber } from "./options.js";
import { createRegistry } from "./registry.js";
import { UsageError } from "./usage-error.js";

describe("flag values", () => {
  it("positiveInteger accepts whole numbers from 1 and rejects the rest", () => {
    expect(positiveInteger("epochs", "10", "train")).toBe(10);
    for (const bad of ["0", "-1", "1.5", "1e3", "ten", "", "0x10"]) {
      expect(() => positiveInteger("epochs", bad, "train"), bad).toThrow(UsageError);
    }
  });
  it("nonNegativeInteger accepts 0", () => {
    expect(nonNegativeInteger("seed", "0", "train")).toBe(0);
    expect(() => nonNegativeInteger("seed", "-3", "train")).toThrow(
      /--seed must be a whole number of at least 0/,
    );
  });
  it("positiveNumber accepts decimals and exponents above 0 only", () => {
    expect(positiveNumber("lr", "0.1", "train")).toBe(0.1);
    expect(positiveNumber("lr", "1e-3", "train")).toBe(0.001);
    for (const bad of ["0", "-0.1", "NaN", "Infinity", "", "fast"]) {
      expect(() => positiveNumber("lr", bad, "train"), bad).toThrow(UsageError);
    }
  });
});

describe("parseFlags", () => {
  const specs = { lr: { type: "string", help: "" }, help: { type: "boolean", help: "" } } as const;
  it("reads --flag value, --flag=value, and a negative value after the flag", () => {
    expect(parseFlags("train", ["--lr", "0.5"], specs)).toEqual({ lr: "0.5" });
    expect(parseFlags("train", ["--lr=0.5"], specs)).toEqual({ lr: "0.5" });
    expect(parseFlags("train", ["--lr", "-0.5"], specs)).toEqual({ lr: "-0.5" });
  });
  it("names an unknown option and lists the valid ones", () => {
    expect(() => parseFlags("train", ["--rate", "1"], specs)).toThrow(
      "unknown option --rate; valid options: --lr, --help",
    );
  });
  it("rejects positional arguments", () => {
    expect(() => parseFlags("train", ["extra"], specs)).toThrow(/unexpected argument extra/);
  });
});

describe("parseTrainArgs", () => {
  it("defaults to the book's recipe", () => {
    expect(parseTrainArgs([], {}, createRegistry())).toEqual({
      backend: { name: "auto", from: "default" },
      epochs: 10,
      batchSize: 256,
      lr: 0.1,
      seed: 0,
      output: { json: false, quiet: false },
    });
  });
  it("reads every flag", () => {
    const settings = parseTrainArgs(
      [
        "--backend",
        "cpu",
        "--epochs",
        "3",
        "--batch-size",
        "64",
        "--lr",
        "0.05",
        "--seed",
        "9",
        "--data-dir",
        ".",
        "--out",
        "somewhere",
        "--json",
        "--quiet",
      ],
      {},
      createRegistry(),
    );
    expect(settings).toEqual({
      backend: { name: "cpu", from: "flag" },
      epochs: 3,
      batchSize: 64,
      lr: 0.05,
      seed: 9,
      dataDir: ".",
      out: "somewhere",
      output: { json: true, quiet: true },
    });
  });
  it("returns help for --help", () => {
    expect(parseTrainArgs(["--help"], {}, createRegistry())).toBe("help");
  });
});
