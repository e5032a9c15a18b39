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
  const entries = new Map(registry.list().map((e) => [e.name, e]));
  const results = await registry.probe();
  const rows = results.map((r) => {
    const entry = entries.get(r.name);
    const status = r.ok
      ? `available${r.requested === undefined ? ` - ${entry?.description ?? ""}` : ""}`
      : `unavailable: ${r.reason}. Fix: ${r.fix}`;
    return [r.name, r.requested ?? (r.ok ? r.mode : "-"), String(entry?.priority ?? ""), status] as const;
  });
  const nameWidth = Math.max(7, ...rows.map((r) => r[0].length));
  const modeWidth = Math.max(4, ...rows.map((r) => r[1].length));
  println(io.stdout, `${"backend".padEnd(nameWidth)}  ${"mode".padEnd(modeWidth)}  priority  status`);
  for (const [name, mode, priority, status] of rows) {
    println(
      io.stdout,
      `${name.padEnd(nameWidth)}  ${mode.padEnd(modeWidth)}  ${priority.padStart(8)}  ${status}`,
    );
  }
  const first = results.find((r) => r.ok);
  println(
    io.stdout,
    first?.ok ? `auto picks: ${first.name} (${first.mode})` : "auto picks: nothing starts here",
  );
  return 0;
}
