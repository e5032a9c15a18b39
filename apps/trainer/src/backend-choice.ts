import { AUTO, type Backend, type BackendRegistry, BackendUnavailableError } from "@tensorplug/core";
import { CliError } from "./cli-error.js";
import type { FlagSpecs } from "./options.js";
import { CLI_BACKENDS } from "./registry.js";
import { UsageError } from "./usage-error.js";

export const BACKEND_ENV = "TENSORPLUG_BACKEND";

/** The backend a run asked for, its mode if one was asked for, and where the name came from. */
export interface BackendChoice {
  readonly name: string;
  readonly mode?: string;
  /** `resume`: the backend of the run being resumed, from its checkpoint. */
  readonly from: "flag" | "env" | "default" | "resume";
}

/** `--backend` and one mode flag per backend that has modes (`--tfjs-backend`, `--gpujs-mode`). */
export const BACKEND_FLAGS: FlagSpecs = {
  backend: {
    type: "string",
    value: "NAME",
    help: `compute backend: auto, ${CLI_BACKENDS.map((b) => b.name).join(", ")} (env TENSORPLUG_BACKEND)`,
    default: "auto",
  },
  ...Object.fromEntries(
    CLI_BACKENDS.filter((b) => b.modeFlag).map((b) => [
      b.modeFlag,
      {
        type: "string",
        value: "MODE",
        help: `with --backend ${b.name}: ${b.modes?.join(", ")}`,
        default: "the best that starts",
      },
    ]),
  ),
};

/**
 * Resolution order: `--backend` > `TENSORPLUG_BACKEND` > auto. Names and modes are checked here,
 * before any data is read, so a typo costs nothing.
 */
export function chooseBackend(
  flags: Readonly<Record<string, string | boolean | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
  registry: BackendRegistry,
  command: string,
): BackendChoice {
  const valid = [AUTO, ...registry.names()];
  const flag = typeof flags.backend === "string" ? flags.backend : undefined;
  const fromEnv = env[BACKEND_ENV]?.trim();
  const base: BackendChoice =
    flag !== undefined
      ? { name: flag, from: "flag" }
      : fromEnv
        ? { name: fromEnv, from: "env" }
        : { name: AUTO, from: "default" };
  if (!valid.includes(base.name)) {
    const where = base.from === "flag" ? "--backend" : BACKEND_ENV;
    throw new UsageError(
      `${where}: unknown backend "${base.name}"; valid values: ${valid.join(", ")}`,
      command,
    );
  }
  let mode: string | undefined;
  for (const backend of CLI_BACKENDS) {
    const requested = backend.modeFlag ? flags[backend.modeFlag] : undefined;
    if (typeof requested !== "string") continue;
    if (base.name !== backend.name) {
      throw new UsageError(
        `--${backend.modeFlag} applies to --backend ${backend.name}, but the backend is ${base.name}; add --backend ${backend.name} or drop --${backend.modeFlag}`,
        command,
      );
    }
    if (!backend.modes?.includes(requested)) {
      throw new UsageError(
        `--${backend.modeFlag}: unknown mode "${requested}"; valid values: ${backend.modes?.join(", ")}`,
        command,
      );
    }
    mode = requested;
  }
  return mode === undefined ? base : { ...base, mode };
}

/**
 * Starts the chosen backend. One that cannot start says why and how to fix it (the backend's own
 * words), and then which backends do start here, so the user has a way forward either way.
 */
export async function startBackend(registry: BackendRegistry, choice: BackendChoice): Promise<Backend> {
  try {
    return await registry.resolve(choice.name, choice.mode === undefined ? {} : { mode: choice.mode });
  } catch (error) {
    if (!(error instanceof BackendUnavailableError)) throw error;
    const working = await workingBackends(registry);
    const message = error.message.replace(/\.?\s*$/, "");
    throw new CliError(
      working.length === 0
        ? `${message}. No backend starts here.`
        : `${message}. Backends that start here: ${working.join(", ")}.`,
    );
  }
}

/** "tfjs (wasm, cpu)", "cpu": every backend that starts here, with the modes that do. */
export async function workingBackends(registry: BackendRegistry): Promise<string[]> {
  const byName = new Map<string, string[]>();
  for (const result of await registry.probe()) {
    if (!result.ok) continue;
    const modes = byName.get(result.name) ?? [];
    if (result.requested !== undefined) modes.push(result.requested);
    byName.set(result.name, modes);
  }
  return [...byName].map(([name, modes]) => (modes.length > 0 ? `${name} (${modes.join(", ")})` : name));
}
