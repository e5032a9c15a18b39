import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Random, type RandomState } from "./random.js";

const draws = (r: Random, n: number): number[] => Array.from({ length: n }, () => r.nextUint32());

/** An independent xoshiro128** (unsigned arithmetic on a Uint32Array) to check the generator against. */
function referenceXoshiro(state: RandomState, n: number): number[] {
  const s = Uint32Array.from(state.s.map((w) => w >>> 0));
  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(Number((BigInt(rotl(Number((BigInt(s[1]!) * 5n) & 0xffffffffn), 7)) * 9n) & 0xffffffffn));
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
  }
  return out;
}

describe("Random seeding", () => {
  it("gives the same sequence for the same seed (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (seed) => {
        expect(draws(new Random(seed), 20)).toEqual(draws(new Random(seed), 20));
      }),
    );
  });

  it("keeps the sequences of non-negative 32-bit seeds stable", () => {
    // Recorded values: changing them would change every seeded run (initial weights, shuffles).
    expect(draws(new Random(0), 4)).toEqual([3809008728, 1133695204, 53579671, 2891528803]);
    expect(draws(new Random(), 4)).toEqual([3809008728, 1133695204, 53579671, 2891528803]);
    expect(draws(new Random(1), 4)).toEqual([2442144158, 3238099751, 3819917871, 2104621829]);
    expect(draws(new Random(42), 4)).toEqual([2837322924, 544945897, 479756282, 3500138142]);
    expect(draws(new Random(2 ** 32 - 1), 4)).toEqual([835879718, 1921286648, 2356205009, 1885780724]);
  });

  it("gives different sequences for different seeds, including negative and >= 2^32 ones", () => {
    const seeds = [
      ...Array.from({ length: 2001 }, (_, i) => i - 1000),
      2 ** 32,
      2 ** 32 + 1,
      -(2 ** 32),
      2 ** 40,
      2 ** 40 + 1,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ];
    const firsts = new Map<string, number>();
    for (const seed of seeds) {
      const key = draws(new Random(seed), 2).join(",");
      const clash = firsts.get(key);
      if (clash !== undefined) throw new Error(`seeds ${clash} and ${seed} start identically`);
      firsts.set(key, seed);
    }
    // the pairs an xor-fold of the high word would make collide
    expect(draws(new Random(-1), 8)).not.toEqual(draws(new Random(0), 8));
    expect(draws(new Random(-2), 8)).not.toEqual(draws(new Random(1), 8));
    expect(draws(new Random(2 ** 32), 8)).not.toEqual(draws(new Random(1), 8));
  });

  it.each([1.5, -0.25, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -(2 ** 53)])(
    "rejects the seed %s",
    (seed) => {
      expect(() => new Random(seed)).toThrow(RangeError);
      expect(() => new Random(seed)).toThrow(/seed must be an integer/);
    },
  );
});

describe("Random.nextUint32", () => {
  it("is xoshiro128** (matches an independent implementation)", () => {
    for (const seed of [0, 7, -3, 2 ** 40]) {
      const r = new Random(seed);
      const expected = referenceXoshiro(r.getState(), 1000);
      expect(draws(r, 1000)).toEqual(expected);
    }
  });

  it("returns unsigned 32-bit integers", () => {
    const r = new Random(5);
    const bad = draws(r, 10_000).filter((v) => !(Number.isInteger(v) && v >= 0 && v < 2 ** 32));
    expect(bad).toEqual([]);
  });
});

describe("Random.next", () => {
  it("stays in [0, 1), covers the interval and has mean 1/2", () => {
    const r = new Random(11);
    const n = 100_000;
    let sum = 0;
    let min = 1;
    let max = 0;
    let fine = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const v = r.next();
      if (!(v >= 0 && v < 1)) outside++;
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
      // 53-bit resolution: a 32-bit float would always be a multiple of 2^-32
      if (!Number.isInteger(v * 2 ** 32)) fine++;
    }
    // the mean of n uniforms has standard error sqrt(1/12/n) ≈ 0.00091; allow 5 of them
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(min).toBeLessThan(1e-3);
    expect(max).toBeGreaterThan(1 - 1e-3);
    expect(fine).toBeGreaterThan(n * 0.99);
    expect(outside).toBe(0);
  });

  it("is (27 bits of one draw, 26 of the next) / 2^53, so at most 1 - 2^-53", () => {
    const r = new Random(21);
    const twin = Random.fromState(r.getState());
    for (let i = 0; i < 100; i++) {
      const hi = twin.nextUint32() >>> 5;
      const lo = twin.nextUint32() >>> 6;
      expect(r.next()).toBe((hi * 2 ** 26 + lo) / 2 ** 53);
    }
  });

  it("nextInt(n) is an integer in [0, n) with roughly equal counts", () => {
    const r = new Random(3);
    const counts = new Array<number>(6).fill(0);
    const n = 60_000;
    for (let i = 0; i < n; i++) {
      const k = r.nextInt(6);
      if (!(Number.isInteger(k) && k >= 0 && k < 6)) throw new Error(`nextInt(6) gave ${k}`);
      counts[k]!++;
    }
    // each count is binomial(n, 1/6): standard deviation ≈ 91; allow 5 of them
    const sd = Math.sqrt((n * (1 / 6) * 5) / 6);
    for (const c of counts) expect(Math.abs(c - n / 6)).toBeLessThan(5 * sd);
    expect(new Random(3).nextInt(1)).toBe(0);
  });
});

