import { stat } from "node:fs/promises";
import { join } from "node:path";
import { DATA_FILES } from "./constants.js";

/** The four file names in a fixed order: train images, train labels, test images, test labels. */
export const ALL_FILES: readonly string[] = [
  DATA_FILES.trainImages,
  DATA_FILES.trainLabels,
  DATA_FILES.testImages,
  DATA_FILES.testLabels,
];

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Which of the four data files `dir` lacks (all four if `dir` does not exist). */
export async function missingFiles(dir: string): Promise<string[]> {
  const present = await Promise.all(ALL_FILES.map((name) => isFile(join(dir, name))));
  return ALL_FILES.filter((_, i) => !present[i]);
}
