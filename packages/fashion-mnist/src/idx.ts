import { IMAGE_COLS, IMAGE_ROWS, IMAGE_SIZE, NUM_CLASSES } from "./constants.js";
import { DatasetError } from "./errors.js";

const IMAGES_MAGIC = 0x00000803; // unsigned byte data, 3 dimensions
const LABELS_MAGIC = 0x00000801; // unsigned byte data, 1 dimension
const IMAGES_HEADER_BYTES = 16;
const LABELS_HEADER_BYTES = 8;

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

function checkMagic(bytes: Uint8Array, expected: number, what: string, name: string): void {
  if (bytes.length < 4) return; // too short for a magic number: the header check says so
  const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  if (magic !== expected) {
    throw new DatasetError(
      "E_IDX_MAGIC",
      `${name}: bad magic number ${hex32(magic)}, expected ${hex32(expected)} for IDX ${what}`,
      { file: name },
    );
  }
}

function header(bytes: Uint8Array, size: number, what: string, name: string): DataView {
  if (bytes.length < size) {
    throw new DatasetError(
      "E_IDX_HEADER",
      `${name}: ${bytes.length} bytes is too short for an IDX ${what} header (${size} bytes)`,
      { file: name },
    );
  }
  // IDX integers are big-endian; DataView reads them without copying.
  return new DataView(bytes.buffer, bytes.byteOffset, size);
}

/**
 * Checks the header at the start of an IDX file of `kind`: the magic number, then (images) the
 * 28x28 dimensions. Needs only the header's bytes, so a reader can call it before the data.
 *
 * @returns the item count the header declares
 * @throws DatasetError `E_IDX_MAGIC`, `E_IDX_HEADER` or `E_IDX_DIMS` naming `name`
 */
export function checkIdxHeader(bytes: Uint8Array, kind: "images" | "labels", name: string): number {
  const images = kind === "images";
  checkMagic(bytes, images ? IMAGES_MAGIC : LABELS_MAGIC, kind, name);
  const view = header(bytes, images ? IMAGES_HEADER_BYTES : LABELS_HEADER_BYTES, kind, name);
  if (images) {
    const rows = view.getUint32(8);
    const cols = view.getUint32(12);
    if (rows !== IMAGE_ROWS || cols !== IMAGE_COLS) {
      throw new DatasetError(
        "E_IDX_DIMS",
        `${name}: images are ${rows}x${cols}, expected ${IMAGE_ROWS}x${IMAGE_COLS}`,
        { file: name },
      );
    }
  }
  return view.getUint32(4);
}

function checkLength(
  bytes: Uint8Array,
  headerBytes: number,
  count: number,
  itemBytes: number,
  name: string,
): void {
  // Compared before anything is allocated, so a corrupt header claiming 10^9 images fails at once.
  // count * itemBytes stays below 2^53, so the arithmetic is exact.
  const expected = headerBytes + count * itemBytes;
  if (bytes.length !== expected) {
    throw new DatasetError(
      "E_IDX_LENGTH",
      `${name}: header says ${count} items (${expected} bytes) but the data is ${bytes.length} bytes`,
      { file: name },
    );
  }
}

/**
 * Decodes an IDX3 image file (already gunzipped). Checks magic, 28x28 dimensions and that the
 * byte length matches the header count exactly.
 *
 * @param bytes - the whole decompressed file
 * @param file - name used in error messages
 * @returns `images` as `count * IMAGE_SIZE` row-major bytes; a view into `bytes`, not a copy
 * @throws DatasetError naming `file` when the data is malformed
 */
export function parseIdxImages(
  bytes: Uint8Array,
  file?: string,
): {
  /** `count * IMAGE_SIZE` pixel bytes, a view of `bytes`. */
  images: Uint8Array;
  /** Number of images. */
  count: number;
} {
  const name = file ?? "<IDX images>";
  const count = checkIdxHeader(bytes, "images", name);
  checkLength(bytes, IMAGES_HEADER_BYTES, count, IMAGE_SIZE, name);
  const images = new Uint8Array(bytes.buffer, bytes.byteOffset + IMAGES_HEADER_BYTES, count * IMAGE_SIZE);
  return { images, count };
}

/**
 * Decodes an IDX1 label file (already gunzipped). Checks magic, that the byte length matches
 * the header count, and that every label is a class index 0..9.
 *
 * @param bytes - the whole decompressed file
 * @param file - name used in error messages
 * @returns one label per example; a view into `bytes`, not a copy
 * @throws DatasetError naming `file` when the data is malformed
 */
export function parseIdxLabels(bytes: Uint8Array, file?: string): Uint8Array {
  const name = file ?? "<IDX labels>";
  const count = checkIdxHeader(bytes, "labels", name);
  checkLength(bytes, LABELS_HEADER_BYTES, count, 1, name);
  const labels = new Uint8Array(bytes.buffer, bytes.byteOffset + LABELS_HEADER_BYTES, count);
  for (let i = 0; i < count; i++) {
    const label = labels[i]!;
    if (label >= NUM_CLASSES) {
      throw new DatasetError(
        "E_IDX_LABEL",
        `${name}: label ${label} at index ${i} is out of range 0..${NUM_CLASSES - 1}`,
        { file: name },
      );
    }
  }
  return labels;
}
