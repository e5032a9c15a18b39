import { TensorplugError } from "@tensorplug/core";
import { DatasetError } from "@tensorplug/fashion-mnist";
import { CliError } from "./cli-error.js";
import { backendsCommand } from "./commands/backends.js";
import { benchCommand } from "./commands/bench.js";
import { evaluateCommand } from "./commands/evaluate.js";
import { predictCommand } from "./commands/predict.js";
import { trainCommand } from "./commands/train.js";
import { type Io, println } from "./io.js";
import { UsageError } from "./usage-error.js";

type Command = (args: readonly string[], io: Io) => Promise<number>;

const COMMANDS: Readonly<Record<string, { run: Command; summary: string }>> = {
  train: { run: trainCommand, summary: "train softmax regression on Fashion-MNIST" },
  evaluate: { run: evaluateCommand, summary: "score a saved model on the test set, on any backend" },
  predict: { run: predictCommand, summary: "top 3 classes of a test image or a PNG" },
  backends: { run: backendsCommand, summary: "list backends and whether each starts here" },
  bench: { run: benchCommand, summary: "time every backend against the NumPy reference" },
};

/** The text of `tensorplug --help`: the commands and what each does. */
export const MAIN_HELP = `Usage: tensorplug <command> [options]

Softmax regression from scratch (d2l.ai) on Fashion-MNIST, on a compute backend picked at run time.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join("\n")}

Run 'tensorplug <command> --help' for a command's options.
`;

/**
 * Runs the CLI and returns the exit code: 0 on success, 2 for a usage mistake, 1 for anything
 * else the user can act on. Those print one line; only a bug in tensorplug prints a stack trace.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  // `pnpm bench -- --epochs 2` hands the separator through; it means nothing to us.
  const [name, ...args] = argv.filter((arg, i) => !(arg === "--" && i <= 1));
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(MAIN_HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  try {
    if (!command) {
      throw new UsageError(`unknown command "${name}"; valid commands: ${Object.keys(COMMANDS).join(", ")}`);
    }
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      const help = error.command ? `tensorplug ${error.command} --help` : "tensorplug --help";
      println(io.stderr, `tensorplug: ${error.message} (see '${help}')`);
      return 2;
    }
    if (error instanceof TensorplugError || error instanceof DatasetError || error instanceof CliError) {
      println(io.stderr, `tensorplug: ${error.message.replace(/\s*\n\s*/g, " ")}`);
      return 1;
    }
    if (isFileSystemError(error)) {
      println(io.stderr, `tensorplug: ${error.message}; check the path and its permissions`);
      return 1;
    }
    throw error;
  }
}

/** A failed file operation (EACCES, ENOSPC, EROFS, ...): the user's to fix, so one line, not a trace. */
function isFileSystemError(error: unknown): error is Error & { code: string; syscall: string } {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === "string" &&
    typeof (error as { syscall?: unknown }).syscall === "string"
  );
}
