import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { cacheDir } from "./cache-dir.js";
import { type DataSource, DEFAULT_MIRROR, PUBLISHED_MD5, SYSTEM_DATA_DIR } from "./constants.js";
import { type DownloadProgress, downloadFile, removeStaleParts } from "./download.js";
import { DatasetError } from "./errors.js";
import { ALL_FILES, missingFiles } from "./files.js";

/** Where to look for the data set and whether and how to download it. */
export interface LocateOptions {
  /** Directory given explicitly (e.g. `--data-dir`); must hold all four files, no fallback. */
  dataDir?: string;
  /** Environment for `TENSORPLUG_DATA_DIR`, `XDG_CACHE_HOME` and `HOME`; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Download into the cache when no directory has the files; default true. */
  download?: boolean;
  /** Base URL the file names are resolved against; default {@link DEFAULT_MIRROR}. */
  mirror?: string;
  /** Expected MD5 per file name, overriding {@link PUBLISHED_MD5} entry by entry. */
  checksums?: Record<string, string>;
  /** Called as each downloaded file's bytes arrive. */
  onProgress?: (p: DownloadProgress) => void;
  /** The system-wide directory; default {@link SYSTEM_DATA_DIR}, overridable for tests. */
  systemDir?: string;
  /** Aborts a download in progress (its temporary file is removed); the abort reason is thrown. */
  signal?: AbortSignal;
}

async function requireComplete(dir: string, origin: string): Promise<string> {
  const abs = resolve(dir);
  const missing = await missingFiles(abs);
  if (missing.length > 0) {
    throw new DatasetError(
      "E_MISSING_FILES",
      `${origin} ${abs} is missing ${missing.join(", ")} (it must hold all four Fashion-MNIST files: ${ALL_FILES.join(", ")})`,
      { file: join(abs, missing[0]!) },
    );
  }
  return abs;
}

function waysToGetData(cache: string, reason: string, cause?: unknown): DatasetError {
  return new DatasetError(
    "E_NO_DATA",
    `Fashion-MNIST not found (${reason}). Get it one of these ways: pass --data-dir DIR, ` +
      `set TENSORPLUG_DATA_DIR=DIR, run apt-get install dataset-fashion-mnist (Debian/Ubuntu), ` +
      `or place ${ALL_FILES.join(", ")} in ${cache}`,
    { cause },
  );
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // undici reports only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND...) is the cause.
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error ? `${message}: ${cause.message}` : message;
}

async function download(cache: string, opts: LocateOptions): Promise<void> {
  const mirror = (opts.mirror ?? DEFAULT_MIRROR).replace(/\/?$/, "/");
  const checksums = { ...PUBLISHED_MD5, ...opts.checksums };
  await mkdir(cache, { recursive: true });
  await removeStaleParts(cache);
  // A cache left half-filled by an earlier run only needs the rest; present files are complete
  // because downloads appear under their final name only after verification.
  for (const file of await missingFiles(cache)) {
    const expected = checksums[file];
    if (expected === undefined) {
      throw new DatasetError("E_CHECKSUM", `${file}: no checksum known, refusing to download it`, { file });
    }
    opts.signal?.throwIfAborted();
    await downloadFile(new URL(file, mirror).href, join(cache, file), expected, opts.onProgress, opts.signal);
  }
}

/**
 * Finds a directory holding the four data files, downloading them into the user cache if needed.
 * Looks, in order, at `opts.dataDir`, `TENSORPLUG_DATA_DIR`, {@link cacheDir}, then the system
 * directory. An explicitly given directory that lacks files is an error, not a reason to look
 * elsewhere: silently training on other data than asked for is worse than stopping.
 *
 * @returns the absolute directory and how it was found
 * @throws DatasetError `E_MISSING_FILES` for an incomplete explicit directory, `E_CHECKSUM` when a
 *   download does not match, `E_NO_DATA` (listing the ways to get the data) when nothing works
 */
export async function locateDataset(opts: LocateOptions = {}): Promise<{
  /** Absolute directory that holds all four files. */
  dir: string;
  /** Which place it is. */
  source: DataSource;
}> {
  const env = opts.env ?? process.env;
  if (opts.dataDir !== undefined) {
    return { dir: await requireComplete(opts.dataDir, "--data-dir"), source: "flag" };
  }
  const fromEnv = env["TENSORPLUG_DATA_DIR"];
  if (fromEnv !== undefined && fromEnv !== "") {
    return { dir: await requireComplete(fromEnv, "TENSORPLUG_DATA_DIR"), source: "env" };
  }
  const cache = cacheDir(env);
  if ((await missingFiles(cache)).length === 0) return { dir: cache, source: "cache" };
  const system = resolve(opts.systemDir ?? SYSTEM_DATA_DIR);
  if ((await missingFiles(system)).length === 0) return { dir: system, source: "system" };

  if (opts.download === false) throw waysToGetData(cache, "downloading is disabled");
  try {
    await download(cache, opts);
  } catch (error) {
    // A checksum mismatch is not "offline": the user needs to see it as it is; nor is an abort.
    if (error instanceof DatasetError && error.code === "E_CHECKSUM") throw error;
    if (opts.signal?.aborted) throw opts.signal.reason;
    throw waysToGetData(
      cache,
      `download from ${opts.mirror ?? DEFAULT_MIRROR} failed: ${reasonOf(error)}`,
      error,
    );
  }
  return { dir: cache, source: "download" };
}
