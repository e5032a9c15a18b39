import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { DATA_FILES, IMAGE_SIZE, SYSTEM_DATA_DIR } from "@tensorplug/fashion-mnist";

/** The first `count` items of a real IDX file, with the header's count changed to match. */
function firstItems(file: string, count: number, headerBytes: number, itemBytes: number): Uint8Array {
  const raw = gunzipSync(readFileSync(join(SYSTEM_DATA_DIR, file)));
  const out = Buffer.from(raw.subarray(0, headerBytes + count * itemBytes));
  out.writeUInt32BE(count, 4);
  return out;
}

/**
 * A data directory holding the first `train` and `test` images of the real Fashion-MNIST (from
 * the Debian package CI installs), as the four gzipped IDX files the CLI reads.
 */
export function realSubsetDir(train: number, test: number): string {
  const dir = mkdtempSync(join(tmpdir(), "tensorplug-subset-"));
  const files: [string, number, number, number][] = [
    [DATA_FILES.trainImages, train, 16, IMAGE_SIZE],
    [DATA_FILES.trainLabels, train, 8, 1],
    [DATA_FILES.testImages, test, 16, IMAGE_SIZE],
    [DATA_FILES.testLabels, test, 8, 1],
  ];
  for (const [file, count, header, item] of files) {
    writeFileSync(join(dir, file), gzipSync(firstItems(file, count, header, item), { level: 1 }));
  }
  return dir;
}
