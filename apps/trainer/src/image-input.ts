import { readFileSync, statSync } from "node:fs";
import { IMAGE_COLS, IMAGE_ROWS } from "@tensorplug/fashion-mnist";
import { type DecodedPng, decodePng, isPng, PngError, resizeGray, toGray } from "@tensorplug/plots";
import { CliError } from "./cli-error.js";
import { UsageError } from "./usage-error.js";

/** A picture turned into the model's input, and what was done to it. */
export interface ImageInput {
  /** 784 values in [0, 1], row-major, light garment on black like the data set. */
  readonly x: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly colorType: number;
  readonly bitDepth: number;
  /** Steps taken to make it a 28x28 gray image; empty when it was one already. */
  readonly conversion: readonly string[];
  /** Mean level of the outermost pixels after conversion: high means a light background. */
  readonly borderMean: number;
}

const KIND: Readonly<Record<number, string>> = {
  0: "gray",
  2: "RGB",
  3: "palette",
  4: "gray+alpha",
  6: "RGBA",
};

/** Describes a decoded PNG in a few words: `120x90 RGBA, 8-bit`. */
export function describePng(png: DecodedPng): string {
  return `${png.width}x${png.height} ${KIND[png.colorType] ?? "?"}, ${png.bitDepth}-bit${png.interlaced ? ", interlaced" : ""}`;
}

/**
 * The way the book's images are made: gray, 28x28, levels in [0, 1]. A 28x28 gray PNG is read as
 * it is (levels divided by the largest level); anything else is converted and the steps are listed.
 */
export function toModelInput(png: DecodedPng): ImageInput {
  const conversion: string[] = [];
  if (!png.gray) conversion.push("colour to gray (BT.601 luma)");
  if (png.transparency) conversion.push("transparency laid over black");
  const gray = toGray(png);
  const sized = resizeGray(gray, IMAGE_COLS, IMAGE_ROWS);
  if (png.width !== IMAGE_COLS || png.height !== IMAGE_ROWS) {
    const stretch = png.width !== png.height ? " (aspect ratio not kept)" : "";
    conversion.push(`resized ${png.width}x${png.height} to ${IMAGE_COLS}x${IMAGE_ROWS}${stretch}`);
  }
  if (conversion.length > 0) conversion.push("levels scaled to [0, 1]");
  const x = new Float32Array(IMAGE_COLS * IMAGE_ROWS);
  for (let i = 0; i < x.length; i++) x[i] = Math.min(1, Math.max(0, sized.values[i]!));
  let border = 0;
  let count = 0;
  for (let r = 0; r < IMAGE_ROWS; r++) {
    for (let c = 0; c < IMAGE_COLS; c++) {
      if (r === 0 || c === 0 || r === IMAGE_ROWS - 1 || c === IMAGE_COLS - 1) {
        border += x[r * IMAGE_COLS + c]!;
        count++;
      }
    }
  }
  return {
    x,
    width: png.width,
    height: png.height,
    colorType: png.colorType,
    bitDepth: png.bitDepth,
    conversion,
    borderMean: border / count,
  };
}

/** Reads `--image FILE`: a missing file or a non-PNG is a usage mistake, a broken PNG a runtime error. */
export function readImageArg(path: string, command: string): { png: DecodedPng; input: ImageInput } {
  let bytes: Uint8Array;
  try {
    if (!statSync(path).isFile())
      throw new UsageError(`--image ${path}: not a file; pass a PNG image`, command);
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--image ${path}: no such file; pass a PNG image`, command);
  }
  if (!isPng(bytes)) {
    throw new UsageError(
      `--image ${path}: not a PNG file (no PNG signature); convert it to PNG first`,
      command,
    );
  }
  try {
    const png = decodePng(bytes);
    return { png, input: toModelInput(png) };
  } catch (error) {
    if (error instanceof PngError)
      throw new CliError(`--image ${path}: cannot read this PNG: ${error.message}`);
    throw error;
  }
}
