import { getBackend, memory } from "@tensorflow/tfjs-core";
import { BackendUnavailableError, InvalidTensorError, type Tensor, TensorplugError } from "@tensorplug/core";
import { afterEach, describe, expect, it } from "vitest";
import { createTfjsBackend, TFJS_BACKENDS, TfjsBackend, tfjsBackendEntry } from "./index.js";

// Every test closes what it opens: tfjs has one engine per process (this file's worker), and an
// open instance would stop the next test from switching the engine to another tfjs backend.
const open: TfjsBackend[] = [];
async function start(backend?: string): Promise<TfjsBackend> {
  const b = await createTfjsBackend(backend === undefined ? {} : { backend });
  open.push(b);
  return b;
}
afterEach(() => {
  for (const b of open.splice(0)) b.close();
});

async function unavailable(backend: string): Promise<BackendUnavailableError> {
  const error: unknown = await createTfjsBackend({ backend }).then(
    () => new Error(`tfjs backend "${backend}" started`),
    (e: unknown) => e,
  );
  if (!(error instanceof BackendUnavailableError)) throw error;
  return error;
}

describe("starting a tfjs backend", () => {
  it("wasm starts here without adding process-wide error listeners (Emscripten's are removed)", async () => {
    const before = [process.listenerCount("uncaughtException"), process.listenerCount("unhandledRejection")];
    const b = await start("wasm");
    expect(b.mode).toBe("wasm");
    expect([process.listenerCount("uncaughtException"), process.listenerCount("unhandledRejection")]).toEqual(
      before,
    );
  });

  it.each(["wasm", "cpu"])("%s: mode is what tf.getBackend() reports, and name is tfjs", async (name) => {
    const b = await start(name);
    expect(b.name).toBe("tfjs");
    expect(b.mode).toBe(name);
    expect(getBackend()).toBe(name);
  });

  it("with no backend asked for, runs wasm here (tfjs-node is not installed)", async () => {
    const b = await start();
    expect(b.mode).toBe("wasm");
    expect(getBackend()).toBe("wasm");
  });

  it("refuses an unknown tfjs backend, listing the valid names", async () => {
    const e = await unavailable("webgpu");
    expect(e.backend).toBe("tfjs");
    expect(e.reason).toBe('unknown tfjs backend "webgpu"; valid values: tensorflow, wasm, cpu, webgl');
    expect(e.message).not.toContain("\n");
  });

  it("refuses tensorflow without @tensorflow/tfjs-node, in one line with the fix", async () => {
    const e = await unavailable("tensorflow");
    expect(e.reason).toBe(
      'the tfjs backend "tensorflow" needs @tensorflow/tfjs-node, which is not installed',
    );
    expect(e.fix).toBe(
      "npm install @tensorflow/tfjs-node (it downloads libtensorflow at install time), or use --tfjs-backend wasm",
    );
    expect(e.message).not.toContain("\n");
  });

  it("refuses webgl outside a browser, in one line with the fix", async () => {
    const e = await unavailable("webgl");
    expect(e.reason).toMatch(/"webgl" runs only in a browser/);
    expect(e.fix).toMatch(/--tfjs-backend wasm/);
    expect(e.message).not.toContain("\n");
  });

  it("never falls back: after a refusal, tfjs still runs what it ran before", async () => {
    await start("cpu");
    await unavailable("tensorflow");
    await unavailable("webgl");
    expect(getBackend()).toBe("cpu");
  });
});

describe("one tfjs engine per process", () => {
  it("refuses a second tfjs backend while the first is open, and starts it once that is closed", async () => {
    const first = await start("wasm");
    const e = await unavailable("cpu");
    expect(e.reason).toMatch(/"wasm" is already running/);
    expect(e.fix).toMatch(/close\(\) the open tfjs backend first/);
    expect(getBackend()).toBe("wasm");
    first.close();
    const second = await start("cpu");
    expect(second.mode).toBe("cpu");
    expect(getBackend()).toBe("cpu");
  });

  it("with no backend asked for while one is open, joins the running one", async () => {
    await start("cpu");
    expect((await start()).mode).toBe("cpu");
  });

  it("instances on the same tfjs backend share it but not their handles", async () => {
    const a = await start("wasm");
    const b = await start("wasm");
    const t = a.upload(Float32Array.from([1, 2, 3, 4]), [2, 2]);
    expect(() => b.neg(t)).toThrow(/made by another tfjs backend/);
    expect(() => b.dispose(t)).toThrow(InvalidTensorError);
    expect([a.live(), b.live()]).toEqual([1, 0]);
    b.close();
    expect(Array.from(await a.read(t))).toEqual([1, 2, 3, 4]);
  });

  it("stops with a clear error when tf.setBackend switched the engine under it", async () => {
    const b = await start("wasm");
    const t = b.upload(Float32Array.from([1, 2]), [1, 2]);
    await import("@tensorflow/tfjs-backend-cpu"); // registers "cpu", whichever test ran first
    const { setBackend } = await import("@tensorflow/tfjs-core");
    await setBackend("cpu");
    try {
      expect(() => b.exp(t)).toThrow(/tfjs now runs its "cpu" backend, not "wasm"/);
    } finally {
      await setBackend("wasm");
    }
    expect(Array.from(await b.read(b.exp(b.sub(t, t))))).toEqual([1, 1]);
  });
});