describe("Random.normal", () => {
  it("has mean ≈ 0, std ≈ 1 and normal tails over 100k draws", () => {
    const r = new Random(2024);
    const n = 100_000;
    const xs = Array.from({ length: n }, () => r.normal());
    const mean = xs.reduce((s, v) => s + v, 0) / n;
    const std = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
    // For n = 1e5 the sample mean has standard error 1/sqrt(n) ≈ 0.0032 and the sample standard
    // deviation ≈ 1/sqrt(2n) ≈ 0.0022. Five standard errors (0.016 and 0.011) keep a correct generator
    // far from failing yet catch a wrong scale, a dropped half of each pair, or a uniform in disguise.
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(std - 1)).toBeLessThan(5 / Math.sqrt(2 * n));
    // P(|z| < 1) = 0.6827, P(|z| < 2) = 0.9545, binomial standard errors ≈ 0.0015 and 0.0007
    const within = (k: number) => xs.filter((v) => Math.abs(v) < k).length / n;
    expect(Math.abs(within(1) - 0.6827)).toBeLessThan(0.0075);
    expect(Math.abs(within(2) - 0.9545)).toBeLessThan(0.0035);
    expect(xs.every(Number.isFinite)).toBe(true);
  });

  it("scales by mean and std", () => {
    const a = new Random(9);
    const b = new Random(9);
    for (let i = 0; i < 10; i++) expect(a.normal(3, 2)).toBeCloseTo(3 + 2 * b.normal(), 12);
  });

  it("normalArray is a Float32Array of the same deviates", () => {
    const a = new Random(4).normalArray(7, 1, 0.5);
    const b = new Random(4);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a).toHaveLength(7);
    expect(Array.from(a)).toEqual(Array.from({ length: 7 }, () => Math.fround(b.normal(1, 0.5))));
  });
});

describe("Random.shuffle", () => {
  it("returns the same array, holding a permutation of its items (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer({ min: 0, max: 1000 }), (items, seed) => {
        const copy = [...items];
        const out = new Random(seed).shuffle(copy);
        expect(out).toBe(copy);
        expect([...out].sort((x, y) => x - y)).toEqual([...items].sort((x, y) => x - y));
      }),
    );
  });

  it("shuffles typed arrays in place", () => {
    const xs = Int32Array.from({ length: 100 }, (_, i) => i);
    new Random(1).shuffle(xs);
    expect(Array.from(xs).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(xs)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it("is deterministic per seed", () => {
    const order = (seed: number) => new Random(seed).shuffle(Array.from({ length: 50 }, (_, i) => i));
    expect(order(8)).toEqual(order(8));
    expect(order(8)).not.toEqual(order(9));
  });

  it("makes all 6 orders of 3 items about equally often (Fisher-Yates, no off-by-one)", () => {
    const r = new Random(77);
    const counts = new Map<string, number>();
    const n = 6000;
    for (let i = 0; i < n; i++) {
      const key = r.shuffle([0, 1, 2]).join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const sd = Math.sqrt((n * (1 / 6) * 5) / 6); // ≈ 29
    for (const c of counts.values()) expect(Math.abs(c - n / 6)).toBeLessThan(5 * sd);
  });
});

describe("Random state", () => {
  it("fromState(getState()) continues the identical sequence", () => {
    const r = new Random(123);
    draws(r, 17);
    r.next();
    const copy = Random.fromState(r.getState());
    expect(draws(copy, 100)).toEqual(draws(r, 100));
    expect(copy.next()).toBe(r.next());
  });

  it("carries a pending spare normal", () => {
    const r = new Random(5);
    r.normal(); // the pair's second deviate is now pending
    const state = r.getState();
    expect(state.spare).not.toBeNull();
    const copy = Random.fromState(state);
    const expected = [r.normal(), r.normal(), r.normal(), r.nextUint32()];
    expect([copy.normal(), copy.normal(), copy.normal(), copy.nextUint32()]).toEqual(expected);
    // without the spare the copy would start a new pair, drawing uniforms first
    const withoutSpare = Random.fromState({ ...state, spare: null });
    expect(withoutSpare.normal()).not.toBe(expected[0]);
  });

  it("has no spare right after a pair is used up", () => {
    const r = new Random(5);
    r.normal();
    r.normal();
    expect(r.getState().spare).toBeNull();
  });

  it("survives a JSON round trip", () => {
    const r = new Random(-42);
    r.normal();
    draws(r, 3);
    const copy = Random.fromState(JSON.parse(JSON.stringify(r.getState())) as RandomState);
    expect(Array.from(copy.normalArray(9))).toEqual(Array.from(r.normalArray(9)));
    expect(draws(copy, 9)).toEqual(draws(r, 9));
  });

  it("is a snapshot, not a live view", () => {
    const r = new Random(1);
    const state = r.getState();
    const s = [...state.s];
    draws(r, 5);
    r.normal();
    expect(state.s).toEqual(s);
    expect(state.spare).toBeNull();
  });

  it("rejects an all-zero or malformed state", () => {
    expect(() => Random.fromState({ s: [0, 0, 0, 0], spare: null })).toThrow(RangeError);
    expect(() =>
      Random.fromState({ s: [1, 2, 3] as unknown as [number, number, number, number], spare: null }),
    ).toThrow(RangeError);
    expect(() => Random.fromState({ s: [1, 2, 3, 0.5], spare: null })).toThrow(RangeError);
    expect(() => Random.fromState({ s: [1, 2, 3, 4], spare: Number.NaN })).toThrow(RangeError);
    expect(() => Random.fromState({ s: [1, 0, 0, 0], spare: 0.25 })).not.toThrow();
  });
});
