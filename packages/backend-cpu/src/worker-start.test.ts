import { availableParallelism } from "node:os";
import { linearSoftmaxCrossEntropy, type Tensor, uploadBytes } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { imageProblem as problem } from "./image-problem.test-helper.js";
import { CpuBackend } from "./index.js";

// A file of its own: the kernels (and their worker) are the process's, made at the first call,
// so only here is the worker certain to be starting when the first calls come.

/** The bits of a fused step's loss, correct flags and gradients. */
async function step(backend: CpuBackend, p: ReturnType<typeof problem>): Promise<Uint32Array[]> {
  const x = uploadBytes(backend, p.bytes, [p.rows, 784], 1 / 255);
  const W = backend.upload(p.W, [784, 10]);
  const b = backend.upload(p.b, [1, 10]);
  const t = backend.upload(p.targets, [p.rows, 10]);
  const out = linearSoftmaxCrossEntropy(backend, x, W, b, t);
  const outputs: Tensor[] = [out.loss, out.correct, out.gradW, out.gradB];
  const values = await Promise.all(outputs.map((o) => backend.read(o)));
  for (const o of [...outputs, x, W, b, t]) backend.dispose(o);
  return values.map((v) => new Uint32Array(v.buffer));
}

describe("threads while the worker starts", () => {
  it("calls made while the worker comes up, and after, give the bits of one thread", async () => {
    // Large calls, back to back: the worker instantiates the module on the shared memory while
    // this thread is inside a kernel, which must not disturb what the kernel reads.
    const p = problem(1024, 41);
    const two = new CpuBackend({ threads: 2 });
    let ready: number | undefined;
    const calls: Uint32Array[][] = [await step(two, p)];
    void two.threadsReady().then((threads) => {
      ready = threads;
    });
    let afterReady = 0;
    while (afterReady < 10 && calls.length < 5000) {
      if (ready !== undefined) afterReady++;
      calls.push(await step(two, p));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(ready).toBe(availableParallelism() >= 2 ? 2 : 1);
    const alone = await step(new CpuBackend({ threads: 1 }), p);
    calls.forEach((outputs, call) => {
      outputs.forEach((bits, i) => {
        expect(bits, `call ${call}, output ${i}`).toEqual(alone[i]);
      });
    });
    expect(calls.length, "calls before the worker was up").toBeGreaterThan(10);
  });

  it("a backend of one thread is ready at once, with one", async () => {
    await expect(new CpuBackend({ threads: 1 }).threadsReady()).resolves.toBe(1);
  });
});
