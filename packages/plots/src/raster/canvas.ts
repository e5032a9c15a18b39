import type { Mask } from "../font/mask.js";
import type { Bitmap } from "../png/bitmap.js";
import { parseColor, type Rgb } from "./color.js";

/**
 * An opaque RGB drawing surface. Everything is blended with a coverage in [0, 1], which is how
 * edges get anti-aliased without supersampling. Coordinates are in pixels, (0, 0) at the top left
 * corner of the top left pixel, so pixel (i, j) has its centre at (i + 0.5, j + 0.5).
 */
export class Canvas {
  /** Columns, in pixels. */
  readonly width: number;
  /** Rows, in pixels. */
  readonly height: number;
  /** 3 floats per pixel, 0..255. */
  private readonly rgb: Float32Array;

  constructor(width: number, height: number, background = "#ffffff") {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`canvas size must be whole and positive, got ${width}x${height}`);
    }
    this.width = width;
    this.height = height;
    this.rgb = new Float32Array(width * height * 3);
    const bg = parseColor(background);
    for (let i = 0; i < width * height; i++) this.rgb.set(bg, i * 3);
  }

  /** Blends `color` into pixel (x, y) with weight `alpha`; pixels outside are ignored. */
  blend(x: number, y: number, color: Rgb, alpha: number): void {
    if (alpha <= 0 || x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const a = Math.min(1, alpha);
    const i = (y * this.width + x) * 3;
    for (let k = 0; k < 3; k++) this.rgb[i + k] = this.rgb[i + k]! * (1 - a) + color[k]! * a;
  }

  /** The colour of pixel (x, y), rounded to bytes. */
  pixel(x: number, y: number): Rgb {
    const i = (y * this.width + x) * 3;
    return [Math.round(this.rgb[i]!), Math.round(this.rgb[i + 1]!), Math.round(this.rgb[i + 2]!)];
  }

  /** Fills a rectangle; fractional edges get partial coverage. */
  fillRect(x: number, y: number, w: number, h: number, color: Rgb, alpha = 1): void {
    const x0 = Math.max(0, Math.floor(x));
    const y0 = Math.max(0, Math.floor(y));
    const x1 = Math.min(this.width, Math.ceil(x + w));
    const y1 = Math.min(this.height, Math.ceil(y + h));
    for (let j = y0; j < y1; j++) {
      const cy = Math.min(j + 1, y + h) - Math.max(j, y);
      for (let i = x0; i < x1; i++) {
        const cx = Math.min(i + 1, x + w) - Math.max(i, x);
        this.blend(i, j, color, alpha * cx * cy);
      }
    }
  }

  /** Blends a coverage mask with its top left corner at pixel (x, y). */
  drawMask(mask: Mask, x: number, y: number, color: Rgb, alpha = 1): void {
    const left = Math.round(x);
    const top = Math.round(y);
    for (let j = 0; j < mask.height; j++) {
      for (let i = 0; i < mask.width; i++) {
        const coverage = mask.data[j * mask.width + i]!;
        if (coverage > 0) this.blend(left + i, top + j, color, alpha * coverage);
      }
    }
  }

  /** Copies a `columns x rows` image of colours, each source pixel as a `scale x scale` block. */
  drawPixels(
    columns: number,
    rows: number,
    colorAt: (col: number, row: number) => Rgb,
    x: number,
    y: number,
    scale: number,
  ): void {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        const color = colorAt(c, r);
        for (let j = 0; j < scale; j++) {
          for (let i = 0; i < scale; i++) this.blend(x + c * scale + i, y + r * scale + j, color, 1);
        }
      }
    }
  }

  /** The canvas as an 8-bit RGB bitmap, ready for `encodePng`. */
  toBitmap(): Bitmap {
    const data = new Uint8Array(this.rgb.length);
    for (let i = 0; i < data.length; i++) data[i] = Math.round(Math.min(255, Math.max(0, this.rgb[i]!)));
    return { width: this.width, height: this.height, channels: 3, data };
  }
}
