/**
 * A coverage mask, such as {@link textMask} returns: how much of each pixel a shape covers, for
 * {@link Canvas.drawMask} to blend a colour by.
 */
export interface Mask {
  /** Columns, in pixels. */
  readonly width: number;
  /** Rows, in pixels. */
  readonly height: number;
  /** `width * height` coverages in [0, 1] (0 empty, 1 fully covered), row after row from the top. */
  readonly data: Float32Array;
}

export function emptyMask(width: number, height: number): Mask {
  return { width, height, data: new Float32Array(width * height) };
}

/**
 * Doubles a binary mask with EPX / Scale2x: a pixel's quarter takes its neighbour's value where two
 * neighbours agree and the other two disagree, which rounds stair-steps into diagonals instead of
 * making them twice as coarse.
 */
export function scale2x(mask: Mask): Mask {
  const { width: w, height: h, data } = mask;
  const out = emptyMask(w * 2, h * 2);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : data[y * w + x]!);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = at(x, y);
      const a = at(x, y - 1);
      const b = at(x + 1, y);
      const c = at(x - 1, y);
      const d = at(x, y + 1);
      const o = (dx: number, dy: number) => (2 * y + dy) * w * 2 + 2 * x + dx;
      out.data[o(0, 0)] = c === a && c !== d && a !== b ? a : p;
      out.data[o(1, 0)] = a === b && a !== c && b !== d ? b : p;
      out.data[o(0, 1)] = d === c && d !== b && c !== a ? c : p;
      out.data[o(1, 1)] = b === d && b !== a && d !== c ? d : p;
    }
  }
  return out;
}

/** Shrinks by an integer factor, averaging each block: the anti-aliasing step. */
export function downsample(mask: Mask, factor: number): Mask {
  const w = Math.floor(mask.width / factor);
  const h = Math.floor(mask.height / factor);
  const out = emptyMask(w, h);
  const area = factor * factor;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let j = 0; j < factor; j++) {
        for (let i = 0; i < factor; i++) sum += mask.data[(y * factor + j) * mask.width + x * factor + i]!;
      }
      out.data[y * w + x] = sum / area;
    }
  }
  return out;
}

/** Enlarges by an integer factor, each pixel becoming a block. */
export function blockScale(mask: Mask, factor: number): Mask {
  if (factor === 1) return mask;
  const out = emptyMask(mask.width * factor, mask.height * factor);
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      out.data[y * out.width + x] = mask.data[Math.floor(y / factor) * mask.width + Math.floor(x / factor)]!;
    }
  }
  return out;
}

/** The mask turned a quarter turn counter-clockwise (text reading bottom to top). */
export function rotateLeft(mask: Mask): Mask {
  const out = emptyMask(mask.height, mask.width);
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      out.data[(mask.width - 1 - x) * out.width + y] = mask.data[y * mask.width + x]!;
    }
  }
  return out;
}
