// The conformance suite must have teeth: each test breaks one thing in an otherwise correct CPU
// backend and checks that the matching conformance check fails, with a message naming the problem.

import { CpuBackend, type CpuTensor } from "@tensorplug/backend-cpu";
import type { Backend, Operand, Tensor } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { type Check, type CheckContext, conformanceChecks, toleranceFor } from "../src/index.js";

/** A CPU backend with some members replaced; everything else is the real, bound method. */
function sabotaged(replace: (real: CpuBackend) => Partial<Record<keyof Backend, unknown>>): Backend {
  const real = new CpuBackend();
  const replaced: Record<PropertyKey, unknown> = replace(real);
  return new Proxy(real, {
    get(target, key) {
      if (Object.hasOwn(replaced, key)) return replaced[key];
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function check(name: string): Check {
  const found = conformanceChecks.find((c) => c.name === name);
  if (!found) throw new Error(`no conformance check named "${name}"`);
  return found;
}

function context(backend: Backend): CheckContext {
  return { backend, tolerance: toleranceFor(32), numRuns: 30, seed: undefined };
}

/** Runs the named check against `backend` and returns the failure message. */
async function failureOf(backend: Backend, name: string): Promise<string> {
  try {
    await check(name).run(context(backend));
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error(`check "${name}" passed against a sabotaged backend`);
}

/** Host-side rewrite of an op: read the real output, change it, upload the result in its place. */
function rewrite(real: CpuBackend, out: Tensor, change: (data: Float32Array) => void): Tensor {
  const data = real.readSync(out);
  real.dispose(out);
  change(data);
  return real.upload(data, out.shape);
}

describe("the conformance suite catches a sabotaged backend", () => {
  it("argmax that breaks ties towards the highest index", async () => {
    const backend = sabotaged((real) => ({
      argmax: (x: Tensor) => {
        const [m, n] = x.shape;
        const data = real.readSync(x);
        const out = new Float32Array(m);
        for (let i = 0; i < m; i++)
          for (let j = 1; j < n; j++) if (data[i * n + j]! >= data[i * n + out[i]!]!) out[i] = j;
        return real.upload(out, [m, 1]);
      },
    }));
    expect(await failureOf(backend, "argmax breaks ties towards the lowest index")).toMatch(
      /argmax of \d+x\d+/,
    );
    expect(
      await failureOf(backend, "argmax ties pick the lowest index: [3,7,7,1] → 1, all equal → 0"),
    ).toMatch(/element \[0,0\] is 2, reference 1/);
  });

  it("matmul that ignores transB", async () => {
    const backend = sabotaged((real) => ({
      matmul: (a: Tensor, b: Tensor, opts: { transA?: boolean; transB?: boolean } = {}) => {
        if (!opts.transB) return real.matmul(a, b, opts);
        // Reinterprets b's storage as [k,n] instead of transposing it: right shape, wrong values.
        const [r, c] = b.shape;
        const raw = real.upload(real.readSync(b), [c, r]);
        try {
          return real.matmul(a, raw, { transA: opts.transA ?? false });
        } finally {
          real.dispose(raw);
        }
      },
    }));
    expect(await failureOf(backend, "op(a)·op(b) with transA=false, transB=true")).toMatch(
      /matmul transB \d+x\d+ · \d+x\d+/,
    );
  });

  it("a row broadcast that reads the column index", async () => {
    const backend = sabotaged((real) => ({
      add: (a: Tensor, b: Operand) => {
        if (typeof b === "number" || b.shape[0] !== 1 || a.shape[0] === 1) return real.add(a, b);
        const [m, n] = a.shape;
        const bias = real.readSync(b);
        return rewrite(real, real.add(a, 0), (d) => {
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) d[i * n + j]! += bias[Math.min(i, n - 1)]!;
        });
      },
    }));
    expect(await failureOf(backend, "add with a [1,n] row right operand")).toMatch(
      /add \d+x\d+ · 1x\d+ \(row\)/,
    );
  });

  it("a fused softmax without the max shift overflows at ±1000", async () => {
    const naive = sabotaged((real) => ({
      caps: { ...real.caps, fused: new Set(["softmax", "softmaxCrossEntropy"]) },
      softmax: (z: Tensor) => {
        const [m, n] = z.shape;
        return rewrite(real, real.exp(z), (d) => {
          for (let i = 0; i < m; i++) {
            const row = d.subarray(i * n, (i + 1) * n);
            const total = row.reduce((s, v) => s + v, 0);
            row.forEach((v, j) => {
              row[j] = v / total;
            });
          }
        });
      },
    }));
    expect(
      await failureOf(naive, "logits of ±1000 give finite softmax rows summing to 1 and a finite loss"),
    ).toMatch(/softmax of 5x3 logits .*: element #\d+ is NaN/);
  });

  it("caps that promise a scoring batch of no rows", async () => {
    const backend = sabotaged((real) => ({ caps: { ...real.caps, scoreRows: 0 } }));
    expect(
      await failureOf(
        backend,
        "name, mode, precision, syncRead, fused and scoreRows agree with the methods present",
      ),
    ).toMatch(/caps.scoreRows is 0, not a positive integer/);
  });

  it("an op that leaks an intermediate handle", async () => {
    const backend = sabotaged((real) => ({
      sum: (x: Tensor, axis: 0 | 1) => {
        real.neg(x); // never disposed
        return real.sum(x, axis);
      },
    }));
    expect(await failureOf(backend, "sum along axis 1 keeps the axis")).toMatch(/live\(\) went up by 2/);
    expect(
      await failureOf(backend, "every op raises live() by exactly its outputs, and dispose lowers it back"),
    ).toMatch(/sum axis 0: live\(\) rose by 2, expected 1/);
  });

  it("an op that writes into its input", async () => {
    const backend = sabotaged((real) => ({
      neg: (x: Tensor) => {
        const out = real.neg(x);
        // Simulates an in-place kernel: the input's storage now holds the output too.
        const storage = (x as CpuTensor).data;
        if (storage instanceof Float32Array) storage.set(real.readSync(out));
        return out;
      },
    }));
    expect(await failureOf(backend, "neg")).toMatch(/neg \d+x\d+: input #0 \(\d+x\d+\) was mutated/);
  });

  it("read that hands out the backend's own storage", async () => {
    const backend = sabotaged(() => ({
      read: async (t: Tensor) => (t as CpuTensor).data,
    }));
    expect(await failureOf(backend, "read returns a copy: mutating it leaves the tensor alone")).toMatch(
      /read-then-mutate/,
    );
  });

  it("sums accumulated with float16-like rounding", async () => {
    const backend = sabotaged((real) => ({
      sum: (x: Tensor, axis: 0 | 1) =>
        rewrite(real, real.sum(x, axis), (d) => {
          for (let i = 0; i < d.length; i++) d[i] = Number(d[i]!.toPrecision(3));
        }),
    }));
    expect(await failureOf(backend, "sum along axis 0 keeps the axis")).toMatch(/off by .* allowed/);
  });

  it("a kernel that is not deterministic", async () => {
    let calls = 0;
    const backend = sabotaged((real) => ({
      exp: (x: Tensor) =>
        rewrite(real, real.exp(x), (d) => {
          calls++;
          if (calls % 2 === 0) d[0] = Math.fround(d[0]! * (1 + 2 ** -20));
        }),
    }));
    expect(
      await failureOf(backend, "every op, run twice on the same inputs, gives bitwise-equal results"),
    ).toMatch(/exp output #0: element #0/);
  });

  it("axpy that skips the shape check", async () => {
    const backend = sabotaged((real) => ({
      axpy: (alpha: number, _x: Tensor, y: Tensor) => rewrite(real, real.mul(y, 1), (d) => d.fill(alpha)),
    }));
    expect(await failureOf(backend, "axpy: mismatched shapes throw ShapeError naming both shapes")).toMatch(
      /axpy 3x4 with 5x6 .*did not throw/,
    );
  });

  it("a training step with the wrong gradient sign", async () => {
    // The model steps through the fused SGD op, which backend-cpu declares.
    const backend = sabotaged((real) => ({
      linearSoftmaxSgd: (x: Tensor, W: Tensor, b: Tensor, t: Tensor, scale: number) =>
        real.linearSoftmaxSgd!(x, W, b, t, -scale),
    }));
    expect(
      await failureOf(backend, "trainBatch, then scoreBatch and predict, match the float64 reference"),
    ).toMatch(/trainBatch of \d+x20 with 5 classes, lr [\d.]+: (W|b) after the step/);
    expect(
      await failureOf(backend, "matches the reference on float inputs (loss, correct, gradW, gradB)"),
    ).toMatch(/linearSoftmaxSgd (W|b)/);
  });

  it("uploadBytes that divides by 255 in float32 instead of multiplying by the scale", async () => {
    const backend = sabotaged((real) => ({
      uploadBytes: (data: Uint8Array, shape: readonly [number, number], scale: number) =>
        real.upload(
          Float32Array.from(data, (v) => Math.fround(v * Math.fround(scale))),
          shape,
        ),
    }));
    expect(
      await failureOf(backend, "uploadBytes reads back exactly Math.fround(byte * scale), one new handle"),
    ).toMatch(/uploadBytes \d+x\d+ scale/);
  });

  it("a fused dense layer that forgets the bias", async () => {
    const backend = sabotaged((real) => ({
      linearSoftmaxCrossEntropy: (x: Tensor, W: Tensor, b: Tensor, t: Tensor) => {
        const noBias = real.mul(b, 0);
        try {
          return real.linearSoftmaxCrossEntropy(x, W, noBias, t);
        } finally {
          real.dispose(noBias);
        }
      },
    }));
    expect(
      await failureOf(backend, "matches the reference on float inputs (loss, correct, gradW, gradB)"),
    ).toMatch(/linearSoftmaxCrossEntropy \d+x\d+ · \d+x\d+ \((loss|gradW|gradB|correct)\)/);
  });

  it("a fused dense layer that skips zero inputs even against an infinite weight", async () => {
    const backend = sabotaged((real) => ({
      linearSoftmaxCrossEntropy: (x: Tensor, W: Tensor, b: Tensor, t: Tensor) => {
        const finiteW = rewrite(real, real.mul(W, 1), (d) => {
          for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) d[i] = 1e30;
        });
        try {
          return real.linearSoftmaxCrossEntropy(x, finiteW, b, t);
        } finally {
          real.dispose(finiteW);
        }
      },
    }));
    expect(
      await failureOf(
        backend,
        "a zero input times an infinite weight is NaN, as in the reference: zeros are not skipped then",
      ),
    ).toMatch(/with an infinite weight \((loss|gradW)\)/);
  });

  it("gatherRows that takes each row one too far (the next row, where there is one)", async () => {
    const backend = sabotaged((real) => ({
      gatherRows: (x: Tensor, rows: Uint32Array) =>
        real.gatherRows(
          x,
          rows.map((r) => Math.min(r + 1, x.shape[0] - 1)),
        ),
    }));
    expect(
      await failureOf(
        backend,
        "gatherRows picks rows of floats and of bytes in the order asked, repeats included; without it, core says so",
      ),
    ).toMatch(/rows of floats/);
  });

  it("rows picked for a step that the kernel reads from the set's first rows", async () => {
    const backend = sabotaged((real) => ({
      gatherRows: (x: Tensor, rows: Uint32Array) =>
        real.gatherRows(
          x,
          rows.map((_, i) => i),
        ),
    }));
    expect(
      await failureOf(
        backend,
        "a step and a score on picked rows give the bits of the same rows uploaded as bytes (full, last and 1-row batches)",
      ),
    ).toMatch(/256 rows, output 0/);
  });

  it("hostBytes over memory that is not cleared", async () => {
    const backend = sabotaged(() => ({ allocateBytes: (length: number) => new Uint8Array(length).fill(1) }));
    expect(
      await failureOf(
        backend,
        "hostBytes gives zeroed bytes of the length asked, which uploadBytes then holds",
      ),
    ).toMatch(/not 12 zero bytes/);
  });
});
