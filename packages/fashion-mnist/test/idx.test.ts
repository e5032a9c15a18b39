import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatasetError } from "../src/errors.js";
import { readIdxDims, readIdxGz } from "../src/gzip.js";
import { parseIdxImages, parseIdxLabels } from "../src/idx.js";
import { encodeIdxImages, encodeIdxLabels, gz, syntheticPixels, tempDir } from "./fixtures.js";

/** Runs `fn` and returns the DatasetError it throws, failing the test if it throws anything else. */
function datasetError(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetError);
    return error as DatasetError;
  }
  throw new Error("expected a DatasetError, nothing was thrown");
}

describe("parseIdxImages", () => {
  it("round-trips pixels and count", () => {
    const pixels = syntheticPixels(3);
    const { images, count } = parseIdxImages(encodeIdxImages(pixels, 3), "a.idx");
    expect(count).toBe(3);
    expect(images).toEqual(pixels);
  });

  it("accepts zero images", () => {
    expect(parseIdxImages(encodeIdxImages(new Uint8Array(0), 0)).count).toBe(0);
  });

  it("works on a view that does not start at offset 0 of its buffer", () => {
    const file = encodeIdxImages(syntheticPixels(2), 2);
    const padded = new Uint8Array(file.length + 3);
    padded.set(file, 3);
    expect(parseIdxImages(padded.subarray(3), "x").images).toEqual(syntheticPixels(2));
  });

  it("rejects a bad magic number", () => {
    const e = datasetError(() =>
      parseIdxImages(encodeIdxImages(syntheticPixels(1), 1, { magic: 0x801 }), "img.idx"),
    );
    expect(e.code).toBe("E_IDX_MAGIC");
    expect(e.file).toBe("img.idx");
    expect(e.message).toMatch(/^img\.idx: bad magic number 0x00000801, expected 0x00000803/);
  });

  it.each([
    [27, 28],
    [28, 29],
    [784, 1],
  ])("rejects %ix%i images", (rows, cols) => {
    const e = datasetError(() =>
      parseIdxImages(encodeIdxImages(syntheticPixels(1), 1, { rows, cols }), "img.idx"),
    );
    expect(e.code).toBe("E_IDX_DIMS");
    expect(e.message).toContain("img.idx");
    expect(e.message).toContain(`${rows}x${cols}`);
  });

  it("rejects data shorter or longer than the header count", () => {
    for (const claimedCount of [1, 3]) {
      const e = datasetError(() =>
        parseIdxImages(encodeIdxImages(syntheticPixels(2), 2, { claimedCount }), "img.idx"),
      );
      expect(e.code).toBe("E_IDX_LENGTH");
      expect(e.message).toContain("img.idx");
      expect(e.message).toContain(`${claimedCount} items`);
    }
  });

  it("rejects a header claiming 10^9 images from the header alone (allocating would throw RangeError instead)", () => {
    const e = datasetError(() =>
      parseIdxImages(encodeIdxImages(new Uint8Array(0), 0, { claimedCount: 1e9 }), "huge.idx"),
    );
    expect(e.code).toBe("E_IDX_LENGTH");
    expect(e.message).toContain("1000000000 items");
  });

  it("rejects a buffer shorter than the header (after a right magic number)", () => {
    const e = datasetError(() =>
      parseIdxImages(encodeIdxImages(new Uint8Array(0), 0).subarray(0, 15), "short.idx"),
    );
    expect(e.code).toBe("E_IDX_HEADER");
    expect(e.message).toContain("short.idx");
  });
});

describe("parseIdxLabels", () => {
  it("round-trips labels", () => {
    const labels = Uint8Array.from([9, 0, 3, 9, 1]);
    expect(parseIdxLabels(encodeIdxLabels(labels), "l.idx")).toEqual(labels);
  });

  it("rejects a bad magic number", () => {
    const e = datasetError(() =>
      parseIdxLabels(encodeIdxLabels(Uint8Array.of(1), { magic: 0x803 }), "l.idx"),
    );
    expect(e.code).toBe("E_IDX_MAGIC");
    expect(e.message).toContain("l.idx");
  });

  it("rejects label 10, naming its position", () => {
    const e = datasetError(() => parseIdxLabels(encodeIdxLabels(Uint8Array.of(0, 9, 10, 2)), "l.idx"));
    expect(e.code).toBe("E_IDX_LABEL");
    expect(e.message).toBe("l.idx: label 10 at index 2 is out of range 0..9");
  });

  it("rejects a count/length mismatch and a huge claimed count", () => {
    const short = datasetError(() =>
      parseIdxLabels(encodeIdxLabels(Uint8Array.of(1, 2), { claimedCount: 3 }), "l"),
    );
    expect(short.code).toBe("E_IDX_LENGTH");
    const huge = datasetError(() =>
      parseIdxLabels(encodeIdxLabels(Uint8Array.of(), { claimedCount: 0xffffffff }), "l"),
    );
    expect(huge.code).toBe("E_IDX_LENGTH");
  });
});

