// The suite against the reference backend: every check must pass on backend-cpu. (Other backends
// run the suite from their own packages; backend-cpu's run lives here, next to the sabotage tests
// that break it, so that conformance -> softmax -> backend-cpu -> conformance is not a cycle.)
import { CpuBackend } from "@tensorplug/backend-cpu";
import { runConformance } from "../src/index.js";

runConformance({ name: "cpu", create: async () => new CpuBackend() });
