import { encodePng } from "../png/encode.js";
import type { Scene, Shape } from "./scene.js";

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`,
  );
}

const n = (v: number) => String(Math.round(v * 100) / 100);

// The pixel font's capitals are 7 pixels per scale step; a sans-serif's capitals are about 0.72 em.
const FONT_SIZE_PER_SCALE = 7 / 0.72;

function shapeToSvg(shape: Shape): string {
  switch (shape.kind) {
    case "rect": {
      const w = shape.strokeWidth ?? 1;
      // SVG strokes straddle the edge; inset by half the width to match the raster's inside frame.
      const inset = shape.stroke ? w / 2 : 0;
      const attrs = [
        `x="${n(shape.x + inset)}" y="${n(shape.y + inset)}" width="${n(shape.width - 2 * inset)}" height="${n(shape.height - 2 * inset)}"`,
        `fill="${shape.fill ?? "none"}"`,
        shape.stroke ? `stroke="${shape.stroke}" stroke-width="${n(w)}"` : "",
      ];
      return `<rect ${attrs.filter(Boolean).join(" ")}/>`;
    }
    case "line": {
      const points = shape.points.map(([x, y]) => `${n(x)},${n(y)}`).join(" ");
      const dash = shape.dash ? ` stroke-dasharray="${shape.dash.map(n).join(" ")}"` : "";
      return `<polyline points="${points}" fill="none" stroke="${shape.color}" stroke-width="${n(shape.width)}" stroke-linejoin="round" stroke-linecap="round"${dash}/>`;
    }
    case "circle":
      return `<circle cx="${n(shape.cx)}" cy="${n(shape.cy)}" r="${n(shape.r)}" fill="${shape.fill}"/>`;
    case "text": {
      const anchor = shape.anchor && shape.anchor !== "start" ? ` text-anchor="${shape.anchor}"` : "";
      const turn = shape.vertical ? ` transform="rotate(-90 ${n(shape.x)} ${n(shape.y)})"` : "";
      return `<text x="${n(shape.x)}" y="${n(shape.y)}" font-size="${n(shape.size * FONT_SIZE_PER_SCALE)}" fill="${shape.color}"${anchor}${turn}>${escapeXml(shape.text)}</text>`;
    }
    case "image": {
      const png = Buffer.from(encodePng(shape.bitmap)).toString("base64");
      return `<image x="${n(shape.x)}" y="${n(shape.y)}" width="${shape.bitmap.width * shape.scale}" height="${shape.bitmap.height * shape.scale}" style="image-rendering:pixelated" href="data:image/png;base64,${png}"/>`;
    }
  }
}

/**
 * The scene as an SVG document. With `standalone: false` the `xmlns` and XML prolog are left out,
 * for inlining into HTML (where the namespace is implied) with no URL in the page at all.
 */
export function sceneToSvg(scene: Scene, options: { standalone?: boolean } = {}): string {
  const standalone = options.standalone ?? true;
  const ns = standalone ? ' xmlns="http://www.w3.org/2000/svg"' : "";
  return [
    standalone ? '<?xml version="1.0" encoding="UTF-8"?>' : "",
    `<svg${ns} width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}" font-family="DejaVu Sans, Verdana, Arial, sans-serif" role="img">`,
    `<title>${escapeXml(scene.title)}</title>`,
    `<rect width="100%" height="100%" fill="${scene.background}"/>`,
    ...scene.shapes.map(shapeToSvg),
    "</svg>",
    "",
  ]
    .filter((line, i) => line !== "" || i > 0)
    .join("\n");
}