describe("readIdxGz", () => {
  let dir = "";
  let cleanup = async () => {};
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(() => cleanup());

  async function fileWith(name: string, bytes: Uint8Array): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  }

  it("leaves no file request pending once it resolves (the file is streamed, then closed)", async () => {
    const path = await fileWith("pending.gz", gz(encodeIdxImages(syntheticPixels(2), 2)));
    const fileRequests = () =>
      process.getActiveResourcesInfo().filter((kind) => kind === "FSReqCallback" || kind === "CloseReq")
        .length;
    // A turn first: writing the file leaves its close request listed until its callback returns.
    await new Promise((resolve) => setImmediate(resolve));
    const before = fileRequests();
    await readIdxGz(path);
    expect(fileRequests()).toBeLessThanOrEqual(before);
    await readIdxDims(path);
    expect(fileRequests()).toBeLessThanOrEqual(before);
  });

  it("decompresses into the caller's buffer when asked, and checks its length", async () => {
    const raw = encodeIdxImages(syntheticPixels(3), 3);
    const path = await fileWith("into.gz", gz(raw));
    const shared = new Uint8Array(new SharedArrayBuffer(raw.length + 32), 32, raw.length);
    const asked: number[] = [];
    const bytes = await readIdxGz(path, {
      allocate: (length) => {
        asked.push(length);
        return shared;
      },
    });
    expect(asked).toEqual([raw.length]);
    expect(bytes).toEqual(raw);
    expect(bytes.buffer).toBe(shared.buffer);
    expect(bytes.byteOffset).toBe(32);
    await expect(readIdxGz(path, { allocate: (length) => new Uint8Array(length - 1) })).rejects.toThrow(
      /returned \d+ bytes; it must return exactly/,
    );
  });

  async function readError(path: string): Promise<DatasetError> {
    const error = await readIdxGz(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatasetError);
    const e = error as DatasetError;
    expect(e.file).toBe(path);
    expect(e.message.startsWith(`${path}: `)).toBe(true);
    expect(e.message).not.toContain("\n");
    return e;
  }

  it("gunzips a file", async () => {
    const raw = encodeIdxImages(syntheticPixels(2), 2);
    const bytes = await readIdxGz(await fileWith("ok.gz", gz(raw)));
    expect(bytes).toEqual(raw);
    expect(parseIdxImages(bytes).count).toBe(2);
  });

  it("rejects an empty file", async () => {
    expect((await readError(await fileWith("empty.gz", new Uint8Array(0)))).code).toBe("E_EMPTY");
  });

  it("rejects a file that is not gzip", async () => {
    const e = await readError(await fileWith("plain.gz", encodeIdxLabels(Uint8Array.of(1, 2))));
    expect(e.code).toBe("E_GZIP");
    expect(e.message).toContain("not a gzip file");
  });

  it("rejects gzip with a corrupt body", async () => {
    const bytes = gz(encodeIdxLabels(Uint8Array.of(1, 2, 3)));
    bytes[3] = 0xff; // reserved flag bits set: zlib refuses the header
    const e = await readError(await fileWith("corrupt.gz", bytes));
    expect(e.code).toBe("E_GZIP");
  });

  it("rejects truncated gzip", async () => {
    const full = gz(encodeIdxImages(syntheticPixels(4), 4));
    const e = await readError(await fileWith("cut.gz", full.subarray(0, full.length >> 1)));
    expect(e.code).toBe("E_GZIP");
    expect(e.message).toContain("truncated");
  });

  it("with `expect`, names a wrong magic number or wrong dimensions before reading the data", async () => {
    const labelsForImages = await fileWith("swapped.gz", gz(encodeIdxLabels(new Uint8Array(2000))));
    const swapped = await readIdxGz(labelsForImages, { expect: "images" }).catch((x: unknown) => x);
    expect(swapped).toMatchObject({ code: "E_IDX_MAGIC", file: labelsForImages });
    expect((swapped as Error).message).toContain("expected 0x00000803 for IDX images");
    const small = await fileWith("27.gz", gz(encodeIdxImages(syntheticPixels(3), 3, { rows: 27 })));
    await expect(readIdxGz(small, { expect: "images" })).rejects.toMatchObject({ code: "E_IDX_DIMS" });
    // Without `expect` the same file fails on its length: the header's 27x28 does not fit the data.
    await expect(readIdxGz(small)).rejects.toMatchObject({ code: "E_IDX_LENGTH" });
  });

  it("rejects a missing file", async () => {
    const e = await readError(join(dir, "nope.gz"));
    expect(e.code).toBe("E_READ");
    expect(e.message).toContain("ENOENT");
  });
});
