// The five PNG scanline filters (PNG spec, section 9). `bpp` is the byte distance to the pixel
// on the left, at least 1; `prior` is the previous row after unfiltering (zeros for the first).

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** Filters `row` with filter `type` into `out` (same length). */
export function filterRow(
  type: number,
  row: Uint8Array,
  prior: Uint8Array,
  bpp: number,
  out: Uint8Array,
): void {
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp]! : 0;
    const b = prior[i]!;
    const c = i >= bpp ? prior[i - bpp]! : 0;
    const x = row[i]!;
    let predicted = 0;
    if (type === 1) predicted = a;
    else if (type === 2) predicted = b;
    else if (type === 3) predicted = (a + b) >> 1;
    else if (type === 4) predicted = paeth(a, b, c);
    out[i] = (x - predicted) & 0xff;
  }
}

/** Undoes filter `type` on `row` in place. Returns false for an unknown filter type. */
export function unfilterRow(type: number, row: Uint8Array, prior: Uint8Array, bpp: number): boolean {
  if (type < 0 || type > 4) return false;
  if (type === 0) return true;
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp]! : 0;
    const b = prior[i]!;
    const c = i >= bpp ? prior[i - bpp]! : 0;
    let predicted = 0;
    if (type === 1) predicted = a;
    else if (type === 2) predicted = b;
    else if (type === 3) predicted = (a + b) >> 1;
    else predicted = paeth(a, b, c);
    row[i] = (row[i]! + predicted) & 0xff;
  }
  return true;
}
