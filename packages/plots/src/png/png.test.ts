import { describe, expect, it } from "vitest";
import { encodeChunk, PNG_SIGNATURE } from "./chunks.js";
import { crc32 } from "./crc32.js";
import { decodePng, isPng } from "./decode.js";
import { encodePng } from "./encode.js";
import { PngError } from "./errors.js";
import { rawPng } from "./raw-png.test-helper.js";

/** A deterministic pseudo-random byte sequence (LCG), so failures repeat. */
function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe("crc32", () => {
  it("matches the published CRC of an empty IEND chunk and of '123456789'", () => {
    expect(crc32(ascii("IEND"))).toBe(0xae426082);
    expect(crc32(ascii("123456789"))).toBe(0xcbf43926);
    expect(crc32(ascii("1234"), ascii("56789"))).toBe(0xcbf43926);
  });
});

describe("encodePng", () => {
  it("writes the signature, IHDR with size, depth 8 and colour type, and ends with IEND", () => {
    const png = encodePng({ width: 3, height: 2, channels: 3, data: bytes(18) });
    expect(isPng(png)).toBe(true);
    const view = new DataView(png.buffer, png.byteOffset);
    expect(String.fromCharCode(...png.subarray(12, 16))).toBe("IHDR");
    expect([view.getUint32(16), view.getUint32(20), png[24], png[25], png[28]]).toEqual([3, 2, 8, 2, 0]);
    expect(String.fromCharCode(...png.subarray(png.length - 8, png.length - 4))).toBe("IEND");
  });
  it("gray, RGB and RGBA images survive a round trip exactly, through every filter choice", () => {
    for (const channels of [1, 3, 4] as const) {
      const width = 37;
      const height = 23;
      // Smooth rows favour the predicting filters and noisy rows filter 0, so all kinds get chosen.
      const data = new Uint8Array(width * height * channels);
      const noise = bytes(data.length, channels);
      for (let i = 0; i < data.length; i++) {
        const y = Math.floor(i / (width * channels));
        data[i] = y % 3 === 0 ? noise[i]! : (i * 7 + y * 3) & 0xff;
      }
      const png = encodePng({ width, height, channels, data });
      const decoded = decodePng(png);
      expect([decoded.width, decoded.height, decoded.bitDepth, decoded.colorType]).toEqual([
        width,
        height,
        8,
        { 1: 0, 3: 2, 4: 6 }[channels],
      ]);
      for (let p = 0; p < width * height; p++) {
        for (let k = 0; k < channels; k++) {
          const channel = channels === 1 ? 0 : k;
          expect(Math.round(decoded.rgba[p * 4 + channel]! * 255)).toBe(data[p * channels + k]);
        }
      }
    }
  });
  it("stores text chunks", () => {
    const png = encodePng(
      { width: 1, height: 1, channels: 1, data: Uint8Array.of(0) },
      { text: { Title: "hi" } },
    );
    expect(Buffer.from(png).includes(Buffer.from("tEXtTitle\0hi"))).toBe(true);
  });
  it("refuses a bitmap whose byte count does not match its size", () => {
    expect(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(11) })).toThrow(
      /needs 12 bytes/,
    );
  });
});

