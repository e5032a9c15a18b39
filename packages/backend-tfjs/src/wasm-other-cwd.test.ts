import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTfjsBackend, type TfjsBackend } from "./index.js";

// Its own file, so its own worker (vitest's forks pool, where chdir works) in which the wasm module
// has not been loaded yet: the binary is read for the first time while the working directory is an
// empty directory outside the workspace, where no node_modules can be found from the cwd.
describe("wasm started from another working directory", () => {
  const home = process.cwd();
  const elsewhere = mkdtempSync(join(tmpdir(), "tensorplug-cwd-"));
  let backend: TfjsBackend;

  beforeAll(async () => {
    process.chdir(elsewhere);
    backend = await createTfjsBackend({ backend: "wasm" });
  });

  afterAll(() => {
    backend?.close();
    process.chdir(home);
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it("starts and computes on wasm", async () => {
    expect(process.cwd()).toBe(elsewhere);
    expect(backend.mode).toBe("wasm");
    const a = backend.upload(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    const b = backend.upload(Float32Array.from([1, 0, 0, 1, 1, 1]), [3, 2]);
    expect(Array.from(await backend.read(backend.matmul(a, b)))).toEqual([4, 5, 10, 11]);
  });
});
