import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatasetError } from "../src/errors.js";
import { readIdxGz } from "../src/gzip.js";
import { parseIdxImages, parseIdxLabels } from "../src/idx.js";
import { encodeIdxImages, encodeIdxLabels, gz, syntheticPixels, tempDir } from "./fixtures.js";

/** Runs `fn`; passes if it returns or throws a DatasetError, rethrows anything else. */
function onlyDatasetError(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
  }
}

function parseBoth(bytes: Uint8Array): void {
  onlyDatasetError(() => {
    const { images, count } = parseIdxImages(bytes, "f");
    expect(images.length).toBe(count * 784);
  });
  onlyDatasetError(() => {
    const labels = parseIdxLabels(bytes, "f");
    expect(labels.every((l) => l < 10)).toBe(true);
  });
}

const validImages = encodeIdxImages(syntheticPixels(2), 2);
const validLabels = encodeIdxLabels(Uint8Array.of(3, 1, 4, 1, 5, 9, 2, 6));

describe("IDX parsers under random input", () => {
  it("random bytes give a result or a DatasetError, nothing else", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4000 }), parseBoth), { numRuns: 500 });
  });

  it("plausible headers over random bodies give a result or a DatasetError", () => {
    const header = fc.record({
      magic: fc.constantFrom(0x801, 0x803, 0x802, 0x0803_0000),
      count: fc.oneof(fc.nat(4), fc.constant(0xffffffff)),
      rows: fc.constantFrom(28, 27, 0),
      body: fc.uint8Array({ maxLength: 3 * 784 + 8 }),
    });
    fc.assert(
      fc.property(header, ({ magic, count, rows, body }) => {
        parseBoth(encodeIdxImages(body, count, { magic, rows }));
        parseBoth(encodeIdxLabels(body, { magic, claimedCount: count }));
      }),
      { numRuns: 500 },
    );
  });

  it("every truncation of a valid file is rejected with a DatasetError", () => {
    fc.assert(
      fc.property(fc.nat(validImages.length - 1), fc.nat(validLabels.length - 1), (i, l) => {
        expect(() => parseIdxImages(validImages.subarray(0, i), "f")).toThrow(DatasetError);
        expect(() => parseIdxLabels(validLabels.subarray(0, l), "f")).toThrow(DatasetError);
      }),
    );
  });

  it("flipping any bits of any header byte is rejected with a DatasetError", () => {
    fc.assert(
      fc.property(fc.nat(15), fc.integer({ min: 1, max: 255 }), (at, mask) => {
        const images = validImages.slice();
        images[at]! ^= mask;
        expect(() => parseIdxImages(images, "f")).toThrow(DatasetError);
        const labels = validLabels.slice();
        labels[at % 8]! ^= mask;
        expect(() => parseIdxLabels(labels, "f")).toThrow(DatasetError);
      }),
      { numRuns: 300 },
    );
  });
});

describe("readIdxGz under damaged files", () => {
  let dir = "";
  let cleanup = async () => {};
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(() => cleanup());

  const good = gz(validImages);

  it("truncated or byte-flipped gzip gives bytes or a DatasetError naming the file", async () => {
    const damage = fc.record({
      cut: fc.integer({ min: 0, max: good.length }),
      at: fc.nat(good.length - 1),
      mask: fc.integer({ min: 0, max: 255 }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(damage, async ({ cut, at, mask }) => {
        const bytes = good.slice(0, cut);
        if (at < bytes.length) bytes[at]! ^= mask;
        const path = join(dir, `damaged-${run++}.gz`);
        await writeFile(path, bytes);
        try {
          await readIdxGz(path);
        } catch (error) {
          if (!(error instanceof DatasetError)) throw error;
          expect(error.file).toBe(path);
        }
      }),
      { numRuns: 150 },
    );
  });
});
