import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import { DatasetError } from "./errors.js";
import { checkIdxHeader } from "./idx.js";
import { type DeclaredLength, declaredIdxLength, MAX_IDX_BYTES } from "./idx-header.js";

/** How much of a gzipped IDX file to read. */
export interface ReadIdxOptions {
  /** The largest decompressed size accepted; default {@link MAX_IDX_BYTES}. */
  readonly maxBytes?: number;
  /**
   * What the file must hold: its header is then checked (magic number, image dimensions) as soon
   * as it arrives, so a wrong file is named for what is wrong with it before its data is read.
   */
  readonly expect?: "images" | "labels";
  /**
   * Where the decompressed file goes when the gzip trailer gives its size up front (it does for
   * every file that is not corrupt): a buffer of exactly `length` bytes, such as memory a backend
   * reads in place (core's `hostBytes`). Default: a fresh buffer.
   */
  readonly allocate?: ((length: number) => Uint8Array) | undefined;
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

function readError(path: string, error: unknown): DatasetError {
  return new DatasetError(
    "E_READ",
    `${path}: cannot read file (${errorCode(error) ?? errorMessage(error)})`,
    {
      file: path,
      cause: error,
    },
  );
}

/**
 * Checks that `path` is a non-empty gzip file and reads its trailer: the last four bytes, the
 * uncompressed size modulo 2^32 (`-1` for a file too short to have one). The file itself is then
 * streamed, never held whole: the train images are 26 MB compressed.
 */
async function gzipTrailer(path: string): Promise<number> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw readError(path, error);
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) throw new DatasetError("E_EMPTY", `${path}: file is empty`, { file: path });
    const ends = Buffer.alloc(4);
    await handle.read(ends, 0, Math.min(2, size), 0);
    // Checking the gzip magic ourselves gives a clearer message than zlib's "incorrect header check".
    if (size < 2 || ends[0] !== 0x1f || ends[1] !== 0x8b) {
      throw new DatasetError("E_GZIP", `${path}: not a gzip file (bad magic bytes)`, { file: path });
    }
    if (size < 4) return -1;
    await handle.read(ends, 0, 4, size - 4);
    return ends.readUInt32LE(0);
  } catch (error) {
    throw error instanceof DatasetError ? error : readError(path, error);
  } finally {
    await handle.close();
  }
}

