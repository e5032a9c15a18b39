import { createCpuBackend } from "@tensorplug/backend-cpu";
import { BackendRegistry } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { chooseBackend } from "./backend-choice.js";

function registry(): BackendRegistry {
  const r = new BackendRegistry();
  r.register({ name: "cpu", priority: 10, description: "", factory: async () => createCpuBackend() });
  r.register({ name: "other", priority: 20, description: "", factory: async () => createCpuBackend() });
  return r;
}

describe("chooseBackend: --backend > TENSORPLUG_BACKEND > auto", () => {
  it("the flag wins over the environment", () => {
    expect(chooseBackend("cpu", { TENSORPLUG_BACKEND: "other" }, registry(), "train")).toEqual({
      name: "cpu",
      from: "flag",
    });
  });
  it("the environment is used without a flag", () => {
    expect(chooseBackend(undefined, { TENSORPLUG_BACKEND: "other" }, registry(), "train")).toEqual({
      name: "other",
      from: "env",
    });
  });
  it("auto without either; an empty variable counts as unset", () => {
    expect(chooseBackend(undefined, {}, registry(), "train").name).toBe("auto");
    expect(chooseBackend(undefined, { TENSORPLUG_BACKEND: " " }, registry(), "train").name).toBe("auto");
  });
  it("an unknown name lists the valid ones and says where it came from", () => {
    expect(() => chooseBackend("gpu", {}, registry(), "train")).toThrow(
      '--backend: unknown backend "gpu"; valid values: auto, other, cpu',
    );
    expect(() => chooseBackend(undefined, { TENSORPLUG_BACKEND: "gpu" }, registry(), "train")).toThrow(
      /^TENSORPLUG_BACKEND: unknown backend "gpu"/,
    );
  });
});
