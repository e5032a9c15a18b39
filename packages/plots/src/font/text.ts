import { ASCENT, DESCENT, GLYPHS, LETTER_SPACING } from "./glyphs.js";
import { blockScale, downsample, emptyMask, type Mask, scale2x } from "./mask.js";

/** A glyph as rows of 0/1, and its width in font pixels. */
interface Glyph {
  readonly width: number;
  readonly rows: readonly (readonly number[])[];
}

const parsed = new Map<string, Glyph>();

function glyph(char: string): Glyph {
  const known = parsed.get(char);
  if (known) return known;
  const source = GLYPHS[char] ?? GLYPHS["?"]!;
  const rows = source.split(" ").map((row) => [...row].map((c) => (c === "#" ? 1 : 0)));
  const made = { width: rows[0]?.length ?? 0, rows };
  parsed.set(char, made);
  return made;
}

/** Characters the font draws; anything else is drawn as `?`. */
export function hasGlyph(char: string): boolean {
  return GLYPHS[char] !== undefined;
}

/** Height of a line of text at `scale`, ascent plus descent, in pixels. */
export function lineHeight(scale: number): number {
  return (ASCENT + DESCENT) * scale;
}

/** Width in font pixels (scale 1). */
function fontWidth(text: string): number {
  let width = 0;
  for (const char of text) width += glyph(char).width + LETTER_SPACING;
  return Math.max(0, width - LETTER_SPACING);
}

/** Width of `text` drawn at `scale`, in pixels. */
export function measureText(text: string, scale: number): number {
  return fontWidth(text) * scale;
}

/** The text at scale 1: one pixel per font pixel, top row = top of the ascent. */
function rasterAtOne(text: string): Mask {
  const mask = emptyMask(Math.max(1, fontWidth(text)), ASCENT + DESCENT);
  let x0 = 0;
  for (const char of text) {
    const g = glyph(char);
    g.rows.forEach((row, y) => {
      row.forEach((on, x) => {
        if (on) mask.data[y * mask.width + x0 + x] = 1;
      });
    });
    x0 += g.width + LETTER_SPACING;
  }
  return mask;
}

/**
 * `text` as a coverage mask `measureText(text, scale)` wide and `lineHeight(scale)` high. Scale 1
 * is the bare pixel font; from 2 on, the font is smoothed twice with Scale2x and brought back down
 * by averaging, which gives round curves and soft (anti-aliased) diagonals at any integer scale.
 */
export function textMask(text: string, scale: number): Mask {
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`text scale must be a whole number >= 1`);
  const base = rasterAtOne(text);
  if (scale === 1) return base;
  const smooth = scale2x(scale2x(base)); // 4x
  // 4x -> 4*scale by blocks, then down by 4 averages the smoothed edges into grey levels.
  return downsample(blockScale(smooth, scale), 4);
}
