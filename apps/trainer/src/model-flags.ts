import { BACKEND_FLAGS } from "./backend-choice.js";
import type { FlagSpecs } from "./options.js";
import { OUTPUT_FLAGS } from "./output.js";

/** Flags of the commands that use a saved model: which model, which backend runs it, where the data is. */
export const MODEL_FLAGS: FlagSpecs = {
  model: { type: "string", value: "DIR", help: "run folder written by tensorplug train (or its model.json)" },
  ...BACKEND_FLAGS,
  "data-dir": { type: "string", value: "DIR", help: "Fashion-MNIST directory (env TENSORPLUG_DATA_DIR)" },
  ...OUTPUT_FLAGS,
};
