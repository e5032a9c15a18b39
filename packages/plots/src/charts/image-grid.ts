import { ASCENT, DESCENT } from "../font/glyphs.js";
import { measureText } from "../font/text.js";
import type { Bitmap } from "../png/bitmap.js";
import { parseColor } from "../raster/color.js";
import type { Scene, Shape } from "../scene/scene.js";

/** A line of text under an image. */
export interface Caption {
  /** The text, one line, centred under the image. */
  readonly text: string;
  /** Text colour, `#rrggbb` or `#rgb`. Default dark gray (`#222222`). */
  readonly color?: string;
}

/** One picture of a grid, its captions, and optionally a coloured frame (e.g. red for a mistake). */
export interface GridCell {
  /** The picture, drawn `scale` times larger without smoothing. */
  readonly bitmap: Bitmap;
  /** Lines of text under the picture, top to bottom; may be empty. */
  readonly captions: readonly Caption[];
  /** Colour of a 3-pixel frame around the picture, `#rrggbb` or `#rgb`; no frame when absent. */
  readonly frame?: string;
}

/** A horizontal colour scale under the grid: evenly spaced colour stops and evenly spaced labels. */
export interface Colorbar {
  /**
   * At least two colours, `#rrggbb` or `#rgb`, from the left end to the right end; colours between
   * two stops are interpolated linearly in sRGB.
   */
  readonly stops: readonly string[];
  /** Tick labels spread from the left end to the right end (a single label is centred). */
  readonly labels: readonly string[];
  /** A line under the labels saying what the colours mean; none when absent. */
  readonly caption?: string;
}

/**
 * What {@link imageGrid} draws: a title, then the cells in rows of `columns`, left to right and top
 * to bottom, then an optional colour bar. The scene's size follows from these.
 */
export interface ImageGridSpec {
  /** Centred at the top; also the scene's title. */
  readonly title: string;
  /** A line under the title, e.g. how to read the captions. */
  readonly subtitle?: string;
  /** The pictures, in reading order. Every cell gets the room of the largest image and caption. */
  readonly cells: readonly GridCell[];
  /** Cells per row, a whole number from 1; the last row may be shorter. */
  readonly columns: number;
  /** Each image pixel becomes a `scale x scale` block. */
  readonly scale: number;
  /**
   * Font scale of the title, captions and colour-bar labels, a whole number from 1 (1 is 7 pixels
   * high); the subtitle and the colour-bar caption are one step smaller. Default 2.
   */
  readonly textSize?: number;
  /** A colour scale under the grid, e.g. for weights drawn as colours; none when absent. */
  readonly colorbar?: Colorbar;
}

const TEXT = "#222222";
const MUTED = "#555555";
const FRAME = 3;
const GUTTER = 18;
const MARGIN = 16;

