import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";
import { schemaErrors } from "./schemas.js";

/** One line on stderr, naming the problem, and no stack trace. */
function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split("\n");
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^tensorplug: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe("invalid input exits 2 with one line naming the problem and the valid values", () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    [
      "unknown backend",
      ["train", "--backend", "nope"],
      {},
      /unknown backend "nope"; valid values: auto, cpu, tfjs, gpujs \(/,
    ],
    [
      "unknown backend from env",
      ["train"],
      { TENSORPLUG_BACKEND: "nope" },
      /TENSORPLUG_BACKEND: unknown backend "nope"/,
    ],
    ["zero learning rate", ["train", "--lr", "0"], {}, /--lr must be a number greater than 0/],
    ["negative learning rate", ["train", "--lr", "-0.5"], {}, /--lr must be a number greater than 0/],
    ["non-numeric learning rate", ["train", "--lr", "fast"], {}, /--lr must be a number greater than 0/],
    ["fractional epochs", ["train", "--epochs", "1.5"], {}, /--epochs must be a whole number of at least 1/],
    ["zero epochs", ["train", "--epochs", "0"], {}, /--epochs must be a whole number of at least 1/],
    [
      "zero batch size",
      ["train", "--batch-size", "0"],
      {},
      /--batch-size must be a whole number of at least 1/,
    ],
    ["text batch size", ["train", "--batch-size", "many"], {}, /--batch-size must be a whole number/],
    ["negative seed", ["train", "--seed", "-1"], {}, /--seed must be a whole number of at least 0/],
    [
      "missing data dir",
      ["train", "--data-dir", "/no/such/dir"],
      {},
      /--data-dir \/no\/such\/dir: no such directory/,
    ],
    ["unknown option", ["train", "--epoch", "3"], {}, /unknown option --epoch; valid options: --backend/],
    ["missing value", ["train", "--epochs"], {}, /option --epochs needs a value/],
    [
      "unknown command",
      ["fly"],
      {},
      /unknown command "fly"; valid commands: train, evaluate, predict, backends, bench/,
    ],
    ["bench unknown backend", ["bench", "--backends", "cpu,nope"], {}, /--backends: unknown backend "nope"/],
    [
      "bench unknown mode",
      ["bench", "--backends", "gpujs:cuda"],
      {},
      /--backends: unknown mode "cuda" for gpujs/,
    ],
    [
      "evaluate unknown backend",
      ["evaluate", "--model", ".", "--backend", "nope"],
      {},
      /unknown backend "nope"/,
    ],
    [
      "predict bad index",
      ["predict", "--model", ".", "--index", "-1"],
      {},
      /--index must be a whole number of at least 0/,
    ],
    [
      "predict missing data dir",
      ["predict", "--model", ".", "--index", "1", "--data-dir", "/no/such"],
      {},
      /--data-dir \/no\/such: no such directory/,
    ],
    ["train --out is a file", ["train", "--out", "/etc/hostname"], {}, /--out \/etc\/hostname: not a folder/],
    ["bench --out is a file", ["bench", "--out", "/etc/hostname"], {}, /--out \/etc\/hostname: not a folder/],
  ];
  for (const [label, args, env, pattern] of cases) {
    it(label, () => {
      const result = runCli(args, env);
      expect(result.code, result.stderr).toBe(2);
      expectOneLineError(result.stderr, pattern);
      expect(result.stdout).toBe("");
    });
  }
});

