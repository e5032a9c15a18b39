import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findReferenceScript, parseReferenceOutput, REFERENCE_ENV } from "./numpy-reference.js";

describe("findReferenceScript", () => {
  const root = mkdtempSync(join(tmpdir(), "tensorplug-ref-"));
  const script = join(root, "shared", "bench", "numpy_reference.py");
  mkdirSync(join(root, "shared", "bench"), { recursive: true });
  writeFileSync(script, "print('reference')\n");
  const checkout = join(root, "checkout");
  mkdirSync(checkout);

  it("takes --reference first, then the environment, then ../shared beside the working directory", () => {
    const other = join(root, "other.py");
    writeFileSync(other, "");
    expect(findReferenceScript(other, { [REFERENCE_ENV]: script }, "/")).toBe(other);
    expect(findReferenceScript(undefined, { [REFERENCE_ENV]: other }, checkout)).toBe(other);
    expect(findReferenceScript(undefined, {}, checkout)).toBe(script);
  });

  it("skips candidates that do not exist", () => {
    expect(findReferenceScript(join(root, "missing.py"), { [REFERENCE_ENV]: "" }, checkout)).toBe(script);
  });

  it("from any working directory, finds the script beside the checkout the CLI lives in, or nothing", () => {
    const found = findReferenceScript(undefined, {}, "/");
    // The CLI's checkout is apps/trainer/../..; its neighbour shared/ exists on a developer machine
    // and in CI, but need not elsewhere: either way the answer never depends on the working directory.
    expect(found === undefined || found.endsWith(join("shared", "bench", "numpy_reference.py"))).toBe(true);
    expect(findReferenceScript(undefined, {}, tmpdir())).toBe(found);
  });
});

describe("parseReferenceOutput", () => {
  it("reads the load and train seconds and the last epoch's test accuracy", () => {
    const out =
      "epoch 1: loss 0.78 train acc 0.74 test acc 0.78\nepoch 2: loss 0.57 train acc 0.81 test acc 0.80\nload 1.42s train 0.31s\n";
    expect(parseReferenceOutput(out)).toEqual({ loadSeconds: 1.42, trainSeconds: 0.31, testAccuracy: 0.8 });
    expect(parseReferenceOutput("something else")).toBeUndefined();
  });
});
