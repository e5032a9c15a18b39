// A machine without headless-gl: the `gl` package is made unloadable in a child process (as when
// it is not installed, or its native build failed), then the built package is asked for every mode.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

interface Attempt {
  readonly ok: boolean;
  readonly mode?: string;
  readonly product?: number[];
  readonly passedOver?: { mode: string; reason: string; fix: string }[];
  readonly reason?: string;
  readonly fix?: string;
  readonly message?: string;
}

it("without the gl package, mode gpu says what is missing and how to get it; webasm, cpu and auto still work", () => {
  const stdout = execFileSync(
    process.execPath,
    ["--require", fixture("block-gl.cjs"), fixture("without-gl.mjs")],
    { encoding: "utf8", timeout: 60_000 },
  );
  const result = JSON.parse(stdout) as Record<"gpu" | "webasm" | "cpu" | "auto", Attempt>;
  expect(result.gpu.ok).toBe(false);
  expect(result.gpu.reason).toMatch(/^mode gpu: the optional "gl" package \(headless-gl\) is not installed/);
  expect(result.gpu.fix).toMatch(/apt-get install -y libxi-dev .*onlyBuiltDependencies.*--gpujs-mode webasm/);
  expect(result.gpu.message).not.toMatch(/\n/);
  const product = [4, 5, 10, 11];
  expect(result.webasm).toMatchObject({ ok: true, mode: "webasm", product });
  expect(result.cpu).toMatchObject({ ok: true, mode: "cpu", product });
  expect(result.auto).toMatchObject({ ok: true, mode: "webasm", product });
  expect(result.auto.passedOver).toEqual([{ mode: "gpu", reason: result.gpu.reason, fix: result.gpu.fix }]);
});
