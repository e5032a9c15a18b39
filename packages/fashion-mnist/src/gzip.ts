import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { DatasetError } from "./errors.js";

const gunzipAsync = promisify(gunzip);

function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") {
    return error.code;
  }
  return undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads a gzipped file and returns its decompressed bytes. Decompression runs on libuv's thread
 * pool in one piece, so several files can be decoded in parallel.
 *
 * @param path - the `.gz` file
 * @throws DatasetError naming `path` if it cannot be read, is empty, is not gzip, or is truncated
 */
export async function readIdxGz(path: string): Promise<Uint8Array> {
  let compressed: Buffer;
  try {
    compressed = await readFile(path);
  } catch (error) {
    throw new DatasetError(
      "E_READ",
      `${path}: cannot read file (${errorCode(error) ?? errorMessage(error)})`,
      {
        file: path,
        cause: error,
      },
    );
  }
  if (compressed.length === 0) {
    throw new DatasetError("E_EMPTY", `${path}: file is empty`, { file: path });
  }
  // Checking the gzip magic ourselves gives a clearer message than zlib's "incorrect header check".
  if (compressed.length < 2 || compressed[0] !== 0x1f || compressed[1] !== 0x8b) {
    throw new DatasetError("E_GZIP", `${path}: not a gzip file (bad magic bytes)`, { file: path });
  }
  let bytes: Buffer;
  try {
    bytes = await gunzipAsync(compressed);
  } catch (error) {
    const truncated = errorCode(error) === "Z_BUF_ERROR";
    const what = truncated ? "truncated gzip data" : "corrupt gzip data";
    throw new DatasetError("E_GZIP", `${path}: ${what} (${errorMessage(error)})`, {
      file: path,
      cause: error,
    });
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
