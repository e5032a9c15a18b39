import { ASCENT, DESCENT } from "../font/glyphs.js";
import { measureText } from "../font/text.js";
import type { Point } from "../raster/stroke.js";
import type { Scene, Shape } from "../scene/scene.js";
import { coverDomain, niceStep, niceTicks, tickDecimals } from "./ticks.js";

/** One line of a chart. */
export interface Series {
  /** Its name in the legend. */
  readonly label: string;
  /**
   * Data points in drawing order, in the data's own units; joined by a 2.5-pixel line when there
   * are two or more, and each marked with a dot.
   */
  readonly points: readonly (readonly [x: number, y: number])[];
  /** Colour of the line, its dots and its legend swatch, `#rrggbb` or `#rgb`. */
  readonly color: string;
  /** Dash pattern of the line and its swatch: on and off lengths in pixels. Solid when absent. */
  readonly dash?: readonly number[];
}

/** What {@link lineChart} draws. The axes' ranges come from the data (and `yDomain`). */
export interface LineChartSpec {
  /** Centred above the plot; also the scene's title. */
  readonly title: string;
  /** Width of the whole picture in pixels, margins and labels included. */
  readonly width: number;
  /** Height of the whole picture in pixels, margins and labels included. */
  readonly height: number;
  /** Centred under the x axis. */
  readonly xLabel: string;
  /** Written upwards, left of the y axis; no label when absent. */
  readonly yLabel?: string;
  /** The lines, drawn in order (a later series covers an earlier one) and listed in the legend. */
  readonly series: readonly Series[];
  /**
   * The y range to show, `[low, high]` in data units, kept exactly while the data stay inside it (so
   * charts of different runs compare at a glance). When the data leave it, or when it is absent,
   * the axis covers the data and ends on the nearest ticks outside them.
   */
  readonly yDomain?: readonly [number, number];
  /** Ticks on whole numbers only (epochs). */
  readonly integerX?: boolean;
  /** Font scale of all the text, a whole number from 1 (1 is 7 pixels high). Default 2. */
  readonly textSize?: number;
}

const AXIS = "#333333";
const GRID = "#e3e3e3";
const TEXT = "#222222";

function domainOf(values: readonly number[], preferred?: readonly [number, number]): [number, number] {
  const finite = values.filter(Number.isFinite);
  let [lo, hi] = preferred ? coverDomain(preferred, finite) : [Math.min(...finite), Math.max(...finite)];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/**
 * A line chart the way d2l's `plot` draws training curves: framed axes, a light grid, ticks with
 * labels, axis labels and a legend in the corner where it covers the fewest data points.
 */
export function lineChart(spec: LineChartSpec): Scene {
  const size = spec.textSize ?? 2;
  const lineH = (ASCENT + DESCENT) * size;
  const xs = spec.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = spec.series.flatMap((s) => s.points.map((p) => p[1]));
  const [x0, x1] = domainOf(xs);
  let [y0, y1] = domainOf(ys, spec.yDomain);
  if (!spec.yDomain || y0 !== spec.yDomain[0] || y1 !== spec.yDomain[1]) {
    // Widened (or no preference): end the axis on ticks rather than at the extreme value.
    const step = niceStep(y1 - y0, 7);
    [y0, y1] = [Math.floor(y0 / step + 1e-9) * step, Math.ceil(y1 / step - 1e-9) * step];
  }
  const yTicks = niceTicks(y0, y1, 7);
  const yDecimals = tickDecimals(yTicks);
  const xTicks = spec.integerX
    ? niceTicks(Math.ceil(x0), Math.floor(x1), 10).filter((t) => Number.isInteger(t))
    : niceTicks(x0, x1, 8);
  const xDecimals = spec.integerX ? 0 : tickDecimals(xTicks);

  const yTickWidth = Math.max(...yTicks.map((t) => measureText(t.toFixed(yDecimals), size)));
  const left = 14 + (spec.yLabel ? lineH + 10 : 0) + yTickWidth + 10;
  const top = 16 + lineH + 12;
  const xTickHalf =
    Math.max(...xTicks.map((t) => measureText(t.toFixed(spec.integerX ? 0 : tickDecimals(xTicks)), size))) /
    2;
  const right = spec.width - Math.max(20, xTickHalf + 12);
  const bottom = spec.height - (16 + lineH + 10 + lineH + 8);
  // A single point gets a little room on each side; otherwise the data span the plot exactly.
  const pad = x0 === x1 || xs.length <= 1 ? 0.5 : 0;
  const sx = (x: number) => left + ((x - (x0 - pad)) / (x1 + pad - (x0 - pad) || 1)) * (right - left);
  const sy = (y: number) => bottom - ((y - y0) / (y1 - y0)) * (bottom - top);

  const shapes: Shape[] = [];
  shapes.push({
    kind: "text",
    x: (left + right) / 2,
    y: 16 + ASCENT * size,
    text: spec.title,
    size,
    color: TEXT,
    anchor: "middle",
  });
  for (const t of yTicks) {
    const y = Math.round(sy(t)) + 0.5;
    shapes.push({
      kind: "line",
      points: [
        [left, y],
        [right, y],
      ],
      color: GRID,
      width: 1,
    });
    shapes.push({
      kind: "line",
      points: [
        [left - 5, y],
        [left, y],
      ],
      color: AXIS,
      width: 1,
    });
    shapes.push({
      kind: "text",
      x: left - 9,
      y: y + (ASCENT * size) / 2,
      text: t.toFixed(yDecimals),
      size,
      color: TEXT,
      anchor: "end",
    });
  }
  for (const t of xTicks) {
    const x = Math.round(sx(t)) + 0.5;
    shapes.push({
      kind: "line",
      points: [
        [x, top],
        [x, bottom],
      ],
      color: GRID,
      width: 1,
    });
    shapes.push({
      kind: "line",
      points: [
        [x, bottom],
        [x, bottom + 5],
      ],
      color: AXIS,
      width: 1,
    });
    shapes.push({
      kind: "text",
      x,
      y: bottom + 9 + ASCENT * size,
      text: t.toFixed(xDecimals),
      size,
      color: TEXT,
      anchor: "middle",
    });
  }
  shapes.push({
    kind: "rect",
    x: left,
    y: top,
    width: right - left + 1,
    height: bottom - top + 1,
    stroke: AXIS,
  });
  shapes.push({
    kind: "text",
    x: (left + right) / 2,
    y: spec.height - 12 - DESCENT * size,
    text: spec.xLabel,
    size,
    color: TEXT,
    anchor: "middle",
  });
  if (spec.yLabel) {
    shapes.push({
      kind: "text",
      x: 14 + ASCENT * size,
      y: (top + bottom) / 2,
      text: spec.yLabel,
      size,
      color: TEXT,
      anchor: "middle",
      vertical: true,
    });
  }

  // A point with a NaN or infinite coordinate (a diverged loss) cannot be placed: it is left out.
  const plotted = spec.series.map((s) =>
    s.points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y]): Point => [sx(x), sy(y)]),
  );
  spec.series.forEach((s, i) => {
    const points = plotted[i]!;
    if (points.length > 1) {
      shapes.push({ kind: "line", points, color: s.color, width: 2.5, ...(s.dash ? { dash: s.dash } : {}) });
    }
    for (const [cx, cy] of points) shapes.push({ kind: "circle", cx, cy, r: 3.5, fill: s.color });
  });

  shapes.push(...legend(spec.series, plotted, { left, top, right, bottom }, size));
  return { width: spec.width, height: spec.height, background: "#ffffff", title: spec.title, shapes };
}

interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** Samples along each line, so a legend box can count what it would hide. */
function samples(lines: readonly (readonly Point[])[]): Point[] {
  const out: Point[] = [];
  for (const line of lines) {
    line.forEach((p, i) => {
      out.push(p);
      const next = line[i + 1];
      if (!next) return;
      const steps = Math.ceil(Math.hypot(next[0] - p[0], next[1] - p[1]) / 4);
      for (let k = 1; k < steps; k++) {
        out.push([p[0] + ((next[0] - p[0]) * k) / steps, p[1] + ((next[1] - p[1]) * k) / steps]);
      }
    });
  }
  return out;
}

function legend(
  series: readonly Series[],
  lines: readonly (readonly Point[])[],
  plot: Box,
  size: number,
): Shape[] {
  const rowH = (ASCENT + DESCENT) * size + 6;
  const swatch = 36;
  const width = 12 + swatch + 8 + Math.max(...series.map((s) => measureText(s.label, size))) + 12;
  const height = 8 + rowH * series.length + 2;
  const margin = 10;
  const corners: Box[] = [
    { left: plot.right - margin - width, top: plot.top + margin, right: 0, bottom: 0 },
    { left: plot.left + margin, top: plot.top + margin, right: 0, bottom: 0 },
    { left: plot.left + margin, top: plot.bottom - margin - height, right: 0, bottom: 0 },
    { left: plot.right - margin - width, top: plot.bottom - margin - height, right: 0, bottom: 0 },
    { left: plot.right - margin - width, top: (plot.top + plot.bottom - height) / 2, right: 0, bottom: 0 },
  ].map((b) => ({ ...b, right: b.left + width, bottom: b.top + height }));
  const points = samples(lines);
  const hidden = (b: Box) =>
    points.filter(([x, y]) => x >= b.left - 4 && x <= b.right + 4 && y >= b.top - 4 && y <= b.bottom + 4)
      .length;
  let best = corners[0]!;
  for (const c of corners) if (hidden(c) < hidden(best)) best = c;

  const shapes: Shape[] = [
    { kind: "rect", x: best.left, y: best.top, width, height, fill: "#ffffff", stroke: "#cccccc" },
  ];
  series.forEach((s, i) => {
    const mid = best.top + 8 + rowH * i + rowH / 2 - 3;
    shapes.push({
      kind: "line",
      points: [
        [best.left + 12, mid],
        [best.left + 12 + swatch, mid],
      ],
      color: s.color,
      width: 2.5,
      ...(s.dash ? { dash: s.dash } : {}),
    });
    shapes.push({
      kind: "text",
      x: best.left + 12 + swatch + 8,
      y: mid + (ASCENT * size) / 2,
      text: s.label,
      size,
      color: TEXT,
    });
  });
  return shapes;
}
