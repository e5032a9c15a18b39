import { type Io, println } from "../io.js";
import { type FlagSpecs, helpText, parseFlags } from "../options.js";
import { OUTPUT_FLAGS, Output, outputMode } from "../output.js";
import { createRegistry } from "../registry.js";

const COMMAND = "backends";

export const BACKENDS_FLAGS: FlagSpecs = {
  json: OUTPUT_FLAGS.json!,
  help: { type: "boolean", help: "show this help" },
};

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
  const output = new Output(io, outputMode(flags));
  const first = results.find((r) => r.ok);
  if (output.mode.json) {
    output.json({
      command: COMMAND,
      backends: results.map((r) => {
        const entry = entries.get(r.name);
        const base = {
          name: r.name,
          requestedMode: r.requested ?? null,
          priority: entry?.priority ?? 0,
          description: entry?.description ?? "",
        };
        return r.ok
          ? { ...base, ok: true, mode: r.mode }
          : { ...base, ok: false, reason: r.reason, fix: r.fix };
      }),
      auto: first?.ok ? { name: first.name, mode: first.mode } : null,
    });
    return 0;
  }
  const rows = results.map((r) => {
    const entry = entries.get(r.name);
    const status = r.ok
      ? `${output.paint("green", "available")}${r.requested === undefined ? ` - ${entry?.description ?? ""}` : ""}`
      : `${output.paint("red", "unavailable")}: ${r.reason}. Fix: ${r.fix}`;
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
  println(
    io.stdout,
    first?.ok ? `auto picks: ${first.name} (${first.mode})` : "auto picks: nothing starts here",
  );
  return 0;
}
