import { readFileSync } from "node:fs";

/** This package's version, read once from its package.json (the same file from src/ and dist/). */
export const TENSORPLUG_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: unknown;
    };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
})();
