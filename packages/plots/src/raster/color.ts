/** An sRGB colour, each channel 0..255. */
export type Rgb = readonly [red: number, green: number, blue: number];

/** `#rrggbb` or `#rgb` to channels. */
export function parseColor(hex: string): Rgb {
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(hex);
  if (short)
    return [short[1]!, short[2]!, short[3]!].map((c) => Number.parseInt(c + c, 16)) as unknown as Rgb;
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!long) throw new RangeError(`colour "${hex}" is not #rrggbb`);
  return [long[1]!, long[2]!, long[3]!].map((c) => Number.parseInt(c, 16)) as unknown as Rgb;
}

/** Linear mix of two colours, `t` = 0 gives `a`. */
export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** `#rrggbb` of a colour. */
export function toHex(c: Rgb): string {
  return `#${c
    .map((v) =>
      Math.round(Math.min(255, Math.max(0, v)))
        .toString(16)
        .padStart(2, "0"),
    )
    .join("")}`;
}
