import { existsSync } from "node:fs";
import { isAbsolute, join, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { installedWasmDir, resolvePackage } from "./node-packages.js";

describe("locating installed packages", () => {
  it("finds the wasm binaries in the installed tfjs-backend-wasm, as an absolute prefix ending in a separator", () => {
    const { dir, missing } = installedWasmDir(["tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm.wasm"]);
    expect(isAbsolute(dir)).toBe(true);
    expect(dir.endsWith(sep)).toBe(true);
    expect(dir).toContain(join("@tensorflow", "tfjs-backend-wasm", "dist"));
    expect(missing).toEqual([]);
    expect(existsSync(`${dir}tfjs-backend-wasm-simd.wasm`)).toBe(true);
  });

  it("names the binaries it cannot find", () => {
    expect(installedWasmDir(["tfjs-backend-wasm-simd.wasm", "no-such.wasm"]).missing).toEqual([
      "no-such.wasm",
    ]);
  });

  it("tells installed packages from missing ones", () => {
    expect(resolvePackage("@tensorflow/tfjs-core")).toBeDefined();
    expect(resolvePackage("@tensorflow/tfjs-node")).toBeUndefined();
  });
});
