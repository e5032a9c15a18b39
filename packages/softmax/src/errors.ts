import { TensorplugError } from "@tensorplug/core";

/** Where in a run something happened: an epoch, and a training batch or the evaluation after it. */
export interface TrainingPlace {
  /** 1-based epoch. */
  readonly epoch: number;
  /** Epochs the run was asked for. */
  readonly epochs: number;
  /** 1-based batch of the epoch's training pass; undefined for the evaluation after it. */
  readonly batch?: number;
  /** Training batches per epoch. */
  readonly batches: number;
}

/** "epoch 2, batch 17 of 235" or "epoch 2, evaluating the test set". */
export function describePlace(place: TrainingPlace): string {
  return place.batch === undefined
    ? `epoch ${place.epoch}, evaluating the test set`
    : `epoch ${place.epoch}, batch ${place.batch} of ${place.batches}`;
}

/**
 * The loss became NaN or infinite: the learning rate is too large for the data (or the data
 * holds NaN). Training stops at that batch; the epochs before it are intact.
 */
export class DivergedError extends TensorplugError {
  /** The batch whose loss was not finite. */
  readonly place: TrainingPlace;
  /** That batch's summed loss: NaN or ±Infinity. */
  readonly loss: number;
  /** The learning rate of the run. */
  readonly lr: number;
  constructor(place: TrainingPlace, loss: number, lr: number) {
    super(
      "E_DIVERGED",
      `training diverged at ${describePlace(place)}: the loss became ${loss}; use a smaller learning rate than ${lr} (the book uses 0.1)`,
    );
    this.place = place;
    this.loss = loss;
    this.lr = lr;
  }
}

/** Training stopped on request (`signal` aborted) before a batch; `completed` epochs are done. */
export class TrainingStoppedError extends TensorplugError {
  /** The batch that was about to start. */
  readonly place: TrainingPlace;
  /** Epochs fully trained and evaluated, counting those of the run being resumed. */
  readonly completed: number;
  constructor(place: TrainingPlace, completed: number) {
    super("E_STOPPED", `training stopped at ${describePlace(place)}; ${completed} epochs complete`);
    this.place = place;
    this.completed = completed;
  }
}

/** The backend (or anything under it) threw while training or evaluating; `cause` is what it threw. */
export class TrainingFailedError extends TensorplugError {
  /** Where the backend threw. */
  readonly place: TrainingPlace;
  constructor(place: TrainingPlace, cause: unknown) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const firstLine = message.trim().split(/\r?\n/)[0]?.trim() || "unknown error";
    super("E_TRAINING_FAILED", `training failed at ${describePlace(place)}: ${firstLine}`);
    this.place = place;
    this.cause = cause;
  }
}
