import { describe, expect, it } from "vitest";
import { type Batch, batchCount, batches, PIXEL_SCALE } from "../src/batches.js";
import type { ImageSet } from "../src/load.js";

/** A set whose image i has every pixel equal to i (mod 256) and label i mod 10. */
function numberedSet(count: number): ImageSet {
  const images = new Uint8Array(count * 784);
  for (let i = 0; i < count; i++) images.fill(i % 256, i * 784, (i + 1) * 784);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels, count };
}

/** Which example each batch row came from, read back from the pixel value. */
function exampleIds(batch: Batch): number[] {
  return Array.from({ length: batch.size }, (_, j) => batch.x[j * 784]!);
}

/**
 * Example ids of a whole pass, read while iterating: the pixel buffer is reused, so collecting
 * the batches first and reading them afterwards would see only the last one.
 */
function passIds(pass: Iterable<Batch>, check?: (batch: Batch, ids: number[]) => void): number[] {
  const all: number[] = [];
  for (const batch of pass) {
    const ids = exampleIds(batch);
    check?.(batch, ids);
    all.push(...ids);
  }
  return all;
}

/** A seeded Fisher-Yates shuffle (mulberry32), standing in for the trainer's RNG. */
function seededShuffle(seed: number): (indices: Uint32Array) => void {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return (indices) => {
    for (let i = indices.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      const tmp = indices[i]!;
      indices[i] = indices[j]!;
      indices[j] = tmp;
    }
  };
}

describe("batchCount", () => {
  it("counts the last partial batch", () => {
    expect(batchCount(60000, 256)).toBe(235);
    expect(batchCount(512, 256)).toBe(2);
    expect(batchCount(0, 32)).toBe(0);
  });

  it("rejects non-positive or fractional sizes", () => {
    expect(() => batchCount(10, 0)).toThrow(RangeError);
    expect(() => batchCount(10, 1.5)).toThrow(RangeError);
    expect(() => batchCount(-1, 4)).toThrow(RangeError);
  });
});

