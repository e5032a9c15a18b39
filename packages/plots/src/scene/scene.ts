import type { Bitmap } from "../png/bitmap.js";
import type { Point } from "../raster/stroke.js";

/** Where a text's x refers to: its start, middle or end (along its reading direction). */
export type Anchor = "start" | "middle" | "end";

/** A drawing as a list of shapes, rendered the same way to SVG and to pixels. Colours are `#rrggbb`. */
export type Shape =
  | {
      readonly kind: "rect";
      readonly x: number;
      readonly y: number;
      readonly width: number;
      readonly height: number;
      readonly fill?: string;
      readonly stroke?: string;
      readonly strokeWidth?: number;
    }
  | {
      readonly kind: "line";
      readonly points: readonly Point[];
      readonly color: string;
      readonly width: number;
      readonly dash?: readonly number[];
    }
  | {
      readonly kind: "circle";
      readonly cx: number;
      readonly cy: number;
      readonly r: number;
      readonly fill: string;
    }
  | {
      readonly kind: "text";
      /** The anchor point on the baseline. */
      readonly x: number;
      readonly y: number;
      readonly text: string;
      /** Font scale: 1 is the 7-pixel-high pixel font, 2 twice that, and so on. */
      readonly size: number;
      readonly color: string;
      readonly anchor?: Anchor;
      /** Turned a quarter counter-clockwise, reading upwards (a y-axis label). */
      readonly vertical?: boolean;
    }
  | {
      readonly kind: "image";
      readonly x: number;
      readonly y: number;
      /** Each pixel of `bitmap` becomes a `scale x scale` block. */
      readonly scale: number;
      readonly bitmap: Bitmap;
    };

export interface Scene {
  readonly width: number;
  readonly height: number;
  readonly background: string;
  /** Read by screen readers (SVG `<title>`). */
  readonly title: string;
  readonly shapes: readonly Shape[];
}
