import type { Backend } from "@tensorplug/core";
import { firstLine } from "./messages.js";

/** Input and expected row sums of the self-test: small integers, exact in any float format. */
const DATA = Float32Array.from([1, 2, 3, 4, 5, 6]);
const EXPECTED = [12, 30];

/**
 * Runs a tiny computation (upload, scale, row sums, read) through the backend's own kernel path,
 * so the guard against gpu.js's CPU fallback is exercised before anyone relies on the mode.
 * Returns what went wrong, or `undefined`; leaves no tensor behind.
 */
export async function selfTest(backend: Backend): Promise<string | undefined> {
  const made = [];
  try {
    const x = backend.upload(DATA, [2, 3]);
    made.push(x);
    const doubled = backend.mul(x, 2);
    made.push(doubled);
    const sums = backend.sum(doubled, 1);
    made.push(sums);
    const got = Array.from(await backend.read(sums));
    if (got.length !== EXPECTED.length || got.some((v, i) => v !== EXPECTED[i])) {
      return `a test kernel computed [${got.join(", ")}] instead of [${EXPECTED.join(", ")}]`;
    }
    return undefined;
  } catch (error) {
    return firstLine(error);
  } finally {
    for (const t of made) backend.dispose(t);
  }
}
