import { runConformance } from "@tensorplug/conformance";
import { createGpujsBackend } from "./index.js";

runConformance({ name: "gpujs webasm", create: () => createGpujsBackend({ mode: "webasm" }) });