describe("batches", () => {
  it("yields full batches then one partial batch, indexed from 0 (60000 / 256 = 234 full + 96)", () => {
    const sizes = [...batches(numberedSet(60000), { batchSize: 256 })].map((b) => [
      b.index,
      b.size,
      b.x.length,
      b.labels.length,
    ]);
    expect(sizes).toHaveLength(235);
    expect(sizes.slice(0, 234).every(([, size]) => size === 256)).toBe(true);
    expect(sizes[0]).toEqual([0, 256, 256 * 784, 256]);
    expect(sizes[234]).toEqual([234, 96, 96 * 784, 96]);
  });

  it("keeps the pixel bytes as stored, with the scale that maps them to [0, 1] exactly as byte / 255", () => {
    const images = Uint8Array.from({ length: 784 }, (_, p) => p % 256);
    const [batch] = [...batches({ images, labels: Uint8Array.of(7), count: 1 }, { batchSize: 4 })];
    expect(batch!.size).toBe(1);
    expect(batch!.labels).toEqual(Uint8Array.of(7));
    expect(batch!.x).toEqual(images);
    expect(batch!.scale).toBe(PIXEL_SCALE);
    for (let b = 0; b < 256; b++) expect(Math.fround(b * batch!.scale)).toBe(Math.fround(b / 255));
    expect(Math.fround(255 * batch!.scale)).toBe(1);
  });

  it("copies every byte of shuffled images exactly, whatever their alignment", () => {
    // Bright pixels (255, 240) in runs that, read as float64 words, would spell NaNs.
    const pattern = (i: number) => Uint8Array.from({ length: 784 }, (_, p) => [255, 240, 0, i, 7][p % 5]!);
    for (const offset of [0, 1, 4]) {
      const raw = new Uint8Array(offset + 3 * 784);
      for (let i = 0; i < 3; i++) raw.set(pattern(i), offset + i * 784);
      const images = raw.subarray(offset);
      const set = { images, labels: Uint8Array.of(0, 1, 2), count: 3 };
      const [batch] = [...batches(set, { batchSize: 3, shuffle: (o) => o.reverse() })];
      for (let j = 0; j < 3; j++) {
        expect(batch!.x.subarray(j * 784, (j + 1) * 784)).toEqual(pattern(2 - j));
      }
    }
  });

  it("in order without a shuffle, labels matching pixels", () => {
    const labels: number[] = [];
    const ids = passIds(batches(numberedSet(10), { batchSize: 4 }), (b) => labels.push(...b.labels));
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(labels).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("reuses one pixel buffer per iterator but gives fresh label arrays", () => {
    const it = batches(numberedSet(10), { batchSize: 4 });
    const a = it.next().value as Batch;
    const labelsA = a.labels;
    const firstPixel = a.x[0];
    const b = it.next().value as Batch;
    expect(b.x.buffer).toBe(a.x.buffer);
    expect(a.x[0]).not.toBe(firstPixel);
    expect(b.labels).not.toBe(labelsA);
    expect([...labelsA]).toEqual([0, 1, 2, 3]);
  });

  it("applies the shuffle to example order, once per pass, deterministically", () => {
    const set = numberedSet(250);
    const calls: number[] = [];
    const shuffle = (seed: number) => (indices: Uint32Array) => {
      calls.push(indices.length);
      expect([...indices]).toEqual(Array.from({ length: indices.length }, (_, i) => i));
      seededShuffle(seed)(indices);
    };
    const pass = (seed: number) =>
      passIds(batches(set, { batchSize: 64, shuffle: shuffle(seed) }), (b, ids) =>
        expect([...b.labels]).toEqual(ids.map((i) => i % 10)),
      );
    const first = pass(1);
    expect(pass(1)).toEqual(first);
    expect(pass(2)).not.toEqual(first);
    expect(first).not.toEqual([...first].sort((x, y) => x - y));
    expect(calls).toEqual([250, 250, 250]);
  });

  it("visits every example exactly once per shuffled pass", () => {
    // 256 examples so every pixel value names one example unambiguously.
    const ids = passIds(batches(numberedSet(256), { batchSize: 30, shuffle: seededShuffle(7) }));
    expect(ids).toHaveLength(256);
    expect(new Set(ids).size).toBe(256);
  });

  it("the permutation the callback leaves is exactly the order used", () => {
    const reverse = (indices: Uint32Array) => indices.reverse();
    const ids = passIds(batches(numberedSet(9), { batchSize: 4, shuffle: reverse }));
    expect(ids).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it("honours limit, with and without a shuffle", () => {
    const set = numberedSet(100);
    const sizes: number[] = [];
    const inOrder = passIds(batches(set, { batchSize: 8, limit: 20 }), (b) => sizes.push(b.size));
    expect(sizes).toEqual([8, 8, 4]);
    expect(inOrder).toEqual(Array.from({ length: 20 }, (_, i) => i));
    let seen = 0;
    const shuffled = passIds(
      batches(set, {
        batchSize: 8,
        limit: 20,
        shuffle: (idx) => {
          seen = idx.length;
          seededShuffle(3)(idx);
        },
      }),
    );
    expect(seen).toBe(20);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect([...batches(set, { batchSize: 8, limit: 1000 })]).toHaveLength(13);
    expect([...batches(set, { batchSize: 8, limit: 0 })]).toHaveLength(0);
  });

  it("names each batch's examples (rows of source) and gathers the pixels only when read", () => {
    const set = numberedSet(10);
    const pass = batches(set, { batchSize: 4, shuffle: seededShuffle(3) });
    const seen: number[][] = [];
    for (const batch of pass) {
      expect(batch.source).toBe(set.images);
      const rows = Array.from(batch.rows);
      seen.push(rows);
      expect(Array.from(batch.labels)).toEqual(rows.map((r) => r % 10));
      expect(exampleIds(batch)).toEqual(rows);
    }
    expect(seen.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // In order, rows are the plain indices.
    const ordered = [...batches(set, { batchSize: 4 })].map((b) => Array.from(b.rows));
    expect(ordered).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
  });

  it("a batch's pixels read only after the iterator moved on are still that batch's", () => {
    const set = numberedSet(9);
    const kept = [...batches(set, { batchSize: 4, shuffle: seededShuffle(5) })];
    for (const batch of kept) expect(exampleIds(batch)).toEqual(Array.from(batch.rows));
  });

  it("rejects bad arguments and shuffles that do not leave a permutation, at call time", () => {
    const set = numberedSet(5);
    expect(() => batches(set, { batchSize: 0 })).toThrow(RangeError);
    expect(() => batches(set, { batchSize: 2, limit: -1 })).toThrow(RangeError);
    expect(() => batches(set, { batchSize: 2, shuffle: (idx) => idx.fill(0) })).toThrow(/not a permutation/);
    expect(() => batches(set, { batchSize: 2, shuffle: (idx) => idx.set([9], 0) })).toThrow(
      /not a permutation/,
    );
    expect(() => batches({ ...set, count: 6 }, { batchSize: 2 })).toThrow(RangeError);
  });
});
