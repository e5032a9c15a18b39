import { AUTO, type Backend, type BackendRegistry } from "@tensorplug/core";
import type { FlagSpecs } from "./options.js";
import { CLI_BACKENDS } from "./registry.js";
import { UsageError } from "./usage-error.js";

export const BACKEND_ENV = "TENSORPLUG_BACKEND";

/** The backend a run asked for, its mode if one was asked for, and where the name came from. */
export interface BackendChoice {
  readonly name: string;
  readonly mode?: string;
  readonly from: "flag" | "env" | "default";
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

/** Starts the chosen backend (errors say why it cannot start and how to fix it). */
export function startBackend(registry: BackendRegistry, choice: BackendChoice): Promise<Backend> {
  return registry.resolve(choice.name, choice.mode === undefined ? {} : { mode: choice.mode });
}
