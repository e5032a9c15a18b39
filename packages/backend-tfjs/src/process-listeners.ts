import { isNode } from "./platform.js";

/**
 * Runs `start` and then removes any `uncaughtException` / `unhandledRejection` listener it added.
 *
 * Why: the Emscripten glue of tfjs-backend-wasm installs process-wide listeners that rethrow
 * whatever reaches them, and only removes them (all listeners, the host's too) if the wasm module
 * is ever disposed. A library must not change how its host process handles errors, and a test
 * runner's own listeners must keep working, so they go as soon as the module has started.
 */
export async function keepProcessListeners<T>(start: () => Promise<T>): Promise<T> {
  if (!isNode()) return start();
  const exceptions = new Set(process.listeners("uncaughtException"));
  const rejections = new Set(process.listeners("unhandledRejection"));
  try {
    return await start();
  } finally {
    for (const l of process.listeners("uncaughtException"))
      if (!exceptions.has(l)) process.removeListener("uncaughtException", l);
    for (const l of process.listeners("unhandledRejection"))
      if (!rejections.has(l)) process.removeListener("unhandledRejection", l);
  }
}
