import { formatShape, type Shape } from "./tensor.js";

/** Base class of every error tensorplug raises on purpose; `code` is stable and machine-readable. */
export class TensorplugError extends Error {
  /** Stable identifier of the kind of error, e.g. `"E_SHAPE"`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Operands whose shapes do not fit the op. The message names the op and every shape involved. */
export class ShapeError extends TensorplugError {
  /** The op that was called, e.g. `"matmul"`. */
  readonly op: string;
  /** The operands' shapes, in argument order. */
  readonly shapes: readonly Shape[];
  constructor(op: string, shapes: readonly Shape[], expectation: string) {
    const which = shapes.length === 0 ? "" : `shapes ${shapes.map(formatShape).join(" and ")} do not fit: `;
    super("E_SHAPE", `${op}: ${which}${expectation}`);
    this.op = op;
    this.shapes = shapes;
  }
}

/** A backend that cannot start here. The message says which backend, why, and what to do about it. */
export class BackendUnavailableError extends TensorplugError {
  /** The backend's registry name. */
  readonly backend: string;
  /** Why it cannot start here. */
  readonly reason: string;
  /** What to do about it. */
  readonly fix: string;
  constructor(backend: string, reason: string, fix: string) {
    super("E_BACKEND_UNAVAILABLE", `backend "${backend}" cannot start: ${reason}. Fix: ${fix}`);
    this.backend = backend;
    this.reason = reason;
    this.fix = fix;
  }
}

/** A backend name nobody registered. The message lists the names that are registered. */
export class UnknownBackendError extends TensorplugError {
  /** The name that was asked for. */
  readonly requested: string;
  /** The names that are registered. */
  readonly known: readonly string[];
  constructor(requested: string, known: readonly string[]) {
    super(
      "E_UNKNOWN_BACKEND",
      `unknown backend "${requested}"; valid values: ${["auto", ...known].join(", ")}`,
    );
    this.requested = requested;
    this.known = known;
  }
}

/** A handle used after dispose, or handed to a backend that did not make it. */
export class InvalidTensorError extends TensorplugError {
  constructor(message: string) {
    super("E_INVALID_TENSOR", message);
  }
}
