import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DATA_FILES } from "../src/constants.js";

/** Encodes an IDX3 image file; `rows`/`cols`/`magic`/`claimedCount` can be bent to make bad files. */
export function encodeIdxImages(
  pixels: Uint8Array,
  count: number,
  opts: { rows?: number; cols?: number; magic?: number; claimedCount?: number } = {},
): Uint8Array {
  const out = new Uint8Array(16 + pixels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, opts.magic ?? 0x803);
  view.setUint32(4, opts.claimedCount ?? count);
  view.setUint32(8, opts.rows ?? 28);
  view.setUint32(12, opts.cols ?? 28);
  out.set(pixels, 16);
  return out;
}

/** Encodes an IDX1 label file. */
export function encodeIdxLabels(
  labels: Uint8Array,
  opts: { magic?: number; claimedCount?: number } = {},
): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, opts.magic ?? 0x801);
  view.setUint32(4, opts.claimedCount ?? labels.length);
  out.set(labels, 8);
  return out;
}

/** gzip as a plain Uint8Array. */
export function gz(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(bytes));
}

/** Lowercase hex MD5. */
export function md5(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

/** `count` deterministic images: pixel p of image i is (i * 31 + p) mod 256. */
export function syntheticPixels(count: number): Uint8Array {
  const pixels = new Uint8Array(count * 784);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < 784; p++) pixels[i * 784 + p] = (i * 31 + p) % 256;
  }
  return pixels;
}

/** The four gzipped files of a tiny but valid data set, keyed by file name. */
export function tinyDataset(trainCount = 5, testCount = 3): Map<string, Uint8Array> {
  const labels = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 10);
  return new Map([
    [DATA_FILES.trainImages, gz(encodeIdxImages(syntheticPixels(trainCount), trainCount))],
    [DATA_FILES.trainLabels, gz(encodeIdxLabels(labels(trainCount)))],
    [DATA_FILES.testImages, gz(encodeIdxImages(syntheticPixels(testCount), testCount))],
    [DATA_FILES.testLabels, gz(encodeIdxLabels(labels(testCount)))],
  ]);
}

/** Writes `files` (name -> bytes) into `dir`. */
export async function writeFiles(dir: string, files: Map<string, Uint8Array>): Promise<void> {
  await Promise.all([...files].map(([name, bytes]) => writeFile(join(dir, name), bytes)));
}

/** A fresh temporary directory and a function that removes it. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "tp-fmnist-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
