import { main } from "../src/main.js";

/** A captured stream, a terminal or not. */
export interface Captured {
  readonly chunks: string[];
  readonly isTTY: boolean;
  readonly columns: number;
  write(chunk: string): boolean;
  text(): string;
}

export function capture(isTTY = false): Captured {
  const chunks: string[] = [];
  return { chunks, isTTY, columns: 120, write: (c) => chunks.push(c) > 0, text: () => chunks.join("") };
}

export interface InProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in this process, with streams that are terminals or not, and no colour forced. */
export async function runInProcess(
  args: readonly string[],
  options: {
    stdoutTTY?: boolean;
    stderrTTY?: boolean;
    env?: Record<string, string | undefined>;
    cwd?: string;
  } = {},
): Promise<InProcessResult> {
  const stdout = capture(options.stdoutTTY);
  const stderr = capture(options.stderrTTY);
  const code = await main(args, {
    stdout,
    stderr,
    env: { NO_COLOR: "1", ...options.env },
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
