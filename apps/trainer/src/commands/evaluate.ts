import { relative } from "node:path";
import { SoftmaxRegression } from "@tensorplug/softmax";
import { modelPath, readModel } from "../artefacts/model-file.js";
import { chooseBackend, startBackend } from "../backend-choice.js";
import { loadTestSet } from "../data.js";
import type { Io } from "../io.js";
import { MODEL_FLAGS } from "../model-flags.js";
import { existingDirectory, type FlagSpecs, helpText, parseFlags } from "../options.js";
import { Output, outputMode } from "../output.js";
import { createRegistry } from "../registry.js";
import { ranName } from "../report.js";
import { scoreTestSet, type TestScore } from "../scoring.js";
import { UsageError } from "../usage-error.js";

const COMMAND = "evaluate";

export const EVALUATE_FLAGS: FlagSpecs = {
  ...MODEL_FLAGS,
  help: { type: "boolean", help: "show this help" },
};

export const EVALUATE_HELP = helpText(
  "tensorplug evaluate --model DIR [options]",
  "Scores a saved model on the test set, on any backend: accuracy, loss, per-class accuracy and the confusion matrix.",
  EVALUATE_FLAGS,
);

/** The confusion matrix as text: rows the true class, columns the predicted one, names cut to fit. */
export function confusionText(score: TestScore): string[] {
  const names = score.perClass.map((c) => c.name);
  const corner = "true \\ predicted";
  const rowName = Math.max(corner.length, ...names.map((n) => n.length));
  const cell = Math.max(5, ...score.confusion.flat().map((n) => String(n).length + 1));
  const head = `${corner.padEnd(rowName)} ${names.map((n) => n.slice(0, cell - 1).padStart(cell)).join("")}`;
  return [
    head,
    ...score.confusion.map(
      (row, t) => `${names[t]!.padEnd(rowName)} ${row.map((n) => String(n).padStart(cell)).join("")}`,
    ),
  ];
}

export async function evaluateCommand(args: readonly string[], io: Io): Promise<number> {
  const flags = parseFlags(COMMAND, args, EVALUATE_FLAGS);
  if (flags.help === true) {
    io.stdout.write(EVALUATE_HELP);
    return 0;
  }
  const text = (k: string) => (typeof flags[k] === "string" ? (flags[k] as string) : undefined);
  const modelArg = text("model");
  if (modelArg === undefined)
    throw new UsageError("--model DIR is required (a run folder written by tensorplug train)", COMMAND);
  const registry = createRegistry();
  const choice = chooseBackend(flags, io.env, registry, COMMAND);
  const dataDirArg = text("data-dir");
  const dataDir = dataDirArg === undefined ? undefined : existingDirectory("data-dir", dataDirArg, COMMAND);
  const path = modelPath(modelArg, COMMAND);
  const saved = readModel(path);
  const output = new Output(io, outputMode(flags));

  const { test, dir } = await loadTestSet(dataDir, io.env, output.progressBar());
  const backend = await startBackend(registry, choice);
  let score: TestScore;
  try {
    const model = new SoftmaxRegression(backend, saved.weights, saved.shape);
    try {
      score = await scoreTestSet(model, test, saved.labels);
    } finally {
      model.dispose();
    }
  } finally {
    await backend.close?.();
  }

  output.note(
    `model: ${relative(io.cwd ?? process.cwd(), path)} (trained on ${ranName(saved.backend.name, saved.backend.mode)}, ${saved.metrics.epochs} epochs, seed ${saved.seed}; saved test acc ${saved.metrics.testAccuracy.toFixed(4)})`,
  );
  output.note(`data: ${dir}; ${test.count} test images`);
  output.result(
    output.paint(
      "bold",
      `test acc ${score.accuracy.toFixed(4)} (${score.correct}/${score.count})  test loss ${score.loss.toFixed(4)}  on ${ranName(backend.name, backend.mode)}`,
    ),
  );
  output.result("per class:");
  const nameWidth = Math.max(...score.perClass.map((c) => c.name.length));
  for (const c of score.perClass) {
    const acc = c.accuracy.toFixed(4);
    output.result(
      `  ${c.name.padEnd(nameWidth)}  ${c.accuracy < 0.7 ? output.paint("red", acc) : acc}  (${c.correct}/${c.count})`,
    );
  }
  output.result("confusion matrix (rows: true class, columns: predicted):");
  for (const line of confusionText(score)) output.result(`  ${line}`);
  output.json({
    command: COMMAND,
    model: path,
    backend: { name: backend.name, mode: backend.mode },
    trainedOn: saved.backend,
    count: score.count,
    correct: score.correct,
    accuracy: score.accuracy,
    loss: score.loss,
    savedTestAccuracy: saved.metrics.testAccuracy,
    perClass: score.perClass,
    confusion: score.confusion,
  });
  return 0;
}
