import { inflateSync } from "node:zlib";
import { concatBytes, PNG_SIGNATURE } from "./chunks.js";
import { crc32 } from "./crc32.js";
import { PngError } from "./errors.js";
import { unfilterRow } from "./filters.js";
import { type ColorType, type PngHeader, parseHeader, SAMPLES } from "./header.js";

/** A decoded PNG: what the file said, and every pixel as red, green, blue, alpha in [0, 1]. */
export interface DecodedPng extends PngHeader {
  /** `width * height * 4` values in [0, 1], row after row. */
  readonly rgba: Float32Array;
  /** True for colour types 0 and 4, whatever the pixels hold. */
  readonly gray: boolean;
  /** An alpha channel or a tRNS chunk is present. */
  readonly transparency: boolean;
}

// Adam7: first column, first row, column step, row step of each of the seven passes.
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** Tells a PNG by its first eight bytes. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

interface Chunks {
  header: PngHeader;
  palette?: Uint8Array;
  trns?: Uint8Array;
  idat: Uint8Array;
}

function readChunks(bytes: Uint8Array): Chunks {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let offset = 8;
  let header: PngHeader | undefined;
  let palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (!ended) {
    if (offset + 12 > bytes.length) throw new PngError("the file ends in the middle of a chunk (truncated?)");
    const length = view.getUint32(offset);
    const typeBytes = bytes.subarray(offset + 4, offset + 8);
    const type = String.fromCharCode(...typeBytes);
    if (offset + 12 + length > bytes.length) {
      throw new PngError(`chunk ${type} runs past the end of the file (truncated?)`);
    }
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (view.getUint32(offset + 8 + length) !== crc32(typeBytes, data)) {
      throw new PngError(`chunk ${type} fails its CRC check (the file is corrupt)`);
    }
    offset += 12 + length;
    if (!header && type !== "IHDR") throw new PngError("the first chunk is not IHDR");
    if (type === "IHDR") {
      if (header) throw new PngError("more than one IHDR chunk");
      header = parseHeader(data);
    } else if (type === "PLTE") palette = data;
    else if (type === "tRNS") trns = data;
    else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") ended = true;
    else if ((typeBytes[0]! & 0x20) === 0) {
      // Upper-case first letter: a critical chunk we do not know, which the spec says must stop us.
      throw new PngError(`unknown critical chunk ${type}`);
    }
  }
  if (!header) throw new PngError("no IHDR chunk");
  if (idat.length === 0) throw new PngError("no image data (IDAT)");
  if (header.colorType === 3) {
    if (!palette || palette.length % 3 !== 0 || palette.length === 0) {
      throw new PngError("a palette image without a valid PLTE chunk");
    }
  }
  return {
    header,
    ...(palette ? { palette } : {}),
    ...(trns ? { trns } : {}),
    idat: concatBytes(idat),
  };
}

/** Unfiltered bytes of one pass (or of the whole image when not interlaced), row after row. */
function unfilterPass(
  raw: Uint8Array,
  offset: number,
  width: number,
  height: number,
  bitsPerPixel: number,
): { rows: Uint8Array[]; next: number } {
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const rows: Uint8Array[] = [];
  let prior: Uint8Array = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    if (offset + 1 + stride > raw.length) throw new PngError("the image data is shorter than the image");
    const type = raw[offset]!;
    const row = raw.slice(offset + 1, offset + 1 + stride);
    if (!unfilterRow(type, row, prior, bpp)) throw new PngError(`unknown filter type ${type} in row ${y}`);
    rows.push(row);
    prior = row;
    offset += 1 + stride;
  }
  return { rows, next: offset };
}

/** Sample `index` of a row at `bitDepth`, MSB first for depths below 8, big-endian for 16. */
function sample(row: Uint8Array, index: number, bitDepth: number): number {
  if (bitDepth === 8) return row[index]!;
  if (bitDepth === 16) return (row[2 * index]! << 8) | row[2 * index + 1]!;
  const perByte = 8 / bitDepth;
  const byte = row[Math.floor(index / perByte)]!;
  const shift = 8 - bitDepth * ((index % perByte) + 1);
  return (byte >> shift) & ((1 << bitDepth) - 1);
}

