import { DatasetError } from "./errors.js";

/** Bytes per value of each IDX data type (the third byte of the magic number). */
const VALUE_BYTES: Readonly<Record<number, number>> = {
  8: 1, // unsigned byte
  9: 1, // signed byte
  11: 2, // short
  12: 4, // int
  13: 4, // float
  14: 8, // double
};

/**
 * The largest decompressed IDX file read by default: 256 MiB, over five times the largest
 * Fashion-MNIST file (train images, 47,040,016 bytes). A header claiming more is refused before
 * anything is allocated for it.
 */
export const MAX_IDX_BYTES = 256 * 1024 * 1024;

/** What the first bytes of an IDX file say about its total length. */
export type DeclaredLength =
  | { readonly kind: "need"; readonly bytes: number }
  | { readonly kind: "length"; readonly bytes: number; readonly dims: readonly number[] };

const hex32 = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;

/**
 * Reads the header at the start of a (decompressed) IDX file: two zero bytes, the data type, the
 * number of dimensions, then each dimension as a big-endian 32-bit count. Returns how many bytes
 * the whole file must have, or how many bytes are needed to know that.
 *
 * @param head - the first bytes of the file (any number)
 * @param file - name used in error messages
 * @param maxBytes - the largest total length accepted
 * @throws DatasetError `E_IDX_MAGIC` when the bytes cannot start an IDX file, `E_IDX_TOO_LARGE`
 *   when the header declares more than `maxBytes` in total
 */
export function declaredIdxLength(head: Uint8Array, file: string, maxBytes: number): DeclaredLength {
  if (head.length < 4) return { kind: "need", bytes: 4 };
  const view = new DataView(head.buffer, head.byteOffset, head.length);
  const magic = view.getUint32(0);
  const valueBytes = VALUE_BYTES[head[2]!];
  const rank = head[3]!;
  if (head[0] !== 0 || head[1] !== 0 || valueBytes === undefined || rank === 0) {
    throw new DatasetError(
      "E_IDX_MAGIC",
      `${file}: bad magic number ${hex32(magic)}, not an IDX file (expected 0x0000080N)`,
      { file },
    );
  }
  const headerBytes = 4 + 4 * rank;
  if (head.length < headerBytes) return { kind: "need", bytes: headerBytes };
  const dims: number[] = [];
  // Float arithmetic: a product past 2^53 is inexact but still far above any limit, so the
  // comparison below stays right.
  let values = 1;
  for (let d = 0; d < rank; d++) {
    const size = view.getUint32(4 + 4 * d);
    dims.push(size);
    values *= size;
  }
  const bytes = headerBytes + values * valueBytes;
  if (bytes > maxBytes) {
    throw new DatasetError(
      "E_IDX_TOO_LARGE",
      `${file}: header declares ${dims.join("x")} values (${bytes} bytes), more than the ${maxBytes}-byte limit; the file is corrupt or not Fashion-MNIST`,
      { file },
    );
  }
  return { kind: "length", bytes, dims };
}
