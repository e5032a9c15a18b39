import type { Canvas } from "./canvas.js";
import type { Rgb } from "./color.js";

/** A point in pixels. */
export type Point = readonly [x: number, y: number];

/** How a line is drawn: width in pixels, and an optional dash pattern of on/off lengths. */
export interface StrokeStyle {
  /** Width of the line in pixels, centred on the path. */
  readonly width: number;
  /** Alternating on and off lengths in pixels, starting with on; solid when absent or empty. */
  readonly dash?: readonly number[];
}

/** The pieces of a polyline that a dash pattern leaves on. */
export function dashPieces(points: readonly Point[], dash: readonly number[] | undefined): Point[][] {
  if (!dash || dash.length === 0 || points.length < 2) return [points.slice()];
  const pattern = dash.length % 2 ? [...dash, ...dash] : dash;
  if (pattern.some((d) => !(d > 0))) throw new RangeError("dash lengths must be positive");
  // Walking an infinite segment dash by dash would never end.
  if (points.some(([x, y]) => !Number.isFinite(x) || !Number.isFinite(y))) {
    throw new RangeError("a dashed line needs finite points");
  }
  const pieces: Point[][] = [];
  let index = 0;
  let left = pattern[0]!;
  let on = true;
  let current: Point[] = [points[0]!];
  for (let k = 1; k < points.length; k++) {
    let [x0, y0] = points[k - 1]!;
    const [x1, y1] = points[k]!;
    let length = Math.hypot(x1 - x0, y1 - y0);
    while (length >= left) {
      const t = left / length;
      const x = x0 + (x1 - x0) * t;
      const y = y0 + (y1 - y0) * t;
      if (on) {
        current.push([x, y]);
        pieces.push(current);
      } else current = [[x, y]];
      on = !on;
      length -= left;
      x0 = x;
      y0 = y;
      index = (index + 1) % pattern.length;
      left = pattern[index]!;
    }
    left -= length;
    if (on) current.push([x1, y1]);
  }
  if (on && current.length > 1) pieces.push(current);
  return pieces;
}

/** Distance from (px, py) to the segment a-b. */
function segmentDistance(px: number, py: number, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const lengthSq = dx * dx + dy * dy;
  const t = lengthSq === 0 ? 0 : Math.max(0, Math.min(1, ((px - a[0]) * dx + (py - a[1]) * dy) / lengthSq));
  return Math.hypot(px - a[0] - t * dx, py - a[1] - t * dy);
}

/**
 * Strokes a polyline with round joins and caps. Coverage is 1 within half the width of the line
 * and falls to 0 over one pixel, taken as the maximum over all segments so that joins are not
 * painted twice.
 */
export function strokePolyline(
  canvas: Canvas,
  points: readonly Point[],
  color: Rgb,
  style: StrokeStyle,
): void {
  const half = style.width / 2;
  // Round caps lengthen every dash by the width; shift the pattern so the drawn lengths are as asked.
  const dash = style.dash?.map((d, i) => (i % 2 === 0 ? Math.max(0.1, d - style.width) : d + style.width));
  for (const piece of dashPieces(points, dash)) {
    const coverage = new Map<number, number>();
    for (let k = 0; k < Math.max(1, piece.length - 1); k++) {
      const a = piece[k]!;
      const b = piece[Math.min(k + 1, piece.length - 1)]!;
      const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0]) - half - 1));
      const x1 = Math.min(canvas.width - 1, Math.ceil(Math.max(a[0], b[0]) + half + 1));
      const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1]) - half - 1));
      const y1 = Math.min(canvas.height - 1, Math.ceil(Math.max(a[1], b[1]) + half + 1));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const c = Math.min(1, Math.max(0, half + 0.5 - segmentDistance(x + 0.5, y + 0.5, a, b)));
          if (c <= 0) continue;
          const key = y * canvas.width + x;
          if (c > (coverage.get(key) ?? 0)) coverage.set(key, c);
        }
      }
    }
    for (const [key, c] of coverage)
      canvas.blend(key % canvas.width, Math.floor(key / canvas.width), color, c);
  }
}

/** A filled disc with an anti-aliased rim. */
export function fillCircle(canvas: Canvas, cx: number, cy: number, r: number, color: Rgb): void {
  for (let y = Math.floor(cy - r - 1); y <= Math.ceil(cy + r + 1); y++) {
    for (let x = Math.floor(cx - r - 1); x <= Math.ceil(cx + r + 1); x++) {
      const c = Math.min(1, Math.max(0, r + 0.5 - Math.hypot(x + 0.5 - cx, y + 0.5 - cy)));
      canvas.blend(x, y, color, c);
    }
  }
}
