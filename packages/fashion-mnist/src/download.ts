import { createHash, randomBytes } from "node:crypto";
import { type FileHandle, open, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { DatasetError } from "./errors.js";

/** Progress of one file's download; `total` is undefined when the server sends no length. */
export interface DownloadProgress {
  /** The file being downloaded, e.g. `train-images-idx3-ubyte.gz`. */
  file: string;
  /** Bytes received so far. */
  received: number;
  /** The file's size in bytes, when the server said. */
  total: number | undefined;
}

function contentLength(response: Response): number | undefined {
  const header = response.headers.get("content-length");
  if (header === null) return undefined;
  const length = Number(header);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename itself durable. Not every platform lets a directory be opened for fsync,
  // and losing this only risks a re-download after a crash, so failures are ignored.
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // best effort, see above
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** The temporary name a download of `file` by process `pid` is written under. */
function partName(file: string, pid: number): string {
  return `.${file}.${pid}.${randomBytes(4).toString("hex")}.part`;
}

const PART = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.part$/;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as { code?: string }).code === "EPERM";
  }
}

/**
 * Removes the temporary files of downloads whose process is gone (killed before it could clean
 * up). A running download's file is left alone, so two processes may share a cache.
 */
export async function removeStaleParts(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const match = PART.exec(name);
    if (match && Number(match[2]) !== process.pid && !isAlive(Number(match[2]))) {
      await rm(join(dir, name), { force: true });
      removed.push(name);
    }
  }
  return removed;
}

/**
 * Downloads `url` to `dest` so that `dest` only ever appears complete and verified: the body is
 * streamed to a temporary name in the same directory while its MD5 is computed, then fsynced
 * and renamed into place. Any failure, and an abort through `signal`, removes the temporary file.
 *
 * @param expectedMd5 - lowercase hex MD5 the body must have
 * @throws DatasetError `E_CHECKSUM` naming the file with both checksums on a mismatch;
 *   `E_HTTP` for a non-2xx answer; network errors from `fetch` and the abort reason pass through
 */
export async function downloadFile(
  url: string,
  dest: string,
  expectedMd5: string,
  onProgress?: (p: DownloadProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  const file = basename(dest);
  // .gz files are already compressed; asking for identity keeps a server from adding a
  // Content-Encoding that fetch would silently undo, which would break the checksum and the length.
  const response = await fetch(url, {
    headers: { "accept-encoding": "identity" },
    ...(signal ? { signal } : {}),
  });
  if (!response.ok || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    throw new DatasetError("E_HTTP", `${url}: HTTP ${response.status} ${response.statusText}`, { file });
  }
  const total = contentLength(response);
  // Same directory as dest so the final rename is atomic; random suffix so concurrent
  // processes filling the same cache never write into each other's file.
  const temp = join(dirname(dest), partName(file, process.pid));
  const hash = createHash("md5");
  let handle: FileHandle | undefined;
  const reader = response.body.getReader();
  let drained = false;
  let renamed = false;
  try {
    handle = await open(temp, "wx");
    let received = 0;
    onProgress?.({ file, received, total });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        drained = true;
        break;
      }
      if (!(value instanceof Uint8Array)) {
        throw new DatasetError("E_HTTP", `${url}: response body yielded non-byte data`, { file });
      }
      hash.update(value);
      await handle.write(value);
      received += value.length;
      onProgress?.({ file, received, total });
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    const actual = hash.digest("hex");
    if (actual !== expectedMd5.toLowerCase()) {
      throw new DatasetError(
        "E_CHECKSUM",
        `${file}: checksum mismatch after download from ${url}: expected md5 ${expectedMd5}, got ${actual}; the download was deleted`,
        { file },
      );
    }
    await rename(temp, dest);
    renamed = true;
    await syncDir(dirname(dest));
  } finally {
    // An unread body would keep the connection busy until the server gives up on it.
    if (!drained) await reader.cancel().catch(() => undefined);
    await handle?.close().catch(() => undefined);
    if (!renamed) await rm(temp, { force: true });
  }
}
