import { describe, expect, it } from "vitest";
import { Canvas } from "./canvas.js";
import { parseColor, toHex } from "./color.js";
import { dashPieces, fillCircle, strokePolyline } from "./stroke.js";

const BLACK = parseColor("#000000");

describe("colours", () => {
  it("parse #rgb and #rrggbb and print back", () => {
    expect(parseColor("#1f77b4")).toEqual([31, 119, 180]);
    expect(parseColor("#fff")).toEqual([255, 255, 255]);
    expect(toHex([31, 119, 180])).toBe("#1f77b4");
    expect(() => parseColor("blue")).toThrow(/not #rrggbb/);
  });
});

describe("Canvas", () => {
  it("starts filled with its background and exports width x height x 3 bytes", () => {
    const bitmap = new Canvas(4, 3, "#102030").toBitmap();
    expect([bitmap.width, bitmap.height, bitmap.channels, bitmap.data.length]).toEqual([4, 3, 3, 36]);
    expect(Array.from(bitmap.data.subarray(0, 3))).toEqual([16, 32, 48]);
  });
  it("fills whole pixels fully and half-covered pixels half", () => {
    const canvas = new Canvas(4, 1);
    canvas.fillRect(1, 0, 1.5, 1, BLACK);
    expect([
      canvas.pixel(0, 0)[0],
      canvas.pixel(1, 0)[0],
      canvas.pixel(2, 0)[0],
      canvas.pixel(3, 0)[0],
    ]).toEqual([255, 0, 128, 255]);
  });
  it("ignores drawing outside its edges", () => {
    const canvas = new Canvas(2, 2);
    canvas.fillRect(-5, -5, 3, 3, BLACK);
    canvas.blend(9, 9, BLACK, 1);
    expect(canvas.pixel(1, 1)).toEqual([255, 255, 255]);
  });
});

describe("strokes", () => {
  it("a 2-pixel horizontal line inks the rows it covers and leaves the rest", () => {
    const canvas = new Canvas(20, 10);
    strokePolyline(
      canvas,
      [
        [2, 5],
        [18, 5],
      ],
      BLACK,
      { width: 2 },
    );
    expect(canvas.pixel(10, 4)[0]).toBe(0);
    expect(canvas.pixel(10, 5)[0]).toBe(0);
    expect(canvas.pixel(10, 2)[0]).toBe(255);
    expect(canvas.pixel(10, 7)[0]).toBe(255);
  });
  it("joins are not painted twice: a thin polyline has no darker knot at its corner", () => {
    const canvas = new Canvas(20, 20, "#ffffff");
    strokePolyline(
      canvas,
      [
        [2, 10.5],
        [10.5, 10.5],
        [10.5, 2],
      ],
      parseColor("#808080"),
      { width: 1 },
    );
    expect(canvas.pixel(10, 10)).toEqual(canvas.pixel(6, 10));
  });
  it("dashes split a line into pieces of the asked lengths", () => {
    const pieces = dashPieces(
      [
        [0, 0],
        [10, 0],
        [10, 10],
      ],
      [4, 2],
    );
    const lengths = pieces.map((p) =>
      p.slice(1).reduce((s, q, i) => s + Math.hypot(q[0] - p[i]![0], q[1] - p[i]![1]), 0),
    );
    expect(lengths.map((l) => Math.round(l * 1000) / 1000)).toEqual([4, 4, 4, 2]);
    expect(pieces[1]).toEqual([
      [6, 0],
      [10, 0],
    ]);
    expect(pieces[2]).toEqual([
      [10, 2],
      [10, 6],
    ]);
  });
  it("a filled circle covers its centre and not beyond its radius", () => {
    const canvas = new Canvas(11, 11);
    fillCircle(canvas, 5.5, 5.5, 3, BLACK);
    expect(canvas.pixel(5, 5)[0]).toBe(0);
    expect(canvas.pixel(5, 1)[0]).toBe(255);
    expect(canvas.pixel(0, 0)[0]).toBe(255);
  });
});

describe("dashPieces with a point at infinity", () => {
  it("refuses it instead of walking an endless line", () => {
    expect(() =>
      dashPieces(
        [
          [0, 0],
          [0, Number.POSITIVE_INFINITY],
        ],
        [4, 2],
      ),
    ).toThrow(/finite points/);
  });
});
