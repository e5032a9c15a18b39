import type { Check } from "../context.js";
import { capsChecks } from "./caps.js";
import { compositeChecks } from "./composites.js";
import { determinismChecks } from "./determinism.js";
import { elementwiseChecks } from "./elementwise.js";
import { layoutChecks } from "./layout.js";
import { leakChecks } from "./leaks.js";
import { linearChecks } from "./linear.js";
import { matmulChecks } from "./matmul.js";
import { memoryChecks } from "./memory.js";
import { modelShapeChecks } from "./model-shapes.js";
import { reductionChecks } from "./reductions.js";
import { rowsChecks } from "./rows.js";
import { shapeErrorChecks } from "./shape-errors.js";
import { stabilityChecks } from "./stability.js";
import { syncReadChecks } from "./sync-read.js";
import { trainingChecks } from "./training.js";
import { unaryChecks } from "./unary.js";

/** Every conformance check, primitives first so the first failure points at the lowest layer. */
export const conformanceChecks: readonly Check[] = [
  ...capsChecks,
  ...memoryChecks,
  ...matmulChecks,
  ...elementwiseChecks,
  ...unaryChecks,
  ...reductionChecks,
  ...layoutChecks,
  ...modelShapeChecks,
  ...compositeChecks,
  ...linearChecks,
  ...rowsChecks,
  ...stabilityChecks,
  ...shapeErrorChecks,
  ...leakChecks,
  ...trainingChecks,
  ...syncReadChecks,
  ...determinismChecks,
];
