import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

// What the two leak tests share: the backends and modes to load, and how memory is read.

// `gc` is reachable only with --expose-gc; turning the flag on now makes it so in a new context.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** The cycle: one epoch on 2,000 real training images, then 500 test images scored. */
export const TRAIN_IMAGES = 2000;
export const TEST_IMAGES = 500;

/** Process memory after two full collections: the V8 heap plus memory outside it (ArrayBuffers, wasm memories). */
export function settledMemory(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Least-squares slope of `ys` against their index: growth per cycle, robust to single outliers. */
export function slope(ys: readonly number[]): number {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

/** Memory readings as a failure message shows them. */
export const megabytes = (memory: readonly number[]) =>
  `memory ${memory.map((m) => (m / 1e6).toFixed(2)).join(" ")} MB`;

export interface Target {
  readonly label: string;
  readonly name: string;
  readonly mode?: string;
  readonly flags: string[];
}

/** Every backend and mode that runs here. */
export const TARGETS: readonly Target[] = [
  { label: "cpu", name: "cpu", flags: ["--backend", "cpu"] },
  { label: "tfjs wasm", name: "tfjs", mode: "wasm", flags: ["--backend", "tfjs", "--tfjs-backend", "wasm"] },
  { label: "tfjs cpu", name: "tfjs", mode: "cpu", flags: ["--backend", "tfjs", "--tfjs-backend", "cpu"] },
  {
    label: "gpujs webasm",
    name: "gpujs",
    mode: "webasm",
    flags: ["--backend", "gpujs", "--gpujs-mode", "webasm"],
  },
  { label: "gpujs cpu", name: "gpujs", mode: "cpu", flags: ["--backend", "gpujs", "--gpujs-mode", "cpu"] },
  // gpu.js on headless-gl needs a display (root `pnpm test` and CI run under xvfb-run).
  ...(process.env["DISPLAY"]
    ? [
        {
          label: "gpujs gpu",
          name: "gpujs",
          mode: "gpu",
          flags: ["--backend", "gpujs", "--gpujs-mode", "gpu"],
        },
      ]
    : []),
];
