import { BackendUnavailableError } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { claimEngine, claimedEngine } from "./engine-claim.js";

describe("claimEngine", () => {
  it("is shared by claims on the same tfjs backend and freed by the last release", () => {
    expect(claimedEngine()).toBeNull();
    const a = claimEngine("cpu");
    const b = claimEngine("cpu");
    expect(claimedEngine()).toBe("cpu");
    a();
    a(); // releasing twice does not release someone else's share
    expect(claimedEngine()).toBe("cpu");
    b();
    expect(claimedEngine()).toBeNull();
  });

  it("refuses another tfjs backend while claimed, naming the one that runs", () => {
    const release = claimEngine("wasm");
    try {
      expect(() => claimEngine("cpu")).toThrow(BackendUnavailableError);
      expect(() => claimEngine("cpu")).toThrow(/"wasm" is already running/);
    } finally {
      release();
    }
    const next = claimEngine("cpu");
    expect(claimedEngine()).toBe("cpu");
    next();
  });
});
