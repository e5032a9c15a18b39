import { type Io, println } from "../io.js";
import { type FlagSpecs, helpText, parseFlags } from "../options.js";
import { createRegistry } from "../registry.js";

const COMMAND = "backends";

export const BACKENDS_FLAGS: FlagSpecs = { help: { type: "boolean", help: "show this help" } };

export const BACKENDS_HELP = helpText(
  "tensorplug backends",
  "Lists every registered backend, highest priority first, and whether it starts on this machine (and why not).",
  BACKENDS_FLAGS,
);

export async function backendsCommand(args: readonly string[], io: Io): Promise<number> {
  const flags = parseFlags(COMMAND, args, BACKENDS_FLAGS);
  if (flags.help === true) {
    io.stdout.write(BACKENDS_HELP);
    return 0;
  }
  const registry = createRegistry();
  const entries = registry.list();
  const results = await registry.probe();
  const width = Math.max(...entries.map((e) => e.name.length), 7);
  println(io.stdout, `${"backend".padEnd(width)}  priority  status`);
  for (const entry of entries) {
    const result = results.find((r) => r.name === entry.name);
    const status = !result
      ? "not probed"
      : result.ok
        ? `available (mode ${result.mode}) - ${entry.description}`
        : `unavailable: ${result.reason}. Fix: ${result.fix}`;
    println(io.stdout, `${entry.name.padEnd(width)}  ${String(entry.priority).padStart(8)}  ${status}`);
  }
  const first = results.find((r) => r.ok);
  println(io.stdout, first ? `auto picks: ${first.name}` : "auto picks: nothing starts here");
  return 0;
}
