import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DATA_FILES } from "@tensorplug/fashion-mnist";

function idxImages(pixels: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(16 + pixels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x803);
  view.setUint32(4, count);
  view.setUint32(8, 28);
  view.setUint32(12, 28);
  out.set(pixels, 16);
  return out;
}

function idxLabels(labels: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x801);
  view.setUint32(4, labels.length);
  out.set(labels, 8);
  return out;
}

/**
 * Images of class k light rows 2k+4 .. 2k+7 (overlapping bands), over deterministic noise: easy to
 * learn but not trivially, so a few epochs give a real accuracy below 1 and real mistakes.
 */
function split(count: number, seed: number): { pixels: Uint8Array; labels: Uint8Array } {
  const pixels = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s >>> 24;
  };
  for (let i = 0; i < count; i++) {
    const label = (i * 7 + (next() % 3)) % 10;
    labels[i] = label;
    for (let p = 0; p < 784; p++) {
      const row = Math.floor(p / 28);
      const lit = row >= 2 * label + 4 && row < 2 * label + 8;
      pixels[i * 784 + p] = Math.min(255, (lit ? 150 : 0) + (next() % 110));
    }
  }
  return { pixels, labels };
}

/** A temporary directory holding a tiny Fashion-MNIST look-alike (the four .gz files). */
export function tinyDataDir(trainCount = 600, testCount = 120): string {
  const dir = mkdtempSync(join(tmpdir(), "tensorplug-tiny-"));
  const train = split(trainCount, 1);
  const test = split(testCount, 2);
  writeFileSync(join(dir, DATA_FILES.trainImages), gzipSync(idxImages(train.pixels, trainCount)));
  writeFileSync(join(dir, DATA_FILES.trainLabels), gzipSync(idxLabels(train.labels)));
  writeFileSync(join(dir, DATA_FILES.testImages), gzipSync(idxImages(test.pixels, testCount)));
  writeFileSync(join(dir, DATA_FILES.testLabels), gzipSync(idxLabels(test.labels)));
  return dir;
}
