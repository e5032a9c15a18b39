import { readFile } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import { DatasetError } from "./errors.js";

/**
 * The most a data file may decompress to. The largest Fashion-MNIST file is 47 MB; a corrupt or
 * hostile file that inflates without end is stopped here, long before memory runs out.
 */
export const MAX_DECOMPRESSED_BYTES = 256 * 2 ** 20;

/**
 * Decompresses `compressed` into one buffer sized from the gzip trailer (the last four bytes hold
 * the uncompressed size), copying each chunk in as it comes: the data exists once, where
 * collecting the chunks and joining them would hold it twice at the peak. The trailer is only a
 * hint: a damaged one means a second, growing buffer, never a wrong result.
 */
function gunzipSized(compressed: Buffer): Promise<Buffer> {
  const hint = compressed.length >= 4 ? compressed.readUInt32LE(compressed.length - 4) : 0;
  let out = Buffer.allocUnsafe(Math.min(hint, MAX_DECOMPRESSED_BYTES));
  let size = 0;
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip();
    gunzip.on("data", (chunk: Buffer) => {
      if (size + chunk.length > out.length) {
        const wanted = Math.max(size + chunk.length, out.length * 2);
        if (size + chunk.length > MAX_DECOMPRESSED_BYTES) {
          gunzip.destroy(new RangeError(`decompresses to more than ${MAX_DECOMPRESSED_BYTES} bytes`));
          return;
        }
        const grown = Buffer.allocUnsafe(Math.min(wanted, MAX_DECOMPRESSED_BYTES));
        out.copy(grown, 0, 0, size);
        out = grown;
      }
      chunk.copy(out, size);
      size += chunk.length;
    });
    gunzip.on("error", reject);
    gunzip.on("end", () => resolve(out.subarray(0, size)));
    gunzip.end(compressed);
  });
}

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
    bytes = await gunzipSized(compressed);
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
