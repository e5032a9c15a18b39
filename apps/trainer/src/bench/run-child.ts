import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BenchJob, BenchReply } from "./job.js";

// From dist/ the worker sits beside this file; from src/ (tests on sources) use the built one.
const WORKER = fileURLToPath(
  import.meta.url.endsWith(".ts")
    ? new URL("../../dist/bench/worker.js", import.meta.url)
    : new URL("./worker.js", import.meta.url),
);

/** A child's answer and the wall time from starting it to its exit. */
export interface ChildResult {
  readonly reply: BenchReply;
  readonly wallSeconds: number;
}

/** Runs one job in a fresh Node process. */
export function runBenchChild(
  job: BenchJob,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ChildResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = fork(WORKER, [JSON.stringify(job)], {
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...env },
    });
    let reply: BenchReply | undefined;
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.on("message", (message) => {
      reply = message as BenchReply;
    });
    child.on("error", (error) => {
      reply ??= { ok: false, reason: `the bench process did not start: ${error.message}` };
    });
    child.on("exit", (code, signal) => {
      const last = stderr.trim().split("\n").pop() ?? "";
      resolve({
        reply: reply ?? {
          ok: false,
          reason: `the bench process ended (${signal ?? `exit ${code}`}) without an answer${last ? `: ${last}` : ""}`,
        },
        wallSeconds: (performance.now() - started) / 1000,
      });
    });
  });
}
