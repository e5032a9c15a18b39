// The suite against the reference backend: every check must pass on backend-cpu, in both builds of
// its kernels. (Other backends run the suite from their own packages; backend-cpu's run lives here,
// next to the sabotage tests that break it, so that conformance -> softmax -> backend-cpu ->
// conformance is not a cycle.)
import { CpuBackend } from "@tensorplug/backend-cpu";
import { runConformance } from "../src/index.js";

runConformance({ name: "cpu", create: async () => new CpuBackend({ fusedMultiplyAdd: false }) });

// This package's tests run with relaxed SIMD (vitest.config.ts), so the fused build is the one
// checked here; a runtime without it would quietly check the other build twice.
runConformance({
  name: "cpu, fused multiply-add",
  create: async () => {
    const backend = new CpuBackend({ fusedMultiplyAdd: true });
    if (!backend.fusedMultiplyAdd)
      throw new Error("relaxed SIMD is off: run the tests with --experimental-wasm-relaxed-simd");
    return backend;
  },
});
