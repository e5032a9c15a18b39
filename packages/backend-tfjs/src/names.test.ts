import { BackendUnavailableError } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { isTfjsBackendName, parseTfjsBackendName, TFJS_BACKENDS } from "./names.js";

describe("tfjs backend names", () => {
  it("accepts exactly the four tfjs backends", () => {
    for (const name of TFJS_BACKENDS) expect(parseTfjsBackendName(name)).toBe(name);
    for (const name of ["", "WASM", "gpu", "webgpu", "node"]) expect(isTfjsBackendName(name)).toBe(false);
  });

  it("refuses anything else with a BackendUnavailableError listing the valid names", () => {
    expect(() => parseTfjsBackendName("wasm-simd")).toThrow(BackendUnavailableError);
    expect(() => parseTfjsBackendName("wasm-simd")).toThrow(
      'backend "tfjs" cannot start: unknown tfjs backend "wasm-simd"; valid values: tensorflow, wasm, cpu, webgl. Fix: use --tfjs-backend tensorflow|wasm|cpu|webgl',
    );
  });
});