/** Images in rows and columns, enlarged without smoothing, each with its captions underneath. */
export function imageGrid(spec: ImageGridSpec): Scene {
  const size = spec.textSize ?? 2;
  const lineH = (ASCENT + DESCENT) * size + 4;
  const rows = Math.ceil(spec.cells.length / spec.columns);
  const imageW = Math.max(...spec.cells.map((c) => c.bitmap.width * spec.scale));
  const imageH = Math.max(...spec.cells.map((c) => c.bitmap.height * spec.scale));
  const captionW = Math.max(
    0,
    ...spec.cells.flatMap((c) => c.captions.map((t) => measureText(t.text, size))),
  );
  const captionLines = Math.max(0, ...spec.cells.map((c) => c.captions.length));
  const cellW = Math.max(imageW + 2 * FRAME, captionW) + GUTTER;
  const cellH = imageH + 2 * FRAME + 6 + captionLines * lineH + GUTTER;
  const headH = MARGIN + lineH + (spec.subtitle ? lineH : 0) + 10;
  const barH = spec.colorbar ? 16 + 18 + 8 + lineH * (spec.colorbar.caption ? 2 : 1) + 8 : 0;
  const width = Math.max(MARGIN * 2 + spec.columns * cellW, MARGIN * 2 + measureText(spec.title, size));
  const height = headH + rows * cellH + barH + MARGIN - GUTTER / 2;
  const gridLeft = (width - spec.columns * cellW) / 2;

  const shapes: Shape[] = [
    {
      kind: "text",
      x: width / 2,
      y: MARGIN + ASCENT * size,
      text: spec.title,
      size,
      color: TEXT,
      anchor: "middle",
    },
  ];
  if (spec.subtitle) {
    shapes.push({
      kind: "text",
      x: width / 2,
      y: MARGIN + lineH + ASCENT * size,
      text: spec.subtitle,
      size: Math.max(1, size - 1),
      color: MUTED,
      anchor: "middle",
    });
  }
  spec.cells.forEach((cell, k) => {
    const left = gridLeft + (k % spec.columns) * cellW;
    const top = headH + Math.floor(k / spec.columns) * cellH;
    const centre = left + cellW / 2;
    const w = cell.bitmap.width * spec.scale;
    const h = cell.bitmap.height * spec.scale;
    const x = Math.round(centre - w / 2);
    const y = top + FRAME;
    if (cell.frame) {
      shapes.push({
        kind: "rect",
        x: x - FRAME,
        y: y - FRAME,
        width: w + 2 * FRAME,
        height: h + 2 * FRAME,
        fill: cell.frame,
      });
    }
    shapes.push({ kind: "image", x, y, scale: spec.scale, bitmap: cell.bitmap });
    cell.captions.forEach((caption, i) => {
      shapes.push({
        kind: "text",
        x: centre,
        y: y + h + FRAME + 6 + i * lineH + ASCENT * size,
        text: caption.text,
        size,
        color: caption.color ?? TEXT,
        anchor: "middle",
      });
    });
  });
  if (spec.colorbar)
    shapes.push(...colorbarShapes(spec.colorbar, width, headH + rows * cellH + 8, size, lineH));
  return { width, height, background: "#ffffff", title: spec.title, shapes };
}

function colorbarShapes(bar: Colorbar, width: number, top: number, size: number, lineH: number): Shape[] {
  const barW = Math.min(width - 2 * MARGIN, 360);
  const left = Math.round((width - barW) / 2);
  const barH = 16;
  const strip = new Uint8Array(barW * barH * 3);
  for (let i = 0; i < barW; i++) {
    const t = (i / (barW - 1)) * (bar.stops.length - 1);
    const k = Math.min(bar.stops.length - 2, Math.floor(t));
    const a = parseColor(bar.stops[k]!);
    const b = parseColor(bar.stops[k + 1]!);
    for (let c = 0; c < 3; c++) {
      const v = Math.round(a[c]! + (b[c]! - a[c]!) * (t - k));
      for (let j = 0; j < barH; j++) strip[(j * barW + i) * 3 + c] = v;
    }
  }
  const shapes: Shape[] = [
    {
      kind: "image",
      x: left,
      y: top,
      scale: 1,
      bitmap: { width: barW, height: barH, channels: 3, data: strip },
    },
  ];
  shapes.push({ kind: "rect", x: left - 1, y: top - 1, width: barW + 2, height: 18, stroke: "#888888" });
  bar.labels.forEach((label, i) => {
    const x = left + (bar.labels.length === 1 ? barW / 2 : (i / (bar.labels.length - 1)) * barW);
    shapes.push({
      kind: "line",
      points: [
        [x, top + 16],
        [x, top + 21],
      ],
      color: "#888888",
      width: 1,
    });
    shapes.push({
      kind: "text",
      x,
      y: top + 26 + ASCENT * size,
      text: label,
      size,
      color: TEXT,
      anchor: "middle",
    });
  });
  if (bar.caption) {
    shapes.push({
      kind: "text",
      x: width / 2,
      y: top + 26 + lineH + ASCENT * size,
      text: bar.caption,
      size: Math.max(1, size - 1),
      color: MUTED,
      anchor: "middle",
    });
  }
  return shapes;
}
