import { engine, env, getBackend, scalar, setBackend } from "@tensorflow/tfjs-core";
import { BackendUnavailableError } from "@tensorplug/core";
import { TFJS, type TfjsBackendName } from "./names.js";
import { isBrowser, isNode } from "./platform.js";
import { keepProcessListeners } from "./process-listeners.js";

/** What starting a tfjs backend may need from the caller. */
export interface EngineOptions {
  /**
   * Where the tfjs-backend-wasm `.wasm` files are served from: a directory path or URL prefix ending
   * in `/`. In Node the installed package's `dist/` is found by module resolution, so this is only
   * needed in a browser or a bundle that moves the files.
   */
  readonly wasmPaths?: string;
}

const TFJS_NODE = "@tensorflow/tfjs-node";
const WASM_SIMD = "tfjs-backend-wasm-simd.wasm";
const WASM_PLAIN = "tfjs-backend-wasm.wasm";

function unavailable(reason: string, fix: string): BackendUnavailableError {
  return new BackendUnavailableError(TFJS, reason, fix);
}

/** The first line of an error's message: Node's loader errors append a multi-line require stack. */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().split(/\r?\n/)[0]!.trim();
}

async function loadWasm(options: EngineOptions): Promise<void> {
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  // The binary is fetched once per process, at the first `setBackend("wasm")`; after that the paths no longer matter.
  if (engine().registry["wasm"] !== undefined) return;
  let prefix = options.wasmPaths;
  if (prefix === undefined && isNode()) {
    // tfjs picks the SIMD binary when WebAssembly SIMD validates (Node 16.4+), the plain one otherwise;
    // check that exactly that file is there, so a broken install names it instead of aborting inside Emscripten.
    const file = (await env().getAsync("WASM_HAS_SIMD_SUPPORT")) ? WASM_SIMD : WASM_PLAIN;
    const { installedWasmDir } = await import("./node-packages.js");
    const { dir, missing } = installedWasmDir([file]);
    if (missing.length > 0) {
      throw unavailable(
        `the wasm binary ${file} is missing from ${dir}`,
        "reinstall @tensorflow/tfjs-backend-wasm, or use --tfjs-backend cpu",
      );
    }
    prefix = dir;
  }
  if (prefix === undefined) return; // browser: tfjs looks next to its own script
  try {
    wasm.setWasmPaths(prefix);
  } catch (error) {
    // tfjs refuses new paths after a failed start; only a new process can try again.
    throw unavailable(
      `the wasm backend already failed to start in this process (${firstLine(error)})`,
      "fix the cause tfjs printed and start again, or use --tfjs-backend cpu",
    );
  }
}

async function loadCpu(): Promise<void> {
  await import("@tensorflow/tfjs-backend-cpu");
}

async function loadWebgl(): Promise<void> {
  if (!isBrowser()) {
    throw unavailable(
      'the tfjs backend "webgl" runs only in a browser (Node has no WebGL)',
      "use --tfjs-backend wasm (or cpu)",
    );
  }
  try {
    await import("@tensorflow/tfjs-backend-webgl");
  } catch (error) {
    throw unavailable(
      `the tfjs backend "webgl" needs @tensorflow/tfjs-backend-webgl, which did not load (${firstLine(error)})`,
      "npm install @tensorflow/tfjs-backend-webgl, or use --tfjs-backend wasm",
    );
  }
}

async function loadTensorflow(): Promise<void> {
  if (!isNode()) {
    throw unavailable(
      'the tfjs backend "tensorflow" runs only in Node (it binds the native libtensorflow)',
      "use --tfjs-backend webgl or wasm",
    );
  }
  const node = await import("./node-packages.js");
  if (node.resolvePackage(TFJS_NODE) === undefined) {
    throw unavailable(
      'the tfjs backend "tensorflow" needs @tensorflow/tfjs-node, which is not installed',
      "npm install @tensorflow/tfjs-node (it downloads libtensorflow at install time), or use --tfjs-backend wasm",
    );
  }
  try {
    // CommonJS, and loading it registers the "tensorflow" backend in the process-wide tfjs engine.
    node.requirePackage(TFJS_NODE);
  } catch (error) {
    throw unavailable(
      `@tensorflow/tfjs-node is installed but does not load (${firstLine(error)})`,
      "npm rebuild @tensorflow/tfjs-node (its install step downloads libtensorflow), or use --tfjs-backend wasm",
    );
  }
}

const LOADERS: Readonly<Record<TfjsBackendName, (options: EngineOptions) => Promise<void>>> = {
  wasm: loadWasm,
  cpu: loadCpu,
  webgl: loadWebgl,
  tensorflow: loadTensorflow,
};

const RETRY_FIX: Readonly<Record<TfjsBackendName, string>> = {
  wasm: "fix the cause tfjs printed above, or use --tfjs-backend cpu",
  cpu: "fix the cause tfjs printed above, or reinstall @tensorflow/tfjs-backend-cpu",
  webgl: "use --tfjs-backend wasm in a browser without usable WebGL",
  tensorflow: "npm rebuild @tensorflow/tfjs-node, or use --tfjs-backend wasm",
};

/**
 * Uses tfjs's cpu backend once with tfjs's `PROD` flag set, then restores the flag.
 *
 * Why: in Node, that backend prints a multi-line "install our node backend" banner through tfjs's
 * `warn` with its first tensor, which would land in the middle of a CLI's output (the advice is
 * already in our `--tfjs-backend tensorflow` error). tfjs's `warn` is silent while `PROD` (or
 * `IS_TEST`) is set, and `PROD` changes nothing else in tfjs-core 4.22. Setting it for good would
 * also hide the host's other tfjs warnings, so it is set only around this first write.
 */
function spendCpuFirstUse(): void {
  const flags = env();
  const prod = flags.getBool("PROD");
  flags.set("PROD", true);
  try {
    scalar(0).dispose();
  } finally {
    flags.set("PROD", prod);
  }
}

/**
 * Loads the package behind `name`, makes it tfjs's backend, and checks that it really is: tfjs's
 * `setBackend` reports a failed start by returning false (and leaving `getBackend()` set to the
 * name it failed on), so success means the instance exists and is the active one. Never falls back.
 */
export async function startEngine(name: TfjsBackendName, options: EngineOptions = {}): Promise<void> {
  await LOADERS[name](options);
  if (engine().registryFactory[name] === undefined) {
    throw unavailable(
      `loading the package of the tfjs backend "${name}" registered no backend of that name with @tensorflow/tfjs-core`,
      "install versions of the tfjs packages that match @tensorflow/tfjs-core 4.22",
    );
  }
  const started = await keepProcessListeners(() => setBackend(name));
  if (!started || engine().registry[name] === undefined || getBackend() !== name) {
    throw unavailable(`tfjs could not start its "${name}" backend`, RETRY_FIX[name]);
  }
  if (name === "cpu") spendCpuFirstUse();
}
