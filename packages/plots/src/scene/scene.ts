import type { Bitmap } from "../png/bitmap.js";
import type { Point } from "../raster/stroke.js";

/** Where a text's x refers to: its start, middle or end (along its reading direction). */
export type Anchor = "start" | "middle" | "end";

/**
 * One drawing instruction of a {@link Scene}, rendered the same way to SVG and to pixels.
 *
 * Coordinates and lengths are in pixels of the scene: (0, 0) is the top left corner, x grows to the
 * right and y downwards, and pixel (i, j) covers the square from (i, j) to (i + 1, j + 1), so a
 * 1-pixel line is sharp when it runs through pixel centres (`y = j + 0.5`). Fractional positions
 * are allowed; the PNG renderer anti-aliases them. Colours are `#rrggbb` or `#rgb` strings.
 */
export type Shape =
  /** A rectangle, filled, outlined or both; with neither it draws nothing. */
  | {
      /** Tells the shapes apart: this one is a rectangle. */
      readonly kind: "rect";
      /** Left edge, in pixels. */
      readonly x: number;
      /** Top edge, in pixels. */
      readonly y: number;
      /** Width in pixels, outline included. */
      readonly width: number;
      /** Height in pixels, outline included. */
      readonly height: number;
      /** Fill colour; no fill when absent. */
      readonly fill?: string;
      /** Outline colour; no outline when absent. The outline lies inside the edges, not across them. */
      readonly stroke?: string;
      /** Outline width in pixels. Default 1. */
      readonly strokeWidth?: number;
    }
  /** An open polyline through `points`, with round joins and round caps. */
  | {
      /** Tells the shapes apart: this one is a polyline. */
      readonly kind: "line";
      /** The vertices in drawing order; two or more make a visible line. */
      readonly points: readonly Point[];
      /** Stroke colour. */
      readonly color: string;
      /** Stroke width in pixels. */
      readonly width: number;
      /**
       * Dash pattern: alternating on and off lengths in pixels, starting with on, measured along the
       * line (as SVG's `stroke-dasharray`; an odd-length pattern is repeated twice). Solid when absent.
       */
      readonly dash?: readonly number[];
    }
  /** A filled disc. */
  | {
      /** Tells the shapes apart: this one is a disc. */
      readonly kind: "circle";
      /** Centre x, in pixels. */
      readonly cx: number;
      /** Centre y, in pixels. */
      readonly cy: number;
      /** Radius in pixels. */
      readonly r: number;
      /** Fill colour. */
      readonly fill: string;
    }
  /** One line of text: the pixel font in PNGs, the viewer's sans-serif font in SVGs. */
  | {
      /** Tells the shapes apart: this one is a line of text. */
      readonly kind: "text";
      /** The anchor point on the baseline: where the text starts, is centred or ends (see `anchor`). */
      readonly x: number;
      /** The baseline's y, in pixels; capitals rise `7 * size` pixels above it. */
      readonly y: number;
      /** The text; characters the font lacks are drawn as `?` in PNGs (see {@link hasGlyph}). */
      readonly text: string;
      /** Font scale, a whole number from 1: 1 is the 7-pixel-high pixel font, 2 twice that, and so on. */
      readonly size: number;
      /** Text colour. */
      readonly color: string;
      /** Which part of the text sits at (x, y). Default `"start"`. */
      readonly anchor?: Anchor;
      /** Turned a quarter counter-clockwise about (x, y), reading upwards (a y-axis label). */
      readonly vertical?: boolean;
    }
  /** A bitmap enlarged by whole-pixel blocks, without smoothing. */
  | {
      /** Tells the shapes apart: this one is a bitmap. */
      readonly kind: "image";
      /** Left edge, in pixels; rounded to a whole pixel in PNGs. */
      readonly x: number;
      /** Top edge, in pixels; rounded to a whole pixel in PNGs. */
      readonly y: number;
      /** Each pixel of `bitmap` becomes a `scale x scale` block; a whole number from 1. */
      readonly scale: number;
      /** The pixels; a PNG ignores the alpha channel of an RGBA bitmap, an SVG keeps it. */
      readonly bitmap: Bitmap;
    };

/**
 * A picture described once, as a canvas size and a list of shapes, for {@link sceneToSvg} and
 * {@link sceneToPng} to render alike.
 */
export interface Scene {
  /** Width of the picture in pixels; a whole number from 1 for {@link sceneToPng}. */
  readonly width: number;
  /** Height of the picture in pixels; a whole number from 1 for {@link sceneToPng}. */
  readonly height: number;
  /** Colour of the whole picture under the shapes, `#rrggbb` or `#rgb`. */
  readonly background: string;
  /** Read by screen readers (SVG `<title>`); also the PNG's `Title` text chunk. */
  readonly title: string;
  /** What to draw, in order: a later shape covers an earlier one. */
  readonly shapes: readonly Shape[];
}
