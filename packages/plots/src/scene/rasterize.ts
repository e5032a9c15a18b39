import { ASCENT } from "../font/glyphs.js";
import { rotateLeft } from "../font/mask.js";
import { measureText, textMask } from "../font/text.js";
import { encodePng } from "../png/encode.js";
import { Canvas } from "../raster/canvas.js";
import { parseColor } from "../raster/color.js";
import { fillCircle, strokePolyline } from "../raster/stroke.js";
import type { Anchor, Scene, Shape } from "./scene.js";

const shift = (anchor: Anchor | undefined, length: number) =>
  anchor === "middle" ? length / 2 : anchor === "end" ? length : 0;

function drawShape(canvas: Canvas, shape: Shape): void {
  switch (shape.kind) {
    case "rect": {
      if (shape.fill) canvas.fillRect(shape.x, shape.y, shape.width, shape.height, parseColor(shape.fill));
      if (shape.stroke) {
        const w = shape.strokeWidth ?? 1;
        const c = parseColor(shape.stroke);
        // Drawn inside the rectangle's edges, as four bars, so a 1-pixel frame stays crisp.
        canvas.fillRect(shape.x, shape.y, shape.width, w, c);
        canvas.fillRect(shape.x, shape.y + shape.height - w, shape.width, w, c);
        canvas.fillRect(shape.x, shape.y + w, w, shape.height - 2 * w, c);
        canvas.fillRect(shape.x + shape.width - w, shape.y + w, w, shape.height - 2 * w, c);
      }
      return;
    }
    case "line":
      strokePolyline(canvas, shape.points, parseColor(shape.color), {
        width: shape.width,
        ...(shape.dash ? { dash: shape.dash } : {}),
      });
      return;
    case "circle":
      fillCircle(canvas, shape.cx, shape.cy, shape.r, parseColor(shape.fill));
      return;
    case "text": {
      const mask = textMask(shape.text, shape.size);
      const along = shift(shape.anchor, measureText(shape.text, shape.size));
      const ascent = ASCENT * shape.size;
      if (shape.vertical)
        canvas.drawMask(
          rotateLeft(mask),
          shape.x - ascent,
          shape.y - mask.width + along,
          parseColor(shape.color),
        );
      else canvas.drawMask(mask, shape.x - along, shape.y - ascent, parseColor(shape.color));
      return;
    }
    case "image": {
      const { bitmap } = shape;
      const { width, channels, data } = bitmap;
      canvas.drawPixels(
        width,
        bitmap.height,
        (c, r) => {
          const i = (r * width + c) * channels;
          return channels === 1 ? [data[i]!, data[i]!, data[i]!] : [data[i]!, data[i + 1]!, data[i + 2]!];
        },
        Math.round(shape.x),
        Math.round(shape.y),
        shape.scale,
      );
      return;
    }
  }
}

/** Draws a scene into a new canvas. */
export function rasterize(scene: Scene): Canvas {
  const canvas = new Canvas(scene.width, scene.height, scene.background);
  for (const shape of scene.shapes) drawShape(canvas, shape);
  return canvas;
}

/** A scene as PNG bytes. */
export function sceneToPng(scene: Scene): Uint8Array {
  return encodePng(rasterize(scene).toBitmap(), { text: { Title: scene.title, Software: "tensorplug" } });
}
