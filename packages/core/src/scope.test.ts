import { describe, expect, it } from "vitest";
import { InvalidTensorError } from "./errors.js";
import { tidy } from "./scope.js";
import type { Tensor } from "./tensor.js";
import { TestBackend } from "./testing.test-helper.js";

function setup() {
  const backend = new TestBackend();
  const a = backend.fromRows([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  return { backend, a };
}

describe("the test backend itself", () => {
  it("counts live handles and throws on double dispose and use after dispose", () => {
    const { backend, a } = setup();
    expect(backend.live()).toBe(1);
    const b = backend.neg(a);
    expect(backend.live()).toBe(2);
    backend.dispose(b);
    expect(backend.live()).toBe(1);
    expect(() => backend.dispose(b)).toThrow(InvalidTensorError);
    expect(() => backend.exp(b)).toThrow(InvalidTensorError);
    expect(() => new TestBackend().neg(a)).toThrow(InvalidTensorError);
  });
});

describe("tidy", () => {
  it("disposes intermediates and keeps a single returned tensor", () => {
    const { backend, a } = setup();
    let seen: Tensor[] = [];
    const out = tidy(backend, (b) => {
      const e = b.exp(a);
      const s = b.sum(e, 1);
      const d = b.div(e, s);
      seen = [e, s];
      return b.mul(d, 2);
    });
    expect(backend.live()).toBe(2); // `a` and `out`
    for (const t of seen) expect(backend.isLive(t)).toBe(false);
    expect(backend.isLive(out)).toBe(true);
    const rows = backend.toRows(out);
    expect(rows[0]!.reduce((x, y) => x + y, 0)).toBeCloseTo(2, 12);
    // the three intermediates (e, s, d) are gone; only `a` and `out` remain from the five made
    expect(backend.made).toHaveLength(5);
  });

  it("keeps tensors returned in an array", () => {
    const { backend, a } = setup();
    const [x, y] = tidy(backend, (b) => {
      const t = b.neg(a);
      return [b.exp(t), b.add(t, 1)];
    });
    expect(backend.live()).toBe(3);
    expect(backend.toRows(x!)[0]).toEqual([Math.exp(-1), Math.exp(-2), Math.exp(-3)]);
    expect(backend.toRows(y!)[1]).toEqual([-3, -4, -5]);
  });

  it("keeps tensors returned in nested objects and arrays, and passes other values through", () => {
    const { backend, a } = setup();
    const result = tidy(backend, (b) => {
      const t = b.neg(a);
      b.exp(t);
      return { first: b.add(t, 1), more: { list: [b.mul(t, 2), 7, "x"] }, none: undefined };
    });
    expect(backend.live()).toBe(3); // a, first, list[0]
    expect(backend.isLive(result.first)).toBe(true);
    expect(backend.isLive(result.more.list[0] as Tensor)).toBe(true);
    expect(result.more.list[1]).toBe(7);
    expect(result.more.list[2]).toBe("x");
  });

  it("disposes everything when fn returns no tensor", () => {
    const { backend, a } = setup();
    const n = tidy(backend, (b) => {
      b.exp(b.neg(a));
      return 42;
    });
    expect(n).toBe(42);
    expect(backend.live()).toBe(1);
    expect(
      tidy(backend, (b) => {
        b.neg(a);
        return undefined;
      }),
    ).toBeUndefined();
    expect(backend.live()).toBe(1);
  });

  it("leaves tensors made before the scope alone, even when fn returns one of them", () => {
    const { backend, a } = setup();
    const other = backend.fromRows([[9]]);
    const out = tidy(backend, (b) => {
      b.add(a, 1);
      return a;
    });
    expect(out).toBe(a);
    expect(backend.isLive(a)).toBe(true);
    expect(backend.isLive(other)).toBe(true);
    expect(backend.live()).toBe(2);
  });

  it("does not dispose again what fn disposed itself", () => {
    const { backend, a } = setup();
    const out = tidy(backend, (b) => {
      const t = b.neg(a);
      b.dispose(t);
      return b.exp(a);
    });
    // a double dispose would throw InvalidTensorError out of tidy
    expect(backend.live()).toBe(2);
    expect(backend.isLive(out)).toBe(true);
  });

  it("lets fn dispose a tensor made before the scope", () => {
    const { backend, a } = setup();
    tidy(backend, (b) => {
      b.dispose(a);
      return undefined;
    });
    expect(backend.live()).toBe(0);
  });

  it("nested scopes dispose each tensor exactly once", () => {
    const { backend, a } = setup();
    let inner: Tensor | undefined;
    let innerTemp: Tensor | undefined;
    const out = tidy(backend, (b) => {
      inner = tidy(b, (c) => {
        innerTemp = c.exp(a);
        return c.neg(innerTemp);
      });
      expect(backend.isLive(inner)).toBe(true);
      expect(backend.isLive(innerTemp!)).toBe(false);
      return b.add(inner, 1);
    });
    // inner's result was an intermediate of the outer scope: disposed once, without a throw
    expect(backend.isLive(inner!)).toBe(false);
    expect(backend.isLive(out)).toBe(true);
    expect(backend.live()).toBe(2);
  });

  it("nested scopes keep what the inner scope returns when the outer returns it too", () => {
    const { backend, a } = setup();
    const out = tidy(backend, (b) => {
      b.neg(a);
      return tidy(b, (c) => [c.exp(a), c.add(a, 1)]);
    });
    expect(out.every((t) => backend.isLive(t))).toBe(true);
    expect(backend.live()).toBe(3);
  });

  it("three levels deep, disposing inside the innermost scope", () => {
    const { backend, a } = setup();
    const out = tidy(backend, (b1) =>
      tidy(b1, (b2) => {
        const x = b2.neg(a);
        return tidy(b2, (b3) => {
          const y = b3.exp(x);
          b3.dispose(x);
          return b3.add(y, 1);
        });
      }),
    );
    expect(backend.live()).toBe(2);
    expect(backend.isLive(out)).toBe(true);
  });

  it("disposes everything made inside when fn throws, and rethrows the same error", () => {
    const { backend, a } = setup();
    const boom = new Error("boom");
    const made: Tensor[] = [];
    expect(() =>
      tidy(backend, (b) => {
        made.push(b.exp(a));
        made.push(
          tidy(b, (c) => {
            made.push(c.neg(a));
            return c.add(a, 1);
          }),
        );
        made.push(b.mul(a, 3));
        throw boom;
      }),
    ).toThrow(boom);
    expect(made).toHaveLength(4);
    for (const t of made) expect(backend.isLive(t)).toBe(false);
    expect(backend.live()).toBe(1);
    expect(backend.isLive(a)).toBe(true);
  });

  it("disposes the scope's tensors when a backend op throws inside it", () => {
    const { backend, a } = setup();
    const col = backend.fromRows([[1], [2], [3]]);
    expect(() =>
      tidy(backend, (b) => {
        const t = b.neg(a);
        return b.add(t, col); // 2x3 + 3x1 does not broadcast
      }),
    ).toThrow(/add: shapes 2x3 and 3x1/);
    expect(backend.live()).toBe(2);
  });

  it("tracks the outputs of fused kernels, including softmaxCrossEntropy's pair", () => {
    const { backend, a } = setup();
    const y = backend.fromRows([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    tidy(backend, (b) => {
      b.softmax!(a);
      b.logSoftmax!(a);
      b.softmaxCrossEntropy!(a, y);
      return undefined;
    });
    expect(backend.live()).toBe(2);
    const kept = tidy(backend, (b) => b.softmaxCrossEntropy!(a, y));
    expect(backend.live()).toBe(4);
    expect(backend.isLive(kept.loss) && backend.isLive(kept.grad)).toBe(true);
  });

  it("forwards reads, live() and the backend's fields through the view", () => {
    const { backend, a } = setup();
    const seen = tidy(backend, (b) => {
      const t = b.add(a, 0.5);
      return { live: b.live(), first: b.readSync!(t)[0]!, name: b.name, precision: b.caps.precision };
    });
    expect(seen).toEqual({ live: 2, first: 1.5, name: "test", precision: 32 });
    expect(backend.live()).toBe(1);
  });
});
