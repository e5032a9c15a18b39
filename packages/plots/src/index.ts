/**
 * Pictures without native add-ons: PNG encoding and decoding on `node:zlib`, a pixel font drawn for
 * this package, and charts described once as a scene and rendered to both SVG and PNG.
 *
 * @packageDocumentation
 */
export {
  type Caption,
  type Colorbar,
  type GridCell,
  type ImageGridSpec,
  imageGrid,
} from "./charts/image-grid.js";
export { type LineChartSpec, lineChart, type Series } from "./charts/line-chart.js";
export { coverDomain, niceStep, niceTicks, tickDecimals } from "./charts/ticks.js";
export type { Mask } from "./font/mask.js";
export { hasGlyph, lineHeight, measureText, textMask } from "./font/text.js";
export { type GrayImage, toGray } from "./image/gray.js";
export { resizeGray } from "./image/resize.js";
export { type Bitmap, checkBitmap } from "./png/bitmap.js";
export { type DecodedPng, decodePng, isPng } from "./png/decode.js";
export { type EncodeOptions, encodePng } from "./png/encode.js";
export { PngError } from "./png/errors.js";
export type { ColorType, PngHeader } from "./png/header.js";
export { Canvas } from "./raster/canvas.js";
export { mix, parseColor, type Rgb, toHex } from "./raster/color.js";
export { dashPieces, fillCircle, type Point, type StrokeStyle, strokePolyline } from "./raster/stroke.js";
export { rasterize, sceneToPng } from "./scene/rasterize.js";
export type { Anchor, Scene, Shape } from "./scene/scene.js";
export { escapeXml, sceneToSvg } from "./scene/svg.js";
