import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { constants, createDeflateRaw } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatasetError } from "../src/errors.js";
import { readIdxDims, readIdxGz } from "../src/gzip.js";
import { parseIdxImages, parseIdxLabels } from "../src/idx.js";
import { MAX_IDX_BYTES } from "../src/idx-header.js";
import { encodeIdxImages, encodeIdxLabels, gz, syntheticPixels, tempDir } from "./fixtures.js";

// The whole reading path as the loader runs it, file on disk -> gunzip -> IDX parse, under damaged
// input: only DatasetErrors naming the file come out, each within a time bound (a hang fails).

const HANG_MS = 5_000;

/** Rejects if `promise` takes longer than HANG_MS: a read that does not end is a bug. */
function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${HANG_MS} ms`)), HANG_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Reads and parses `path` as the loader does; returns the DatasetError, or undefined when it loads. */
async function loadOutcome(path: string, kind: "images" | "labels"): Promise<DatasetError | undefined> {
  try {
    const bytes = await bounded(readIdxGz(path), path);
    if (kind === "images") parseIdxImages(bytes, path);
    else parseIdxLabels(bytes, path);
    return undefined;
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    expect(error.file).toBe(path);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
    expect(error.message).not.toContain("\n");
    return error;
  }
}

const validImages = encodeIdxImages(syntheticPixels(2), 2);
const validLabels = encodeIdxLabels(Uint8Array.of(3, 1, 4, 1, 5, 9, 2, 6));

describe("the gzip + IDX reading path under damaged files", () => {
  let dir = "";
  let cleanup = async () => {};
  let n = 0;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(() => cleanup());
  const file = async (bytes: Uint8Array) => {
    const path = join(dir, `f${n++}.gz`);
    await writeFile(path, bytes);
    return path;
  };

  it("random bytes on disk: a DatasetError, never anything else", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        const path = await file(bytes);
        expect(await loadOutcome(path, "images")).toBeInstanceOf(DatasetError);
      }),
      { numRuns: 200 },
    );
  });

  it("random bytes behind a valid gzip wrapper: a result or a DatasetError", async () => {
    const content = fc.oneof(
      fc.uint8Array({ maxLength: 4000 }),
      // Plausible IDX headers (any type, rank and sizes) over random bodies.
      fc
        .record({
          type: fc.constantFrom(0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x07),
          rank: fc.integer({ min: 0, max: 4 }),
          dims: fc.array(fc.oneof(fc.nat(40), fc.constant(28), fc.constant(0xffffffff)), {
            minLength: 4,
            maxLength: 4,
          }),
          body: fc.uint8Array({ maxLength: 3000 }),
        })
        .map(({ type, rank, dims, body }) => {
          const out = new Uint8Array(4 + 4 * rank + body.length);
          const view = new DataView(out.buffer);
          out.set([0, 0, type, rank]);
          for (let d = 0; d < rank; d++) view.setUint32(4 + 4 * d, dims[d]!);
          out.set(body, 4 + 4 * rank);
          return out;
        }),
    );
    await fc.assert(
      fc.asyncProperty(content, fc.boolean(), async (bytes, images) => {
        const path = await file(gz(bytes));
        await loadOutcome(path, images ? "images" : "labels");
      }),
      { numRuns: 300 },
    );
  });

  it("a gzipped valid file cut at every byte boundary is rejected", async () => {
    for (const [valid, kind] of [
      [validImages, "images"],
      [validLabels, "labels"],
    ] as const) {
      const whole = gz(valid);
      expect(await loadOutcome(await file(whole), kind)).toBeUndefined();
      for (let cut = 0; cut < whole.length; cut++) {
        const error = await loadOutcome(await file(whole.subarray(0, cut)), kind);
        expect(error, `cut at ${cut} of ${whole.length}`).toBeInstanceOf(DatasetError);
      }
    }
  });

  it("an uncompressed file cut at every byte boundary and then gzipped is rejected", async () => {
    for (const [valid, kind] of [
      [validImages, "images"],
      [validLabels, "labels"],
    ] as const) {
      for (let cut = 0; cut < valid.length; cut += cut < 40 ? 1 : 97) {
        const error = await loadOutcome(await file(gz(valid.subarray(0, cut))), kind);
        expect(error, `cut at ${cut} of ${valid.length}`).toBeInstanceOf(DatasetError);
      }
    }
  });

  it("any bits flipped in the IDX header, or in the gzip header, are rejected", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.nat(15),
        fc.integer({ min: 1, max: 255 }),
        async (inGzip, at, mask) => {
          let bytes: Uint8Array;
          if (inGzip) {
            // The gzip header: magic (2 bytes), method, flags, time, extra flags, OS. A changed time,
            // extra flags or OS byte, or the FTEXT flag, still make a valid file, so the flips hit
            // the magic and the method, or set a reserved flag bit.
            bytes = gz(validImages);
            const spot = at % 4;
            bytes[spot]! ^= spot === 3 ? mask | 0x20 : mask;
          } else {
            const idx = validImages.slice();
            idx[at]! ^= mask;
            bytes = gz(idx);
          }
          expect(await loadOutcome(await file(bytes), "images")).toBeInstanceOf(DatasetError);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a header claiming 10^9 images is rejected from the header alone, before allocating", async () => {
    const path = await file(gz(encodeIdxImages(new Uint8Array(0), 0, { claimedCount: 1e9 })));
    const error = await loadOutcome(path, "images");
    expect(error?.code).toBe("E_IDX_TOO_LARGE");
    expect(error?.message).toContain("1000000000x28x28 values (784000000016 bytes)");
    expect(error?.message).toContain(`${MAX_IDX_BYTES}-byte limit`);
    await expect(readIdxDims(path)).rejects.toMatchObject({ code: "E_IDX_TOO_LARGE" });
  });

  it("a gzip bomb (6 GB of zeros in 6 MB behind a 2-image header) stops at the declared length", async () => {
    // Deflate blocks of 1 MiB of zeros, each flushed to a byte boundary and referring only to
    // earlier zeros, so one block repeated 6000 times is a valid stream of 6000 MiB. Decompressed
    // whole (as `zlib.gunzip` does) it takes half a minute and 4 GB before failing.
    const header = encodeIdxImages(new Uint8Array(0), 2);
    const deflate = createDeflateRaw({ level: 9 });
    const out: Buffer[] = [];
    deflate.on("data", (c: Buffer) => out.push(c));
    const flushed = async (bytes: Uint8Array) => {
      deflate.write(bytes);
      await new Promise<void>((resolve) => deflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
      const block = Buffer.concat(out);
      out.length = 0;
      return block;
    };
    const zeros = new Uint8Array(1 << 20);
    const first = await flushed(Buffer.concat([header, zeros]));
    const repeated = await flushed(zeros);
    deflate.destroy();
    const gzipHeader = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3);
    const bomb = Buffer.concat([gzipHeader, first, ...Array<Buffer>(6000).fill(repeated)]);
    expect(bomb.length).toBeLessThan(8_000_000);
    // `loadOutcome` fails the test if the read takes longer than HANG_MS.
    const error = await loadOutcome(await file(bomb), "images");
    expect(error?.code).toBe("E_IDX_LENGTH");
    expect(error?.message).toContain("data runs past the 1584 bytes its header declares (2x28x28 values)");
  });

  it("readIdxDims reads the header only: a valid header over a cut body still gives the dims", async () => {
    const whole = gz(encodeIdxImages(syntheticPixels(40), 40));
    expect(await readIdxDims(await file(whole))).toEqual([40, 28, 28]);
    expect(await readIdxDims(await file(whole.subarray(0, whole.length >> 1)))).toEqual([40, 28, 28]);
    const path = await file(gz(validImages.subarray(0, 10)));
    await expect(readIdxDims(path)).rejects.toMatchObject({ code: "E_IDX_HEADER", file: path });
  });
});
