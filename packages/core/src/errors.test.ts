import { describe, expect, it } from "vitest";
import {
  BackendUnavailableError,
  InvalidTensorError,
  ShapeError,
  TensorplugError,
  UnknownBackendError,
} from "./errors.js";

const cases = [
  {
    error: new ShapeError(
      "add",
      [
        [4, 3],
        [2, 3],
      ],
      "must broadcast",
    ),
    name: "ShapeError",
    code: "E_SHAPE",
    cls: ShapeError,
  },
  {
    error: new BackendUnavailableError("gpu", "no WebGL context", "install headless-gl"),
    name: "BackendUnavailableError",
    code: "E_BACKEND_UNAVAILABLE",
    cls: BackendUnavailableError,
  },
  {
    error: new UnknownBackendError("cuda", ["cpu", "gpu"]),
    name: "UnknownBackendError",
    code: "E_UNKNOWN_BACKEND",
    cls: UnknownBackendError,
  },
  {
    error: new InvalidTensorError("tensor used after dispose"),
    name: "InvalidTensorError",
    code: "E_INVALID_TENSOR",
    cls: InvalidTensorError,
  },
  {
    error: new TensorplugError("E_REGISTRY", "something"),
    name: "TensorplugError",
    code: "E_REGISTRY",
    cls: TensorplugError,
  },
] as const;

describe("error classes", () => {
  it.each(cases)("$name has its name, code and class chain", ({ error, name, code, cls }) => {
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error).toBeInstanceOf(cls);
    expect(error).toBeInstanceOf(TensorplugError);
    expect(error).toBeInstanceOf(Error);
    expect(String(error).startsWith(`${name}: `)).toBe(true);
    expect(error.stack).toBeDefined();
  });

  it.each(cases)("$name has a one-line, non-empty message", ({ error }) => {
    expect(error.message.length).toBeGreaterThan(0);
    expect(error.message).not.toMatch(/[\r\n]/);
  });

  it("keeps subclasses apart", () => {
    const shape = cases[0].error;
    expect(shape).not.toBeInstanceOf(BackendUnavailableError);
    expect(shape).not.toBeInstanceOf(UnknownBackendError);
    expect(shape).not.toBeInstanceOf(InvalidTensorError);
  });

  it("names a user subclass after itself", () => {
    class CustomError extends TensorplugError {}
    const err = new CustomError("E_CUSTOM", "x");
    expect(err.name).toBe("CustomError");
    expect(err).toBeInstanceOf(TensorplugError);
  });
});

describe("ShapeError", () => {
  it("names the op and every shape, and keeps them as fields", () => {
    const err = new ShapeError(
      "matmul",
      [
        [2, 3],
        [4, 5],
      ],
      "inner dimensions 3 and 4 differ",
    );
    expect(err.message).toBe("matmul: shapes 2x3 and 4x5 do not fit: inner dimensions 3 and 4 differ");
    expect(err.op).toBe("matmul");
    expect(err.shapes).toEqual([
      [2, 3],
      [4, 5],
    ]);
  });

  it("reads cleanly with no shapes at all", () => {
    const err = new ShapeError("concat", [], "needs at least one tensor");
    expect(err.message).toBe("concat: needs at least one tensor");
  });
});

describe("BackendUnavailableError", () => {
  it("says which backend, why, and the fix", () => {
    const err = new BackendUnavailableError("gpu", "no WebGL context", "install headless-gl");
    expect(err.message).toBe('backend "gpu" cannot start: no WebGL context. Fix: install headless-gl');
    expect(err.backend).toBe("gpu");
    expect(err.reason).toBe("no WebGL context");
    expect(err.fix).toBe("install headless-gl");
  });
});

describe("UnknownBackendError", () => {
  it("lists auto and every known name", () => {
    const err = new UnknownBackendError("cuda", ["cpu", "gpu"]);
    expect(err.message).toBe('unknown backend "cuda"; valid values: auto, cpu, gpu');
    expect(err.requested).toBe("cuda");
    expect(err.known).toEqual(["cpu", "gpu"]);
  });
});
