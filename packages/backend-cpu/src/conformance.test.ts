import { runConformance } from "@tensorplug/conformance";
import { CpuBackend } from "./index.js";

runConformance({ name: "cpu", create: async () => new CpuBackend() });
