import type { Backend } from "./backend.js";
import { BackendUnavailableError, TensorplugError, UnknownBackendError } from "./errors.js";

/** Options passed through to a backend's factory, e.g. `{ mode: "webasm" }`. */
export type BackendOptions = Readonly<Record<string, string | number | boolean | undefined>>;

/** A registered backend: its name, its rank for `auto`, and how to start it. */
export interface BackendEntry {
  /** The name `create` and `--backend` take, e.g. `"cpu"`. */
  readonly name: string;
  /** Higher starts first under `auto`. */
  readonly priority: number;
  /** One line for listings such as `tensorplug backends`. */
  readonly description: string;
  /**
   * Variants the factory accepts as `options.mode` (gpu.js modes, tfjs backends), best first.
   * `probe` tries each; without a mode the factory picks the best that starts.
   */
  readonly modes?: readonly string[];
  /** Starts the backend; throws `BackendUnavailableError` when it cannot run here. */
  readonly factory: (options: BackendOptions) => Promise<Backend>;
}

/** Whether a backend started, and if not, why and how to fix it. */
export type ProbeResult =
  | {
      /** The backend's registry name. */
      readonly name: string;
      /** The mode this result is for, when the entry lists `modes`. */
      readonly requested?: string;
      /** It started (and was closed again). */
      readonly ok: true;
      /** The mode that actually ran. */
      readonly mode: string;
    }
  | {
      /** The backend's registry name. */
      readonly name: string;
      /** The mode this result is for, when the entry lists `modes`. */
      readonly requested?: string;
      /** It did not start. */
      readonly ok: false;
      /** Why not. */
      readonly reason: string;
      /** What to do about it. */
      readonly fix: string;
    };

/** The name `resolve` takes to mean "the highest-priority backend that starts". */
export const AUTO = "auto";

function asUnavailable(name: string, error: unknown): BackendUnavailableError {
  if (error instanceof BackendUnavailableError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // Keep messages to one line: Node's module-resolution errors append a multi-line require stack.
  const reason = message.trim().split(/\r?\n/)[0]!.trim() || "unknown error";
  return new BackendUnavailableError(name, reason, "see the backend's README for what it needs");
}

/** Backends by name, with a priority and an asynchronous factory (the TensorFlow.js pattern). */
export class BackendRegistry {
  private readonly entries = new Map<string, BackendEntry>();

  /** Adds a backend. Throws a `TensorplugError` (`E_REGISTRY`) for a duplicate name or for `"auto"`. */
  register(entry: BackendEntry): void {
    if (entry.name === AUTO)
      throw new TensorplugError("E_REGISTRY", `"${AUTO}" is reserved and cannot name a backend`);
    if (this.entries.has(entry.name)) {
      throw new TensorplugError("E_REGISTRY", `a backend named "${entry.name}" is already registered`);
    }
    this.entries.set(entry.name, entry);
  }

  /** Registered entries, highest priority first. */
  list(): BackendEntry[] {
    return [...this.entries.values()].sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
  }

  /** Registered names, highest priority first. */
  names(): string[] {
    return this.list().map((e) => e.name);
  }

  /** Whether a backend of this name is registered. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Starts the named backend; unknown names list the known ones, failures say why and how to fix. */
  async create(name: string, options: BackendOptions = {}): Promise<Backend> {
    const entry = this.entries.get(name);
    if (!entry) throw new UnknownBackendError(name, this.names());
    try {
      return await entry.factory(options);
    } catch (error) {
      throw asUnavailable(name, error);
    }
  }

  /**
   * `name` or `"auto"`: auto tries every backend from the highest priority down and returns the
   * first that starts. When none starts, the error lists each one's reason.
   */
  async resolve(name: string, options: BackendOptions = {}): Promise<Backend> {
    if (name !== AUTO) return this.create(name, options);
    const failures: BackendUnavailableError[] = [];
    for (const entry of this.list()) {
      try {
        return await this.create(entry.name, options);
      } catch (error) {
        failures.push(asUnavailable(entry.name, error));
      }
    }
    if (failures.length === 0) {
      throw new BackendUnavailableError(
        AUTO,
        "no backend is registered",
        "register a backend before resolving",
      );
    }
    throw new BackendUnavailableError(
      AUTO,
      `no backend starts (${failures.map((f) => `${f.backend}: ${f.reason}`).join("; ")})`,
      failures.map((f) => f.fix).join("; "),
    );
  }

  /**
   * Tries to start every backend (closing each again) and reports which start here; a backend
   * with `modes` is tried once per mode, with `requested` naming it.
   */
  async probe(options: BackendOptions = {}): Promise<ProbeResult[]> {
    const results: ProbeResult[] = [];
    for (const entry of this.list()) {
      const modes = entry.modes ?? [undefined];
      for (const requested of modes) {
        const tag = requested === undefined ? {} : { requested };
        const withMode = requested === undefined ? options : { ...options, mode: requested };
        results.push({ name: entry.name, ...tag, ...(await this.probeOne(entry.name, withMode)) });
      }
    }
    return results;
  }

  private async probeOne(
    name: string,
    options: BackendOptions,
  ): Promise<{ ok: true; mode: string } | { ok: false; reason: string; fix: string }> {
    let backend: Backend;
    try {
      backend = await this.create(name, options);
    } catch (error) {
      const e = asUnavailable(name, error);
      return { ok: false, reason: e.reason, fix: e.fix };
    }
    // One result per backend: a failing close() must not add a second entry after an "ok" one.
    try {
      await backend.close?.();
      return { ok: true, mode: backend.mode };
    } catch (error) {
      const e = asUnavailable(name, error);
      return { ok: false, reason: `it starts, but close() failed: ${e.reason}`, fix: e.fix };
    }
  }
}
