import { AUTO, type Backend, type BackendRegistry } from "@tensorplug/core";
import { UsageError } from "./usage-error.js";

export const BACKEND_ENV = "TENSORPLUG_BACKEND";

/** The backend name a run asked for, and where the request came from. */
export interface BackendChoice {
  readonly name: string;
  readonly from: "flag" | "env" | "default";
}

/**
 * Resolution order: `--backend` > `TENSORPLUG_BACKEND` > auto. Names are checked here, before
 * any data is read, so a typo costs nothing.
 */
export function chooseBackend(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  registry: BackendRegistry,
  command: string,
): BackendChoice {
  const valid = [AUTO, ...registry.names()];
  const fromEnv = env[BACKEND_ENV]?.trim();
  const choice: BackendChoice =
    flag !== undefined
      ? { name: flag, from: "flag" }
      : fromEnv
        ? { name: fromEnv, from: "env" }
        : { name: AUTO, from: "default" };
  if (!valid.includes(choice.name)) {
    const where = choice.from === "flag" ? "--backend" : BACKEND_ENV;
    throw new UsageError(
      `${where}: unknown backend "${choice.name}"; valid values: ${valid.join(", ")}`,
      command,
    );
  }
  return choice;
}

/** Starts the chosen backend (errors say why it cannot start and how to fix it). */
export function startBackend(registry: BackendRegistry, choice: BackendChoice): Promise<Backend> {
  return registry.resolve(choice.name);
}
