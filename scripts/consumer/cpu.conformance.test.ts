// A backend author's test, run by scripts/consumer-test.sh with vitest in a fresh project that has
// @tensorplug/core, @tensorplug/conformance and @tensorplug/backend-cpu installed from their
// tarballs: the published conformance suite must run, and the published CPU backend must pass it.
import { CpuBackend } from "@tensorplug/backend-cpu";
import { runConformance } from "@tensorplug/conformance";

runConformance({ name: "cpu from its tarball", create: async () => new CpuBackend() });