function makePixelWriter(
  chunks: Chunks,
  rgba: Float32Array,
): (row: Uint8Array, x: number, at: number) => void {
  const { colorType, bitDepth } = chunks.header;
  const max = (1 << bitDepth) - 1;
  const samples = SAMPLES[colorType];
  const { palette, trns } = chunks;
  const trnsView = trns ? new DataView(trns.buffer, trns.byteOffset, trns.length) : undefined;
  const key = (i: number) =>
    trnsView && trnsView.byteLength >= 2 * (i + 1) ? trnsView.getUint16(2 * i) : -1;
  const grayKey = colorType === 0 ? key(0) : -1;
  const rgbKey = colorType === 2 ? [key(0), key(1), key(2)] : undefined;
  return (row, x, at) => {
    const s = (k: number) => sample(row, x * samples + k, bitDepth);
    switch (colorType as ColorType) {
      case 0: {
        const v = s(0);
        rgba[at] = rgba[at + 1] = rgba[at + 2] = v / max;
        rgba[at + 3] = v === grayKey ? 0 : 1;
        return;
      }
      case 4: {
        rgba[at] = rgba[at + 1] = rgba[at + 2] = s(0) / max;
        rgba[at + 3] = s(1) / max;
        return;
      }
      case 2: {
        const r = s(0);
        const g = s(1);
        const b = s(2);
        rgba[at] = r / max;
        rgba[at + 1] = g / max;
        rgba[at + 2] = b / max;
        rgba[at + 3] = rgbKey && r === rgbKey[0] && g === rgbKey[1] && b === rgbKey[2] ? 0 : 1;
        return;
      }
      case 6: {
        for (let k = 0; k < 4; k++) rgba[at + k] = s(k) / max;
        return;
      }
      case 3: {
        const index = s(0);
        if (3 * index + 2 >= palette!.length) {
          throw new PngError(`palette index ${index} is outside the ${palette!.length / 3}-colour palette`);
        }
        for (let k = 0; k < 3; k++) rgba[at + k] = palette![3 * index + k]! / 255;
        rgba[at + 3] = trns && index < trns.length ? trns[index]! / 255 : 1;
        return;
      }
    }
  };
}

/**
 * Decodes any valid PNG (every colour type and bit depth, palettes, tRNS, Adam7 interlacing).
 * Ancillary chunks other than tRNS are ignored: no gamma or colour-profile correction.
 *
 * @throws PngError with a one-line reason for anything that is not a readable PNG
 */
export function decodePng(bytes: Uint8Array): DecodedPng {
  if (!isPng(bytes)) throw new PngError("not a PNG file (it does not start with the PNG signature)");
  const chunks = readChunks(bytes);
  const { header } = chunks;
  const { width, height, bitDepth, colorType } = header;
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(inflateSync(chunks.idat));
  } catch (error) {
    throw new PngError(`the image data does not inflate (${(error as Error).message})`);
  }
  const bitsPerPixel = SAMPLES[colorType] * bitDepth;
  const rgba = new Float32Array(width * height * 4);
  const write = makePixelWriter(chunks, rgba);
  const passes = header.interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  let offset = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const passWidth = Math.ceil((width - x0) / dx);
    const passHeight = Math.ceil((height - y0) / dy);
    if (passWidth <= 0 || passHeight <= 0) continue;
    const { rows, next } = unfilterPass(raw, offset, passWidth, passHeight, bitsPerPixel);
    offset = next;
    rows.forEach((row, j) => {
      const y = y0 + j * dy;
      for (let i = 0; i < passWidth; i++) write(row, i, (y * width + x0 + i * dx) * 4);
    });
  }
  return {
    ...header,
    rgba,
    gray: colorType === 0 || colorType === 4,
    transparency: colorType === 4 || colorType === 6 || chunks.trns !== undefined,
  };
}
