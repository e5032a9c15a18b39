import { runConformance } from "@tensorplug/conformance";
import { createTfjsBackend } from "./index.js";

// One file per tfjs backend: tfjs has one engine per process, and vitest gives each file its own worker.
runConformance({ name: "tfjs wasm", create: () => createTfjsBackend({ backend: "wasm" }), timeout: 60_000 });
