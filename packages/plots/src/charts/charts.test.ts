import { describe, expect, it } from "vitest";
import { decodePng } from "../png/decode.js";
import { rasterize, sceneToPng } from "../scene/rasterize.js";
import type { Scene, Shape } from "../scene/scene.js";
import { sceneToSvg } from "../scene/svg.js";
import { imageGrid } from "./image-grid.js";
import { lineChart } from "./line-chart.js";
import { coverDomain, niceStep, niceTicks, tickDecimals } from "./ticks.js";

const texts = (scene: Scene) =>
  scene.shapes.filter((s): s is Extract<Shape, { kind: "text" }> => s.kind === "text").map((s) => s.text);

describe("ticks", () => {
  it("nice steps are 1, 2 or 5 times a power of ten", () => {
    expect(niceStep(0.6, 7)).toBe(0.1);
    expect(niceStep(9, 10)).toBe(1);
    expect(niceStep(90, 5)).toBe(20);
    expect(niceStep(0.006, 4)).toBe(0.002);
  });
  it("ticks cover the domain on multiples of the step", () => {
    expect(niceTicks(0.3, 0.9, 7)).toEqual([0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(niceTicks(1, 10, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(niceTicks(0.25, 1.27, 7)).toEqual([0.4, 0.6, 0.8, 1, 1.2]);
    expect(tickDecimals([0.3, 0.4])).toBe(1);
    expect(tickDecimals([2, 4])).toBe(0);
  });
  it("a domain widens only for data that leave it", () => {
    expect(coverDomain([0.3, 0.9], [0.45, 0.85])).toEqual([0.3, 0.9]);
    expect(coverDomain([0.3, 0.9], [0.2, 1.3, Number.NaN])).toEqual([0.2, 1.3]);
  });
});

const epochs = (values: number[]) => values.map((v, i) => [i + 1, v] as const);
const book = {
  title: "curves",
  width: 640,
  height: 420,
  xLabel: "epoch",
  yDomain: [0.3, 0.9] as const,
  integerX: true,
  series: [
    { label: "train loss", points: epochs([0.79, 0.57, 0.53, 0.5, 0.49]), color: "#1f77b4" },
    { label: "train acc", points: epochs([0.75, 0.81, 0.83, 0.83, 0.84]), color: "#bf00bf", dash: [10, 6] },
    {
      label: "test acc",
      points: epochs([0.78, 0.79, 0.81, 0.81, 0.82]),
      color: "#008000",
      dash: [12, 5, 3, 5],
    },
  ],
};

describe("lineChart", () => {
  it("shows y from 0.3 to 0.9 when the data stay inside, with epochs as whole-number ticks", () => {
    const labels = texts(lineChart(book));
    for (const t of [
      "0.3",
      "0.5",
      "0.9",
      "1",
      "5",
      "epoch",
      "train loss",
      "train acc",
      "test acc",
      "curves",
    ]) {
      expect(labels).toContain(t);
    }
    expect(labels).not.toContain("1.0");
    expect(labels).not.toContain("1.5");
  });
  it("widens the y axis when a value leaves it", () => {
    const scene = lineChart({
      ...book,
      series: [{ label: "train loss", points: epochs([1.3, 0.6]), color: "#1f77b4" }],
    });
    expect(texts(scene)).toContain("1.4");
  });
  it("puts the legend where it hides the fewest points: here, low, under the rising curves", () => {
    const scene = lineChart({ ...book, series: book.series.slice(1) });
    const box = scene.shapes.find((s) => s.kind === "rect" && s.fill === "#ffffff");
    expect(box?.kind).toBe("rect");
    if (box?.kind === "rect") expect(box.y).toBeGreaterThan(scene.height / 2);
  });
  it("one epoch still shows its points", () => {
    const scene = lineChart({ ...book, series: [{ label: "a", points: [[1, 0.5]], color: "#ff0000" }] });
    expect(scene.shapes.some((s) => s.kind === "circle")).toBe(true);
    expect(texts(scene)).toContain("1");
  });
  it("leaves out points a diverged run cannot place (NaN, ±Infinity), and still renders", () => {
    const points: [number, number][] = [
      [1, 0.8],
      [2, Number.POSITIVE_INFINITY],
      [3, Number.NaN],
      [4, 0.5],
    ];
    const scene = lineChart({ ...book, series: [{ label: "loss", points, color: "#ff0000", dash: [6, 4] }] });
    expect(scene.shapes.filter((s) => s.kind === "circle")).toHaveLength(2);
    expect(decodePng(sceneToPng(scene)).width).toBe(640);
  });
  it("renders to a PNG of the asked size with each series' colour in it", () => {
    const scene = lineChart(book);
    const png = decodePng(sceneToPng(scene));
    expect([png.width, png.height]).toEqual([640, 420]);
    const canvas = rasterize(scene);
    const found = new Set<string>();
    for (let y = 0; y < canvas.height; y++) {
      for (let x = 0; x < canvas.width; x++) found.add(canvas.pixel(x, y).join(","));
    }
    for (const c of ["31,119,180", "191,0,191", "0,128,0"]) expect(found).toContain(c);
  });
  it("renders to SVG with the same texts, escaped", () => {
    const svg = sceneToSvg(lineChart({ ...book, title: "a < b & c" }));
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain("<title>a &lt; b &amp; c</title>");
    expect(svg).toContain(">train acc</text>");
    expect(svg).toMatch(/stroke-dasharray="10 6"/);
    expect(svg.match(/<polyline/g)?.length).toBeGreaterThan(3);
  });
  it("inline SVG (for HTML) names no URL at all", () => {
    expect(sceneToSvg(lineChart(book), { standalone: false })).not.toMatch(/https?:/);
  });
});

describe("imageGrid", () => {
  const gray = (v: number) => ({
    width: 2,
    height: 2,
    channels: 1 as const,
    data: new Uint8Array(4).fill(v),
  });
  it("lays images in rows, enlarged, with captions, and frames the marked ones", () => {
    const scene = imageGrid({
      title: "grid",
      columns: 2,
      scale: 10,
      cells: [
        { bitmap: gray(0), captions: [{ text: "coat" }, { text: "coat" }] },
        {
          bitmap: gray(255),
          captions: [{ text: "bag" }, { text: "shirt", color: "#d62728" }],
          frame: "#d62728",
        },
        { bitmap: gray(128), captions: [{ text: "dress" }] },
      ],
    });
    expect(texts(scene)).toEqual(["grid", "coat", "coat", "bag", "shirt", "dress"]);
    const images = scene.shapes.filter((s) => s.kind === "image");
    expect(images).toHaveLength(3);
    const [a, b, c] = images as Extract<Shape, { kind: "image" }>[];
    expect(a!.y).toBe(b!.y);
    expect(c!.y).toBeGreaterThan(a!.y + 20);
    const canvas = rasterize(scene);
    // The frame is 3 pixels outside the second image; the first image has none.
    expect(canvas.pixel(Math.round(b!.x) - 2, Math.round(b!.y) + 5)).toEqual([214, 39, 40]);
    expect(canvas.pixel(Math.round(a!.x) - 2, Math.round(a!.y) + 5)).toEqual([255, 255, 255]);
    expect(canvas.pixel(Math.round(a!.x) + 5, Math.round(a!.y) + 5)).toEqual([0, 0, 0]);
    const png = decodePng(sceneToPng(scene));
    expect([png.width, png.height]).toEqual([scene.width, scene.height]);
  });
  it("draws a colour bar with its labels", () => {
    const scene = imageGrid({
      title: "w",
      columns: 1,
      scale: 4,
      cells: [{ bitmap: gray(1), captions: [{ text: "x" }] }],
      colorbar: {
        stops: ["#0000ff", "#ffffff", "#ff0000"],
        labels: ["-1", "0", "+1"],
        caption: "shared scale",
      },
    });
    expect(texts(scene)).toEqual(["w", "x", "-1", "0", "+1", "shared scale"]);
    const bar = scene.shapes.filter((s) => s.kind === "image")[1];
    expect(bar?.kind === "image" && bar.bitmap.data.subarray(0, 3)).toEqual(Uint8Array.of(0, 0, 255));
  });
});
