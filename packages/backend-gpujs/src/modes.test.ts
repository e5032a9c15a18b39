import { BackendUnavailableError } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { GPUJS_MODES, parseMode } from "./modes.js";

describe("parseMode", () => {
  it("lists the modes best first", () => {
    expect(GPUJS_MODES).toEqual(["gpu", "webasm", "cpu"]);
  });

  it("accepts each mode, and reads undefined, auto and best as 'the best that starts'", () => {
    for (const mode of GPUJS_MODES) expect(parseMode(mode)).toBe(mode);
    expect(parseMode(undefined)).toBeUndefined();
    expect(parseMode("auto")).toBeUndefined();
    expect(parseMode("best")).toBeUndefined();
  });

  it.each(["webgl", "GPU", "", "webgpu", "headlessgl"])("refuses %j, listing the valid modes", (mode) => {
    expect(() => parseMode(mode)).toThrow(BackendUnavailableError);
    expect(() => parseMode(mode)).toThrow(`unknown gpu.js mode "${mode}"; valid modes: gpu, webasm, cpu`);
  });
});
