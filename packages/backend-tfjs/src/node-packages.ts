// Node-only helpers, loaded with `await import(...)` so that a browser bundle never sees `node:`.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";

// Resolution starts from this file, wherever it is installed (the workspace, a tarball unpacked
// into some app's node_modules): the current directory never matters.
const requireHere = createRequire(import.meta.url);

/** The resolved entry file of an installed package, or `undefined` when it is not installed. */
export function resolvePackage(name: string): string | undefined {
  try {
    return requireHere.resolve(name);
  } catch {
    return undefined;
  }
}

/** Loads a CommonJS package (tfjs-node is one) the way Node would, as an opaque value. */
export function requirePackage(name: string): unknown {
  return requireHere(name);
}

/**
 * The directory of the installed `@tensorflow/tfjs-backend-wasm` binaries, ending in a separator
 * because `setWasmPaths` prepends it to the file name, and which of `files` it lacks.
 */
export function installedWasmDir(files: readonly string[]): { dir: string; missing: string[] } {
  // The package's Node entry (dist/tf-backend-wasm.node.js) sits next to its .wasm files.
  const dir = dirname(requireHere.resolve("@tensorflow/tfjs-backend-wasm")) + sep;
  return { dir, missing: files.filter((f) => !existsSync(join(dir, f))) };
}