/** A buffer of `length` bytes from the caller's `allocate`, as a `Buffer` over the same memory. */
function allocated(allocate: (length: number) => Uint8Array, length: number): Buffer {
  const bytes = allocate(length);
  if (bytes.length !== length) {
    throw new RangeError(
      `allocate(${length}) returned ${bytes.length} bytes; it must return exactly ${length}`,
    );
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/**
 * Decompresses the file at `path` as a stream (read in 1 MB pieces), checking the IDX header as soon as its bytes arrive: a
 * header declaring more than `maxBytes` stops the stream before the data is held, and output past
 * the declared length stops it too, so a corrupt file or a gzip bomb never fills memory. The data
 * goes into one buffer of the declared length, allocated once when the gzip trailer (whose last
 * four bytes hold the uncompressed size) agrees with the header, so it exists once in memory rather
 * than as chunks and their join; a disagreeing trailer means a buffer grown as data comes, never
 * past the declared length. With `headerOnly`, stops once the header is known and returns its bytes.
 */
function gunzipIdx(
  trailerSize: number,
  path: string,
  options: ReadIdxOptions,
  headerOnly: boolean,
): Promise<{ bytes: Uint8Array; declared?: DeclaredLength & { kind: "length" } }> {
  const maxBytes = options.maxBytes ?? MAX_IDX_BYTES;
  return new Promise((resolve, reject) => {
    const input = createReadStream(path, { highWaterMark: 1 << 20 });
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    let head: Buffer[] = [];
    let out: Buffer | undefined;
    let size = 0;
    let declared: (DeclaredLength & { kind: "length" }) | undefined;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      gunzip.destroy();
      // Settled once the file is closed (and the close's own request let go, a turn later), so
      // that nothing of this read is still pending when the caller goes on.
      const settle = () => setImmediate(outcome);
      if (input.closed) settle();
      else {
        input.once("close", settle);
        input.destroy();
      }
    };
    const view = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.length);
    const runsPast = (length: DeclaredLength & { kind: "length" }) =>
      new DatasetError(
        "E_IDX_LENGTH",
        `${path}: data runs past the ${length.bytes} bytes its header declares (${length.dims.join("x")} values)`,
        { file: path },
      );
    /** Takes the first chunks until the header is whole; then sizes the output. */
    const takeHead = (chunk: Buffer): void => {
      head.push(chunk);
      size += chunk.length;
      // The header is at most 4 + 4 * 255 bytes, so this join runs on a few bytes only.
      const bytes = head.length === 1 ? chunk : Buffer.concat(head, size);
      const found = declaredIdxLength(bytes, path, maxBytes);
      if (found.kind === "need") {
        if (size > maxBytes) {
          throw new DatasetError("E_IDX_TOO_LARGE", `${path}: more than ${maxBytes} bytes`, { file: path });
        }
        return;
      }
      if (options.expect) checkIdxHeader(bytes, options.expect, path);
      declared = found;
      if (size > found.bytes) throw runsPast(found);
      if (headerOnly) {
        finish(() => resolve({ bytes: view(bytes), declared: found }));
        return;
      }
      const sized = trailerSize === found.bytes % 2 ** 32;
      out =
        sized && options.allocate
          ? allocated(options.allocate, found.bytes)
          : Buffer.allocUnsafe(sized ? found.bytes : Math.min(found.bytes, Math.max(size, 1 << 20)));
      bytes.copy(out, 0);
      head = [];
    };
    gunzip.on("data", (chunk: Buffer) => {
      if (settled) return;
      try {
        if (declared === undefined || out === undefined) {
          takeHead(chunk);
          return;
        }
        if (size + chunk.length > declared.bytes) throw runsPast(declared);
        if (size + chunk.length > out.length) {
          const grown = Buffer.allocUnsafe(
            Math.min(declared.bytes, Math.max(2 * out.length, size + chunk.length)),
          );
          out.copy(grown, 0, 0, size);
          out = grown;
        }
        chunk.copy(out, size);
        size += chunk.length;
      } catch (error) {
        finish(() => reject(error));
      }
    });
    gunzip.on("error", (error) => {
      const truncated = errorCode(error) === "Z_BUF_ERROR";
      const what = truncated ? "truncated gzip data" : "corrupt gzip data";
      finish(() =>
        reject(
          new DatasetError("E_GZIP", `${path}: ${what} (${errorMessage(error)})`, {
            file: path,
            cause: error,
          }),
        ),
      );
    });
    gunzip.on("end", () =>
      finish(() => {
        if (declared !== undefined && out !== undefined) {
          resolve({ bytes: view(out.subarray(0, size)), declared });
        } else resolve({ bytes: view(Buffer.concat(head, size)) });
      }),
    );
    input.on("error", (error) => finish(() => reject(readError(path, error))));
    input.pipe(gunzip);
  });
}

/**
 * Reads a gzipped IDX file and returns its decompressed bytes. Decompression runs on libuv's thread
 * pool, so several files can be decoded in parallel, and is bounded by the IDX header: a header
 * claiming more than `maxBytes` (10^9 images, say) fails before anything is allocated for it.
 *
 * @param path - the `.gz` file
 * @throws DatasetError naming `path` if it cannot be read, is empty, is not gzip, is truncated,
 *   does not start with an IDX header, or declares or holds more than the limit
 */
export async function readIdxGz(path: string, options: ReadIdxOptions = {}): Promise<Uint8Array> {
  return (await gunzipIdx(await gzipTrailer(path), path, options, false)).bytes;
}

/**
 * The dimensions an IDX file's header declares (`[count, 28, 28]` for images), decompressing only
 * as far as the header: cheap enough to check settings against the data before loading it.
 *
 * @throws DatasetError as {@link readIdxGz} does, and `E_IDX_HEADER` when the file ends inside its header
 */
export async function readIdxDims(path: string, options: ReadIdxOptions = {}): Promise<readonly number[]> {
  const { bytes, declared } = await gunzipIdx(await gzipTrailer(path), path, options, true);
  if (declared === undefined) {
    throw new DatasetError("E_IDX_HEADER", `${path}: ${bytes.length} bytes is too short for an IDX header`, {
      file: path,
    });
  }
  return declared.dims;
}
