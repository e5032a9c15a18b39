import { describe, expect, it } from "vitest";
import type { Backend } from "./backend.js";
import { TensorplugError } from "./errors.js";
import { canGatherRows, checkRows, gatherRows, hostBytes } from "./rows.js";
import { tidy } from "./scope.js";
import type { Tensor } from "./tensor.js";
import { TestBackend } from "./testing.test-helper.js";

/** A test backend that picks rows on the host, counting its calls. */
class RowsBackend extends TestBackend {
  calls = 0;
  gatherRows(x: Tensor, rows: Uint32Array): Tensor {
    this.calls++;
    const [, cols] = x.shape;
    const values = this.readSync(x);
    const out = new Float32Array(rows.length * cols);
    rows.forEach((r, i) => {
      out.set(values.subarray(r * cols, (r + 1) * cols), i * cols);
    });
    return this.upload(out, [rows.length, cols]);
  }
}

describe("gatherRows", () => {
  it("checks the rows, then lets the backend pick them", () => {
    const backend = new RowsBackend();
    const x = backend.fromRows([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(canGatherRows(backend)).toBe(true);
    expect(backend.readSync(gatherRows(backend, x, Uint32Array.of(2, 0, 2)))).toEqual(
      Float32Array.of(5, 6, 1, 2, 5, 6),
    );
    expect(() => gatherRows(backend, x, Uint32Array.of(0, 3))).toThrow(
      /gatherRows: row 3 \(at position 1\) is past the last row, 2/,
    );
    expect(() => gatherRows(backend, x, new Uint32Array(0))).toThrow(/no rows to gather/);
    expect(backend.calls).toBe(1);
  });

  it("without the op, says how to go on instead of failing later", () => {
    const backend = new TestBackend();
    const x = backend.fromRows([[1]]);
    expect(canGatherRows(backend)).toBe(false);
    let error: unknown;
    try {
      gatherRows(backend, x, Uint32Array.of(0));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TensorplugError);
    expect((error as TensorplugError).code).toBe("E_NO_GATHER");
    expect((error as Error).message).toMatch(/upload each batch instead/);
  });

  it("its output belongs to the scope it was made in", () => {
    const backend = new RowsBackend();
    const x = backend.fromRows([[1], [2]]);
    const before = backend.live();
    const kept = tidy(backend, (b) => {
      gatherRows(b, x, Uint32Array.of(1));
      return gatherRows(b, x, Uint32Array.of(0, 1));
    });
    expect(backend.live()).toBe(before + 1);
    backend.dispose(kept);
  });

  it("checkRows names the first bad row", () => {
    expect(() => checkRows("op", 5, Uint32Array.of(4, 0, 7, 9))).toThrow(/op: row 7 \(at position 2\)/);
    expect(() => checkRows("op", 5, Uint32Array.of(4, 0))).not.toThrow();
  });
});

describe("hostBytes", () => {
  it("is the backend's own memory where it offers some, else a plain zeroed array", () => {
    const plain = hostBytes(new TestBackend(), 5);
    expect(plain).toEqual(new Uint8Array(5));
    const own = new Uint8Array(new SharedArrayBuffer(8));
    const offering = Object.assign(new TestBackend(), {
      allocateBytes: (length: number) => own.subarray(0, length),
    });
    expect(hostBytes(offering as Backend, 3).buffer).toBe(own.buffer);
    expect(() => hostBytes(new TestBackend(), -1)).toThrow(/non-negative integer/);
  });
});
