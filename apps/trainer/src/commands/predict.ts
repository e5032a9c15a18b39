import { relative } from "node:path";
import { IMAGE_SIZE } from "@tensorplug/fashion-mnist";
import { SoftmaxRegression } from "@tensorplug/softmax";
import { modelPath, readModel } from "../artefacts/model-file.js";
import { chooseBackend, startBackend } from "../backend-choice.js";
import { loadTestSet } from "../data.js";
import { describePng, readImageArg } from "../image-input.js";
import type { Io } from "../io.js";
import { MODEL_FLAGS } from "../model-flags.js";
import { existingDirectory, type FlagSpecs, helpText, nonNegativeInteger, parseFlags } from "../options.js";
import { Output, outputMode } from "../output.js";
import { createRegistry } from "../registry.js";
import { ranName } from "../report.js";
import { UsageError } from "../usage-error.js";

const COMMAND = "predict";

export const PREDICT_FLAGS: FlagSpecs = {
  ...MODEL_FLAGS,
  index: { type: "string", value: "N", help: "classify test image N (0 is the first)" },
  image: { type: "string", value: "FILE", help: "classify a PNG (converted to 28x28 gray if it is not)" },
  help: { type: "boolean", help: "show this help" },
};

export const PREDICT_HELP = helpText(
  "tensorplug predict --model DIR (--index N | --image FILE.png) [options]",
  "Prints the three most likely classes of one image, with their probabilities.",
  PREDICT_FLAGS,
);

/** The top classes of a probability vector, most likely first (ties: the lower class first). */
export function topClasses(
  probabilities: Float32Array,
  labels: readonly string[],
  count = 3,
): { label: number; name: string; probability: number }[] {
  return Array.from(probabilities, (p, label) => ({
    label,
    name: labels[label] ?? String(label),
    probability: p,
  }))
    .sort((a, b) => b.probability - a.probability || a.label - b.label)
    .slice(0, count);
}

export async function predictCommand(args: readonly string[], io: Io): Promise<number> {
  const flags = parseFlags(COMMAND, args, PREDICT_FLAGS);
  if (flags.help === true) {
    io.stdout.write(PREDICT_HELP);
    return 0;
  }
  const text = (k: string) => (typeof flags[k] === "string" ? (flags[k] as string) : undefined);
  const modelArg = text("model");
  if (modelArg === undefined)
    throw new UsageError("--model DIR is required (a run folder written by tensorplug train)", COMMAND);
  const indexArg = text("index");
  const imageArg = text("image");
  if ((indexArg === undefined) === (imageArg === undefined)) {
    throw new UsageError("give exactly one of --index N (a test image) or --image FILE.png", COMMAND);
  }
  const registry = createRegistry();
  const choice = chooseBackend(flags, io.env, registry, COMMAND);
  const dataDirArg = text("data-dir");
  const dataDir = dataDirArg === undefined ? undefined : existingDirectory("data-dir", dataDirArg, COMMAND);
  const index = indexArg === undefined ? undefined : nonNegativeInteger("index", indexArg, COMMAND);
  const image = imageArg === undefined ? undefined : readImageArg(imageArg, COMMAND);
  const path = modelPath(modelArg, COMMAND);
  const saved = readModel(path);
  const output = new Output(io, outputMode(flags));

  let x: Float32Array;
  let input: Record<string, unknown>;
  let heading: string;
  const notes: string[] = [];
  if (index !== undefined) {
    const { test } = await loadTestSet(dataDir, io.env, output.progressBar(), (count) => {
      if (index >= count) {
        throw new UsageError(`--index ${index}: the test set has ${count} images, 0..${count - 1}`, COMMAND);
      }
    });
    x = new Float32Array(IMAGE_SIZE);
    for (let p = 0; p < IMAGE_SIZE; p++) x[p] = test.images[index * IMAGE_SIZE + p]! / 255;
    const truth = test.labels[index]!;
    const trueName = saved.labels[truth] ?? String(truth);
    input = { kind: "index", index, trueLabel: truth, trueName };
    heading = `test image #${index} (true: ${trueName})`;
  } else {
    const { png, input: converted } = image!;
    x = converted.x;
    const described = describePng(png);
    heading =
      converted.conversion.length === 0
        ? `${imageArg} (${described}, read as is)`
        : `${imageArg} (${described}; converted: ${converted.conversion.join(", ")})`;
    if (converted.borderMean > 0.5) {
      notes.push(
        "note: the image has a light background; Fashion-MNIST garments are light on black, so invert it for a fair guess",
      );
    }
    input = {
      kind: "image",
      path: imageArg,
      width: converted.width,
      height: converted.height,
      colorType: converted.colorType,
      bitDepth: converted.bitDepth,
      converted: converted.conversion.length > 0,
      conversion: converted.conversion,
      lightBackground: converted.borderMean > 0.5,
    };
  }

  const backend = await startBackend(registry, choice);
  let probabilities: Float32Array;
  try {
    const model = new SoftmaxRegression(backend, saved.weights, saved.shape);
    try {
      probabilities = (await model.predict(x, 1))[0]!.probabilities;
    } finally {
      model.dispose();
    }
  } finally {
    await backend.close?.();
  }
  const top = topClasses(probabilities, saved.labels);
  const shownPath = relative(io.cwd ?? process.cwd(), path);
  output.note(
    `model: ${shownPath} (trained on ${ranName(saved.backend.name, saved.backend.mode)}); running on ${ranName(backend.name, backend.mode)}`,
  );
  output.result(`image: ${heading}`);
  for (const note of notes) output.note(note);
  const width = Math.max(...top.map((t) => t.name.length));
  top.forEach((t, i) => {
    const line = `${i + 1}. ${t.name.padEnd(width)}  ${(t.probability * 100).toFixed(1).padStart(5)}%`;
    output.result(i === 0 ? output.paint("bold", line) : line);
  });
  output.json({
    command: COMMAND,
    model: path,
    backend: { name: backend.name, mode: backend.mode },
    input,
    top,
    probabilities: Array.from(probabilities),
  });
  return 0;
}
