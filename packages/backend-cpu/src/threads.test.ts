import { availableParallelism } from "node:os";
import {
  linearSoftmaxCrossEntropy,
  linearSoftmaxLoss,
  linearSoftmaxSgd,
  Random,
  softmax,
  type Tensor,
} from "@tensorplug/core";
import { describe, expect, it, vi } from "vitest";
import { uploadedProblem } from "./image-problem.test-helper.js";
import { CpuBackend } from "./index.js";
import { KernelThread } from "./kernel-thread.js";

async function run(backend: CpuBackend, rows: number, seed: number): Promise<Float32Array[]> {
  const { x, W, b, t } = uploadedProblem(backend, rows, seed);
  const step = linearSoftmaxCrossEntropy(backend, x, W, b, t);
  const product = backend.matmul(x, W);
  const outputs: Tensor[] = [step.loss, step.correct, step.gradW, step.gradB, product];
  const values = await Promise.all(outputs.map((o) => backend.read(o)));
  for (const o of [...outputs, x, W, b, t]) backend.dispose(o);
  return values;
}

describe("threads", () => {
  it("two threads start where there are two cores", () => {
    const expected = availableParallelism() >= 2 ? 2 : 1;
    expect(new CpuBackend({ threads: 2 }).threads).toBe(expected);
    expect(new CpuBackend({ threads: 1 }).threads).toBe(1);
  });

  it.each([false, true])(
    "give bitwise the results of one thread, for full, last and tiny batches (fused multiply-add: %s)",
    async (fusedMultiplyAdd) => {
      const one = new CpuBackend({ threads: 1, fusedMultiplyAdd });
      const two = new CpuBackend({ threads: 2, fusedMultiplyAdd });
      expect([one.fusedMultiplyAdd, two.fusedMultiplyAdd]).toEqual([fusedMultiplyAdd, fusedMultiplyAdd]);
      await two.threadsReady();
      for (const [rows, seed] of [
        [256, 1],
        [96, 2],
        [3, 3],
        [1, 4],
        [3000, 5],
      ] as const) {
        const [a, b] = [await run(one, rows, seed), await run(two, rows, seed)];
        a.forEach((values, i) => {
          expect(new Uint32Array(b[i]!.buffer), `${rows} rows, output ${i}`).toEqual(
            new Uint32Array(values.buffer),
          );
        });
      }
      expect(one.live()).toBe(0);
      expect(two.live()).toBe(0);
    },
  );

  it("a step gives the gradient of the plain ops and the step of axpy, for a batch and a large call", async () => {
    const backend = new CpuBackend({ threads: 2 });
    await backend.threadsReady();
    for (const rows of [256, 3000]) {
      const { x, W, b, t } = uploadedProblem(backend, rows, 6);
      const step = linearSoftmaxCrossEntropy(backend, x, W, b, t);
      // The same gradient from unfused ops: xᵀ (softmax(x W + b) - targets).
      const grad = backend.sub(softmax(backend, backend.add(backend.matmul(x, W), b)), t);
      const plain = await backend.read(backend.matmul(x, grad, { transA: true }));
      const fused = await backend.read(step.gradW);
      let largest = 0;
      for (let i = 0; i < plain.length; i++) largest = Math.max(largest, Math.abs(fused[i]! - plain[i]!));
      expect(largest, `${rows} rows`).toBeLessThan(1e-3);
      // And the fused SGD step on the same batch is that gradient put through axpy, bit for bit.
      const sgd = linearSoftmaxSgd(backend, x, W, b, t, -0.1 / rows);
      const viaAxpy = await backend.read(backend.axpy(-0.1 / rows, step.gradW, W));
      const stepped = await backend.read(sgd.W);
      expect(new Uint32Array(stepped.buffer), `${rows} rows`).toEqual(new Uint32Array(viaAxpy.buffer));
      const bViaAxpy = await backend.read(backend.axpy(-0.1 / rows, step.gradB, b));
      expect(Array.from(await backend.read(sgd.b)), `${rows} rows`).toEqual(Array.from(bViaAxpy));
      expect(Array.from(await backend.read(sgd.loss))).toEqual(Array.from(await backend.read(step.loss)));
    }
  });
});

describe("threads after the memory grows", () => {
  it("a call larger than the memory so far, then the usual ones, give the results of one thread", async () => {
    const one = new CpuBackend({ threads: 1 });
    const two = new CpuBackend({ threads: 2 });
    const workers = availableParallelism() >= 2 ? 2 : 1;
    expect(await two.threadsReady()).toBe(workers);
    const started = vi.spyOn(KernelThread, "start");
    // Each round asks for more memory than the one before (floats, not bytes: 4 bytes a value),
    // and trains a batch after it, so the worker runs on memory that grew since it last ran.
    for (const [rows, seed] of [
      [256, 21],
      [3000, 22],
      [256, 23],
      [6000, 24],
      [96, 25],
    ] as const) {
      const rng = new Random(seed);
      const x = rng.normalArray(rows * 784, 0, 1);
      const W = rng.normalArray(7840, 0, 0.05);
      const results = [];
      for (const backend of [one, two]) {
        const tx = backend.upload(x, [rows, 784]);
        const tW = backend.upload(W, [784, 10]);
        const product = backend.matmul(tx, tW);
        results.push(await backend.read(product));
        for (const t of [tx, tW, product]) backend.dispose(t);
      }
      expect(new Uint32Array(results[1]!.buffer), `${rows} rows`).toEqual(
        new Uint32Array(results[0]!.buffer),
      );
      const [a, b] = [await run(one, 256, seed), await run(two, 256, seed)];
      a.forEach((values, i) => {
        expect(new Uint32Array(b[i]!.buffer), `after ${rows} rows, output ${i}`).toEqual(
          new Uint32Array(values.buffer),
        );
      });
    }
    // The same worker went on after each growth: it caught up with the memory, not replaced.
    expect(started).not.toHaveBeenCalled();
    expect(two.threads).toBe(workers);
    started.mockRestore();
  });
});