describe("runtime problems exit 1 with one line", () => {
  it("a data directory without the data files says which files are missing", () => {
    const dir = mkdtempSync(join(tmpdir(), "tensorplug-empty-"));
    writeFileSync(join(dir, "README"), "not the data");
    const result = runCli(["train", "--epochs", "1", "--data-dir", dir]);
    expect(result.code, result.stderr).toBe(1);
    const errorLines = result.stderr
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("tensorplug:"));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/train-images-idx3-ubyte\.gz/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("a run folder that holds a run already", () => {
  for (const file of ["model.json", "checkpoint.json"]) {
    it(`is refused when it holds ${file}, which stays as it was, exit 2`, () => {
      const dir = mkdtempSync(join(tmpdir(), "tensorplug-earlier-run-"));
      writeFileSync(join(dir, file), "the earlier run's file");
      const result = runCli(["train", "--backend", "cpu", "--epochs", "1", "--out", dir]);
      expect(result.code, result.stderr).toBe(2);
      expectOneLineError(
        result.stderr,
        new RegExp(`holds a run already \\(${file.replace(".", "\\.")}\\); pass a new folder`),
      );
      expect(readFileSync(join(dir, file), "utf8")).toBe("the earlier run's file");
    });
  }
});

describe("a run folder that cannot be written", () => {
  it("is one line naming the path, exit 1", { timeout: 60_000 }, () => {
    // A folder inside a file cannot be made, whoever runs the test (root included).
    const file = join(mkdtempSync(join(tmpdir(), "tensorplug-file-")), "plain-file");
    writeFileSync(file, "not a folder");
    const result = runCli(["train", "--backend", "cpu", "--epochs", "1", "--out", join(file, "run")]);
    expect(result.code, result.stderr).toBe(1);
    const errorLines = result.stderr
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("tensorplug:"));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(
      /^tensorplug: ENOTDIR: .*plain-file\/run'; check the path and its permissions$/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("help", () => {
  for (const command of ["train", "evaluate", "predict", "backends", "bench"]) {
    it(`tensorplug ${command} --help lists its options and exits 0`, () => {
      const result = runCli([command, "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: tensorplug ${command}`));
      expect(result.stdout).toMatch(/--help/);
    });
  }
  it("train --help shows the book's defaults", () => {
    const { stdout } = runCli(["train", "--help"]);
    expect(stdout).toMatch(/--epochs N\s+passes over the training set \(default: 10\)/);
    expect(stdout).toMatch(/--batch-size N\s+examples per SGD step \(default: 256\)/);
    expect(stdout).toMatch(/--lr X\s+learning rate \(default: 0\.1\)/);
  });
  it("no command prints the command list and exits 2", () => {
    const result = runCli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/Commands:\n\s+train/);
  });
});

describe("tensorplug backends", () => {
  it("--json is a document valid against its schema, agreeing with the table", () => {
    const json = runCli(["backends", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(schemaErrors("backends-output", doc)).toBe("");
    expect(doc.backends.find((b: { name: string }) => b.name === "cpu")).toMatchObject({
      ok: true,
      mode: "cpu",
    });
    const firstOk = doc.backends.find((b: { ok: boolean }) => b.ok);
    expect(doc.auto).toEqual({ name: firstOk.name, mode: firstOk.mode });
  });
  it("colours only when asked, and never with NO_COLOR", () => {
    expect(runCli(["backends"]).stdout).not.toContain("\u001b[");
    expect(runCli(["backends"], { FORCE_COLOR: "1" }).stdout).toContain("\u001b[32mavailable\u001b[39m");
    expect(runCli(["backends"], { FORCE_COLOR: "1", NO_COLOR: "1" }).stdout).not.toContain("\u001b[");
  });
  it("lists every backend and mode, cpu available, and auto picking the first one that starts", () => {
    const result = runCli(["backends"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^cpu\s+cpu\s+30\s+available - TypeScript and WebAssembly/m);
    for (const mode of ["wasm", "cpu", "webgl", "tensorflow"]) {
      expect(result.stdout).toMatch(
        new RegExp(`^tfjs\\s+${mode}\\s+20\\s+(available|unavailable: .+ Fix: .+)$`, "m"),
      );
    }
    for (const mode of ["gpu", "webasm", "cpu"]) {
      expect(result.stdout).toMatch(
        new RegExp(`^gpujs\\s+${mode}\\s+10\\s+(available|unavailable: .+ Fix: .+)$`, "m"),
      );
    }
    const firstAvailable = /^(\w+)\s+(\w+)\s+\d+\s+available/m.exec(result.stdout);
    expect(firstAvailable).not.toBeNull();
    expect(result.stdout).toMatch(
      new RegExp(`auto picks: ${firstAvailable?.[1]} \\(${firstAvailable?.[2]}\\)`),
    );
  });
});
