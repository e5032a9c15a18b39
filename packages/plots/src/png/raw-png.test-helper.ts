import { deflateSync } from "node:zlib";
import { concatBytes, encodeChunk, PNG_SIGNATURE } from "./chunks.js";

// The Adam7 pattern as the PNG spec draws it (section 8.2): the pass of each pixel of an 8x8 tile.
// Written independently of the decoder's start/step table, so the two check each other.
const PATTERN = [
  "16462646",
  "77777777",
  "56565656",
  "77777777",
  "36463646",
  "77777777",
  "56565656",
  "77777777",
];

export interface RawPngSpec {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced?: boolean;
  /** Samples per pixel as stored, row after row (`width * height * channels` values). */
  samples: readonly number[];
  channels: number;
  palette?: readonly number[];
  trns?: Uint8Array;
  /** Filter type to use on every row (0..4, or an invalid one); default 0. */
  filter?: number;
}

/** Packs one row of samples at `bitDepth`. */
function packRow(samples: readonly number[], bitDepth: number): Uint8Array {
  if (bitDepth === 16) {
    const out = new Uint8Array(samples.length * 2);
    samples.forEach((s, i) => {
      out[2 * i] = s >> 8;
      out[2 * i + 1] = s & 0xff;
    });
    return out;
  }
  const out = new Uint8Array(Math.ceil((samples.length * bitDepth) / 8));
  samples.forEach((s, i) => {
    const bit = i * bitDepth;
    out[bit >> 3]! |= s << (8 - bitDepth - (bit & 7));
  });
  return out;
}

/** Applies a filter the simple way: each byte minus its predictor, predictors on the raw bytes. */
function filter(type: number, row: Uint8Array, prior: Uint8Array, bpp: number): Uint8Array {
  const out = new Uint8Array(row.length);
  // Types past 4 do not exist; they are written over the raw bytes to test the decoder's refusal.
  if (type > 4) return row.slice();
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp]! : 0;
    const b = prior[i] ?? 0;
    const c = i >= bpp ? (prior[i - bpp] ?? 0) : 0;
    const p = a + b - c;
    const paeth =
      Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
        ? a
        : Math.abs(p - b) <= Math.abs(p - c)
          ? b
          : c;
    const pred = [0, a, b, Math.floor((a + b) / 2), paeth][type]!;
    out[i] = (row[i]! - pred + 256) % 256;
  }
  return out;
}

/** A PNG written from explicit samples, for decoder tests: any colour type, depth, filter, interlace. */
export function rawPng(spec: RawPngSpec): Uint8Array {
  const { width, height, bitDepth, channels } = spec;
  const bpp = Math.max(1, (channels * bitDepth) >> 3);
  const passes: number[][][] = []; // pass -> rows -> pixel indices
  if (spec.interlaced) {
    for (let pass = 1; pass <= 7; pass++) {
      const rows: number[][] = [];
      for (let y = 0; y < height; y++) {
        const row: number[] = [];
        for (let x = 0; x < width; x++) if (Number(PATTERN[y % 8]![x % 8]) === pass) row.push(y * width + x);
        if (row.length > 0) rows.push(row);
      }
      passes.push(rows);
    }
  } else {
    passes.push(
      Array.from({ length: height }, (_, y) => Array.from({ length: width }, (_, x) => y * width + x)),
    );
  }
  const parts: Uint8Array[] = [];
  for (const rows of passes) {
    let prior: Uint8Array = new Uint8Array(0);
    for (const pixels of rows) {
      const row = packRow(
        pixels.flatMap((p) => spec.samples.slice(p * channels, (p + 1) * channels)),
        bitDepth,
      );
      const type = spec.filter ?? 0;
      parts.push(Uint8Array.of(type), filter(type, row, prior, bpp));
      prior = row;
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([bitDepth, spec.colorType, 0, 0, spec.interlaced ? 1 : 0], 8);
  return concatBytes([
    PNG_SIGNATURE,
    encodeChunk("IHDR", header),
    ...(spec.palette ? [encodeChunk("PLTE", Uint8Array.from(spec.palette))] : []),
    ...(spec.trns ? [encodeChunk("tRNS", spec.trns)] : []),
    encodeChunk("IDAT", new Uint8Array(deflateSync(concatBytes(parts)))),
    encodeChunk("IEND", new Uint8Array(0)),
  ]);
}