describe("threads from call to call", () => {
  it("a short call followed by one with more chunks (an epoch's last batch, then scoring) stays exact", async () => {
    const one = new CpuBackend({ threads: 1 });
    const two = new CpuBackend({ threads: 2 });
    await two.threadsReady();
    const outputs = (backend: CpuBackend) => {
      const { x: x1, W: W1, b: b1, t: t1 } = uploadedProblem(backend, 96, 31);
      const { x: x2, W: W2, b: b2, t: t2 } = uploadedProblem(backend, 256, 32);
      const kept: Tensor[] = [];
      // A worker woken late for the 6-chunk call must not take part in the 16-chunk one after it.
      for (let round = 0; round < 150; round++) {
        const step = linearSoftmaxCrossEntropy(backend, x1, W1, b1, t1);
        const score = linearSoftmaxLoss(backend, x2, W2, b2, t2);
        const keep = round === 149;
        for (const t of [step.loss, step.correct, step.gradW, step.gradB, score.loss, score.correct]) {
          if (keep) kept.push(t);
          else backend.dispose(t);
        }
      }
      return { kept, inputs: [x1, W1, b1, t1, x2, W2, b2, t2] };
    };
    const [a, b] = [outputs(one), outputs(two)];
    for (let i = 0; i < a.kept.length; i++) {
      const [va, vb] = [await one.read(a.kept[i]!), await two.read(b.kept[i]!)];
      expect(new Uint32Array(vb.buffer), `output ${i}`).toEqual(new Uint32Array(va.buffer));
    }
    for (const t of [...a.kept, ...a.inputs]) one.dispose(t);
    for (const t of [...b.kept, ...b.inputs]) two.dispose(t);
    expect([one.live(), two.live()]).toEqual([0, 0]);
  });
});

describe("threads over many steps", () => {
  it("three hundred SGD steps on two threads end at the weights of one thread, to the bit", async () => {
    // Calls follow each other as in training, so the worker, looking for the next call, often
    // claims a call's first chunk before the caller does: a part added into chunk 0's before its
    // own was done would show here (it did, as a weight hash that changed from run to run).
    const results: Uint32Array[] = [];
    for (const threads of [1, 2] as const) {
      const backend = new CpuBackend({ threads });
      await backend.threadsReady();
      const uploaded = uploadedProblem(backend, 256, 31);
      const { x, t } = uploaded;
      let { W, b } = uploaded;
      for (let step = 0; step < 300; step++) {
        const next = linearSoftmaxSgd(backend, x, W, b, t, -0.1 / 256);
        for (const old of [W, b, next.loss, next.correct]) backend.dispose(old);
        W = next.W;
        b = next.b;
      }
      results.push(new Uint32Array((await backend.read(W)).buffer));
      for (const h of [x, t, W, b]) backend.dispose(h);
    }
    expect(results[1]).toEqual(results[0]);
  });
});

describe("the step of the weights on the worker", () => {
  it("is finished before its weights are read, before other calls use the memory, and when they are disposed", async () => {
    const one = new CpuBackend({ threads: 1 });
    const two = new CpuBackend({ threads: 2 });
    await two.threadsReady();
    const results: Uint32Array[][] = [];
    for (const backend of [one, two]) {
      const { x, W, b, t } = uploadedProblem(backend, 256, 51);
      const other = uploadedProblem(backend, 512, 52);
      // A step whose weights another call's operands are laid over right after.
      const first = linearSoftmaxSgd(backend, x, W, b, t, -0.1 / 256);
      const product = backend.matmul(other.x, other.W);
      // A step whose weights are disposed at once (their floats then serve the next step).
      const second = linearSoftmaxSgd(backend, x, first.W, first.b, t, -0.1 / 256);
      const secondW = backend.readSync(second.W);
      backend.dispose(second.W);
      const third = linearSoftmaxSgd(backend, x, first.W, first.b, t, -0.1 / 256);
      results.push(
        [backend.readSync(first.W), backend.readSync(product), secondW, backend.readSync(third.W)].map(
          (values) => new Uint32Array(values.buffer),
        ),
      );
      expect(secondW).toEqual(backend.readSync(third.W));
    }
    expect(results[1]).toEqual(results[0]);
  });
});
