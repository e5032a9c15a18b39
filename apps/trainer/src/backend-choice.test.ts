import { describe, expect, it } from "vitest";
import { chooseBackend } from "./backend-choice.js";
import { createRegistry } from "./registry.js";

const registry = createRegistry();
const choose = (flags: Record<string, string>, env: Record<string, string> = {}) =>
  chooseBackend(flags, env, registry, "train");

describe("chooseBackend: --backend > TENSORPLUG_BACKEND > auto", () => {
  it("the flag wins over the environment", () => {
    expect(choose({ backend: "cpu" }, { TENSORPLUG_BACKEND: "tfjs" })).toEqual({ name: "cpu", from: "flag" });
  });
  it("the environment is used without a flag", () => {
    expect(choose({}, { TENSORPLUG_BACKEND: "gpujs" })).toEqual({ name: "gpujs", from: "env" });
  });
  it("auto without either; an empty variable counts as unset", () => {
    expect(choose({}).name).toBe("auto");
    expect(choose({}, { TENSORPLUG_BACKEND: " " }).name).toBe("auto");
  });
  it("an unknown name lists the valid ones and says where it came from", () => {
    expect(() => choose({ backend: "gpu" })).toThrow(
      '--backend: unknown backend "gpu"; valid values: auto, cpu, tfjs, gpujs',
    );
    expect(() => choose({}, { TENSORPLUG_BACKEND: "gpu" })).toThrow(
      /^TENSORPLUG_BACKEND: unknown backend "gpu"/,
    );
  });
});

describe("mode flags", () => {
  it("pass the mode of the chosen backend", () => {
    expect(choose({ backend: "gpujs", "gpujs-mode": "webasm" })).toEqual({
      name: "gpujs",
      mode: "webasm",
      from: "flag",
    });
    expect(choose({ "tfjs-backend": "cpu" }, { TENSORPLUG_BACKEND: "tfjs" })).toEqual({
      name: "tfjs",
      mode: "cpu",
      from: "env",
    });
  });
  it("reject an unknown mode, listing the valid ones", () => {
    expect(() => choose({ backend: "gpujs", "gpujs-mode": "webgpu" })).toThrow(
      '--gpujs-mode: unknown mode "webgpu"; valid values: gpu, webasm, cpu',
    );
    expect(() => choose({ backend: "tfjs", "tfjs-backend": "cuda" })).toThrow(
      '--tfjs-backend: unknown mode "cuda"; valid values: wasm, cpu, webgl, tensorflow',
    );
  });
  it("reject a mode flag for a backend that was not chosen", () => {
    expect(() => choose({ backend: "cpu", "gpujs-mode": "cpu" })).toThrow(
      "--gpujs-mode applies to --backend gpujs, but the backend is cpu",
    );
    expect(() => choose({ "tfjs-backend": "wasm" })).toThrow(
      "--tfjs-backend applies to --backend tfjs, but the backend is auto",
    );
  });
});
