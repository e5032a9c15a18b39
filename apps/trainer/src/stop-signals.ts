/** The signals that ask a run to stop, and the exit code of each (128 + its number, as shells report). */
export const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;

export type StopSignalName = keyof typeof STOP_SIGNALS;

/** A stop request turned into an AbortSignal, for as long as a command runs. */
export interface StopRequests {
  /** Aborted at the first SIGINT or SIGTERM; its reason is the signal's name. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  received(): StopSignalName | undefined;
  /** Puts the default handling back. */
  dispose(): void;
}

/**
 * Catches SIGINT and SIGTERM so a run can stop at a safe point: the first one aborts `signal` and
 * the run finishes what it must (it never leaves a file half-written, see `writeFileAtomic`); a
 * second one exits at once, which is safe for the same reason.
 */
export function catchStopSignals(onSecond: (name: StopSignalName) => void = defaultSecond): StopRequests {
  const controller = new AbortController();
  let first: StopSignalName | undefined;
  const handlers = new Map<StopSignalName, () => void>();
  for (const name of Object.keys(STOP_SIGNALS) as StopSignalName[]) {
    const handler = () => {
      if (first === undefined) {
        first = name;
        controller.abort(name);
      } else onSecond(name);
    };
    handlers.set(name, handler);
    process.on(name, handler);
  }
  return {
    signal: controller.signal,
    received: () => first,
    dispose: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}

function defaultSecond(name: StopSignalName): void {
  process.stderr.write(`\ntensorplug: ${name} again, stopping at once\n`);
  process.exit(STOP_SIGNALS[name]);
}
