import { PngError } from "./errors.js";

/** Colour types of the PNG spec: gray, RGB, palette, gray + alpha, RGBA. */
export type ColorType = 0 | 2 | 3 | 4 | 6;

/** What IHDR, the header chunk of a PNG file, says about the image. */
export interface PngHeader {
  /** Columns, in pixels (at least 1). */
  readonly width: number;
  /** Rows, in pixels (at least 1). */
  readonly height: number;
  /** Bits per sample (per palette index for colour type 3): 1, 2, 4, 8 or 16, as the colour type allows. */
  readonly bitDepth: number;
  /** How pixels are stored: gray, RGB, palette, gray + alpha or RGBA. */
  readonly colorType: ColorType;
  /** Whether the rows are stored in the seven Adam7 passes rather than top to bottom. */
  readonly interlaced: boolean;
}

/** Samples per pixel as stored, by colour type. */
export const SAMPLES: Readonly<Record<ColorType, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

const DEPTHS: Readonly<Record<ColorType, readonly number[]>> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

// 64 Mpixel as RGBA floats is 1 GiB; anything larger is refused before allocating.
const MAX_PIXELS = 1 << 26;

/** Reads and checks IHDR (PNG spec 11.2.2). */
export function parseHeader(data: Uint8Array): PngHeader {
  if (data.length !== 13) throw new PngError(`IHDR has ${data.length} bytes, expected 13`);
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  const width = view.getUint32(0);
  const height = view.getUint32(4);
  const bitDepth = data[8]!;
  const colorType = data[9]! as ColorType;
  if (width === 0 || height === 0) throw new PngError(`the image is ${width}x${height}: no pixels`);
  if (width * height > MAX_PIXELS) {
    throw new PngError(`the image is ${width}x${height}, more than ${MAX_PIXELS} pixels`);
  }
  const depths = DEPTHS[colorType];
  if (!depths) throw new PngError(`unknown colour type ${data[9]}`);
  if (!depths.includes(bitDepth)) {
    throw new PngError(`bit depth ${bitDepth} is not allowed with colour type ${colorType}`);
  }
  if (data[10] !== 0 || data[11] !== 0) throw new PngError("unknown compression or filter method");
  if (data[12]! > 1) throw new PngError(`unknown interlace method ${data[12]}`);
  return { width, height, bitDepth, colorType, interlaced: data[12] === 1 };
}
