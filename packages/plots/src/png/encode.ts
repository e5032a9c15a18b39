import { deflateSync } from "node:zlib";
import { type Bitmap, checkBitmap } from "./bitmap.js";
import { concatBytes, encodeChunk, PNG_SIGNATURE } from "./chunks.js";
import { filterRow } from "./filters.js";

const COLOR_TYPE = { 1: 0, 3: 2, 4: 6 } as const;

/** Options of {@link encodePng}. */
export interface EncodeOptions {
  /** tEXt chunks, e.g. `{ Software: "tensorplug" }`; Latin-1 keys of 1 to 79 characters. */
  readonly text?: Readonly<Record<string, string>>;
}

/**
 * Encodes an 8-bit gray, RGB or RGBA bitmap as a PNG file. Each row gets the filter whose output
 * has the smallest sum of absolute values (the heuristic the PNG spec recommends), then zlib level 9.
 */
export function encodePng(bitmap: Bitmap, options: EncodeOptions = {}): Uint8Array {
  checkBitmap(bitmap);
  const { width, height, channels, data } = bitmap;
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8;
  header[9] = COLOR_TYPE[channels];
  // bytes 10..12: deflate, adaptive filtering, no interlace (all zero)

  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  const candidates = Array.from({ length: 5 }, () => new Uint8Array(stride));
  let prior: Uint8Array = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = data.subarray(y * stride, (y + 1) * stride);
    let best = 0;
    let bestCost = Number.POSITIVE_INFINITY;
    for (let type = 0; type < 5; type++) {
      const out = candidates[type]!;
      filterRow(type, row, prior, channels, out);
      let cost = 0;
      for (let i = 0; i < stride; i++) cost += out[i]! < 128 ? out[i]! : 256 - out[i]!;
      if (cost < bestCost) {
        bestCost = cost;
        best = type;
      }
    }
    raw[y * (stride + 1)] = best;
    raw.set(candidates[best]!, y * (stride + 1) + 1);
    prior = row;
  }

  const texts = Object.entries(options.text ?? {}).map(([key, value]) => {
    if (!/^[\x20-\x7e]{1,79}$/.test(key)) throw new RangeError(`bad PNG text key "${key}"`);
    return encodeChunk(
      "tEXt",
      Uint8Array.from(`${key}\0${value}`, (c) => c.charCodeAt(0) & 0xff),
    );
  });
  return concatBytes([
    PNG_SIGNATURE,
    encodeChunk("IHDR", header),
    ...texts,
    encodeChunk("IDAT", new Uint8Array(deflateSync(raw, { level: 9 }))),
    encodeChunk("IEND", new Uint8Array(0)),
  ]);
}
