import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/**
 * The per-user cache directory for the data set: `$XDG_CACHE_HOME/tensorplug/fashion-mnist`, or
 * `$HOME/.cache/tensorplug/fashion-mnist` when XDG_CACHE_HOME is unset.
 *
 * @param env - environment to read (default `process.env`); lets tests and callers avoid globals
 */
export function cacheDir(env: Record<string, string | undefined> = process.env): string {
  const xdg = env["XDG_CACHE_HOME"];
  // The XDG spec says relative paths are invalid and must be ignored.
  if (xdg !== undefined && xdg !== "" && isAbsolute(xdg)) {
    return join(xdg, "tensorplug", "fashion-mnist");
  }
  const home = env["HOME"] || homedir();
  return join(home, ".cache", "tensorplug", "fashion-mnist");
}