describe.each(["wasm", "cpu"])("TfjsBackend on %s", (name) => {
  it("declares float32, synchronous reads and its seven fused kernels", async () => {
    const b = await start(name);
    expect(b.caps.precision).toBe(32);
    expect(b.caps.syncRead).toBe(true);
    expect(typeof b.readSync).toBe("function");
    expect([...b.caps.fused].sort()).toEqual([
      "linearSoftmaxCrossEntropy",
      "linearSoftmaxLoss",
      "linearSoftmaxSgd",
      "logSoftmax",
      "softmax",
      "softmaxCrossEntropy",
      "uploadBytes",
    ]);
  });

  it("uploadBytes is exact with and without a divisor, and a later upload leaves an earlier one alone", async () => {
    const b = await start(name);
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    // 1/255 divides on the engine; 0.3 has no exact divisor and is scaled on the host.
    for (const scale of [1 / 255, 0.3]) {
      const first = b.uploadBytes(bytes, [16, 16], scale);
      const second = b.uploadBytes(bytes.slice().reverse(), [16, 16], scale);
      const want = Array.from(bytes, (v) => Math.fround(v * scale));
      expect(Array.from(await b.read(first))).toEqual(want);
      expect(Array.from(await b.read(second))).toEqual(want.slice().reverse());
    }
    expect(b.live()).toBe(4);
  });

  it("close() disposes every tensor it made: tf.memory().numTensors is back to its baseline", async () => {
    const b = await start(name);
    const baseline = memory().numTensors;
    const x = b.upload(Float32Array.from([1, -2, 3, 0.5, 5, -6]), [2, 3]);
    const { loss, grad } = b.softmaxCrossEntropy(x, b.upload(Float32Array.from([0, 1, 0, 0, 0, 1]), [2, 3]));
    b.concat([b.argmax(x), loss, b.sum(grad, 1)], 1);
    expect(b.live()).toBe(7); // x, onehot, loss, grad, argmax, sum, concat
    expect(memory().numTensors).toBe(baseline + 7);
    b.close();
    expect(b.live()).toBe(0);
    expect(memory().numTensors).toBe(baseline);
    b.close(); // idempotent
    expect(() => b.upload(Float32Array.from([1]), [1, 1])).toThrow(TensorplugError);
    expect(() => b.upload(Float32Array.from([1]), [1, 1])).toThrow(/was closed/);
    expect(() => b.neg(x)).toThrow(InvalidTensorError);
  });

  it("ops with scalar operands and multi-step kernels leave only their outputs in tfjs", async () => {
    const b = await start(name);
    const x = b.upload(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    const before = memory().numTensors;
    const outs = [
      b.add(x, 1),
      b.equal(x, 2),
      b.axpy(0.5, x, x),
      b.argmax(x),
      b.matmul(x, x, { transA: true }),
    ];
    expect(memory().numTensors).toBe(before + outs.length);
    for (const t of outs) b.dispose(t);
    expect(memory().numTensors).toBe(before);
  });

  it("refuses a disposed handle and a handle of another backend kind", async () => {
    const b = await start(name);
    const t = b.upload(Float32Array.from([1, 2]), [1, 2]);
    b.dispose(t);
    expect(() => b.exp(t)).toThrow(/^exp: tensor 1x2 was used after dispose/);
    expect(() => b.dispose(t)).toThrow(InvalidTensorError);
    await expect(b.read(t)).rejects.toThrow(InvalidTensorError);
    const alien: Tensor = { shape: [1, 2], backend: "cpu" };
    expect(() => b.neg(alien)).toThrow(/belongs to backend "cpu", not "tfjs"/);
    expect(b.live()).toBe(0);
  });

  it("reads float32 copies, also of compare and argmax results (cast without conversion on cpu)", async () => {
    const b = await start(name);
    const x = b.upload(Float32Array.from([3, 7, 7, 1]), [2, 2]);
    for (const t of [b.equal(x, 7), b.argmax(x), x]) {
      const data = await b.read(t);
      expect(data).toBeInstanceOf(Float32Array);
      data.fill(-1);
      expect(b.readSync!(t)).toBeInstanceOf(Float32Array);
    }
    expect(Array.from(await b.read(x))).toEqual([3, 7, 7, 1]);
    expect(Array.from(await b.read(b.argmax(x)))).toEqual([1, 0]);
  });
});

describe("tfjsBackendEntry", () => {
  it("is named tfjs, ranks above backend-cpu (10), and offers every tfjs backend as a mode", () => {
    expect(tfjsBackendEntry.name).toBe("tfjs");
    expect(tfjsBackendEntry.priority).toBeGreaterThan(10);
    expect(tfjsBackendEntry.modes).toEqual(TFJS_BACKENDS);
    expect(TFJS_BACKENDS).toEqual(["tensorflow", "wasm", "cpu", "webgl"]);
  });

  it("starts the mode it is given, and refuses an unknown one", async () => {
    const b = await tfjsBackendEntry.factory({ mode: "cpu" });
    try {
      expect(b).toBeInstanceOf(TfjsBackend);
      expect(b.mode).toBe("cpu");
    } finally {
      await b.close?.();
    }
    await expect(tfjsBackendEntry.factory({ mode: "gpu" })).rejects.toThrow(/unknown tfjs backend "gpu"/);
  });
});