describe("decodePng reads every colour type and depth", () => {
  it("gray at depths 1, 2, 4, 8 and 16, with each filter", () => {
    for (const bitDepth of [1, 2, 4, 8, 16]) {
      const max = 2 ** bitDepth - 1;
      const width = 13;
      const height = 5;
      const samples = Array.from({ length: width * height }, (_, i) => (i * 37) % (max + 1));
      for (const filter of [0, 1, 2, 3, 4]) {
        const png = decodePng(
          rawPng({ width, height, bitDepth, colorType: 0, channels: 1, samples, filter }),
        );
        const gray = Array.from({ length: width * height }, (_, i) => Math.round(png.rgba[i * 4]! * max));
        expect(gray, `depth ${bitDepth} filter ${filter}`).toEqual(samples);
        expect(png.gray).toBe(true);
      }
    }
  });
  it("RGB and RGBA at 16 bits keep full precision", () => {
    const samples = [0, 1, 65535, 256, 1000, 40000, 7, 8, 9, 65534, 2, 3];
    const rgb = decodePng(
      rawPng({ width: 2, height: 2, bitDepth: 16, colorType: 2, channels: 3, samples, filter: 4 }),
    );
    expect(Math.round(rgb.rgba[2]! * 65535)).toBe(65535);
    expect(Math.round(rgb.rgba[4]! * 65535)).toBe(256);
    const rgba = decodePng(rawPng({ width: 3, height: 1, bitDepth: 16, colorType: 6, channels: 4, samples }));
    expect(Array.from(rgba.rgba, (v) => Math.round(v * 65535))).toEqual(samples);
    expect(rgba.transparency).toBe(true);
  });
  it("gray + alpha", () => {
    const png = decodePng(
      rawPng({ width: 2, height: 1, bitDepth: 8, colorType: 4, channels: 2, samples: [255, 128, 10, 255] }),
    );
    expect(Array.from(png.rgba, (v) => Math.round(v * 255))).toEqual([255, 255, 255, 128, 10, 10, 10, 255]);
  });
  it("palettes at depths 1 to 8, with tRNS alpha per entry", () => {
    const palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9];
    for (const bitDepth of [2, 4, 8]) {
      const samples = [0, 1, 2, 3, 2, 1];
      const png = decodePng(
        rawPng({
          width: 3,
          height: 2,
          bitDepth,
          colorType: 3,
          channels: 1,
          samples,
          palette,
          trns: Uint8Array.of(255, 100),
        }),
      );
      const pixel = (i: number) =>
        Array.from(png.rgba.subarray(i * 4, i * 4 + 4), (v) => Math.round(v * 255));
      expect(pixel(0)).toEqual([255, 0, 0, 255]);
      expect(pixel(1)).toEqual([0, 255, 0, 100]);
      expect(pixel(3)).toEqual([9, 9, 9, 255]);
    }
  });
  it("a palette index past the palette is an error", () => {
    const png = rawPng({
      width: 1,
      height: 1,
      bitDepth: 8,
      colorType: 3,
      channels: 1,
      samples: [5],
      palette: [1, 2, 3],
    });
    expect(() => decodePng(png)).toThrow(/palette index 5 is outside the 1-colour palette/);
  });
  it("tRNS on gray and RGB marks the key colour transparent", () => {
    const gray = decodePng(
      rawPng({
        width: 2,
        height: 1,
        bitDepth: 8,
        colorType: 0,
        channels: 1,
        samples: [7, 8],
        trns: Uint8Array.of(0, 7),
      }),
    );
    expect([gray.rgba[3], gray.rgba[7]]).toEqual([0, 1]);
    const rgb = decodePng(
      rawPng({
        width: 2,
        height: 1,
        bitDepth: 8,
        colorType: 2,
        channels: 3,
        samples: [1, 2, 3, 1, 2, 4],
        trns: Uint8Array.of(0, 1, 0, 2, 0, 3),
      }),
    );
    expect([rgb.rgba[3], rgb.rgba[7]]).toEqual([0, 1]);
  });
  it("Adam7-interlaced images of awkward sizes equal the same pixels written plainly", () => {
    for (const [width, height] of [
      [1, 1],
      [3, 2],
      [9, 9],
      [17, 5],
      [8, 13],
    ] as const) {
      for (const [bitDepth, colorType, channels] of [
        [8, 2, 3],
        [1, 0, 1],
        [4, 0, 1],
        [16, 6, 4],
      ] as const) {
        const max = 2 ** bitDepth - 1;
        const samples = Array.from(
          bytes(width * height * channels, width + height),
          (b) => (b * 257) % (max + 1),
        );
        const spec = { width, height, bitDepth, colorType, channels, samples, filter: 3 };
        const plain = decodePng(rawPng(spec));
        const laced = decodePng(rawPng({ ...spec, interlaced: true }));
        expect(laced.interlaced).toBe(true);
        expect(Array.from(laced.rgba), `${width}x${height} depth ${bitDepth}`).toEqual(
          Array.from(plain.rgba),
        );
      }
    }
  });
});

describe("decodePng says what is wrong in one line", () => {
  const good = encodePng({ width: 4, height: 4, channels: 1, data: bytes(16) });
  const cases: [string, Uint8Array, RegExp][] = [
    ["a JPEG", Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46), /not a PNG file/],
    ["an empty file", new Uint8Array(0), /not a PNG file/],
    ["a truncated file", good.subarray(0, good.length - 20), /truncated/],
    [
      "a flipped bit",
      (() => {
        const b = good.slice();
        b[40] = b[40]! ^ 1;
        return b;
      })(),
      /CRC|inflate/,
    ],
    [
      "a missing IHDR",
      Uint8Array.from([...PNG_SIGNATURE, ...encodeChunk("IEND", new Uint8Array(0))]),
      /first chunk is not IHDR/,
    ],
    [
      "a zero-sized image",
      Uint8Array.from([
        ...PNG_SIGNATURE,
        ...encodeChunk("IHDR", Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1, 8, 0, 0, 0, 0)),
      ]),
      /no pixels/,
    ],
    [
      "an impossible depth",
      Uint8Array.from([
        ...PNG_SIGNATURE,
        ...encodeChunk("IHDR", Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 1, 4, 2, 0, 0, 0)),
      ]),
      /bit depth 4 is not allowed with colour type 2/,
    ],
  ];
  for (const [label, file, pattern] of cases) {
    it(label, () => {
      let error: unknown;
      try {
        decodePng(file);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PngError);
      expect((error as Error).message).toMatch(pattern);
      expect((error as Error).message).not.toMatch(/\n/);
    });
  }
  it("an unknown filter type", () => {
    const png = rawPng({
      width: 1,
      height: 1,
      bitDepth: 8,
      colorType: 0,
      channels: 1,
      samples: [1],
      filter: 9,
    });
    expect(() => decodePng(png)).toThrow(/unknown filter type 9 in row 0/);
  });
});
