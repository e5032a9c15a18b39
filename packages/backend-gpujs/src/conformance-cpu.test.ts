import { runConformance } from "@tensorplug/conformance";
import { createGpujsBackend } from "./index.js";

runConformance({ name: "gpujs cpu", create: () => createGpujsBackend({ mode: "cpu" }) });
