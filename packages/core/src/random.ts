/** The serialisable state of a `Random`: four 32-bit words and the spare normal deviate, if any. */
export interface RandomState {
  /** The four 32-bit words of the xoshiro128** state. */
  readonly s: readonly [number, number, number, number];
  /** The second normal deviate of the last Box–Muller pair, not yet returned. */
  readonly spare: number | null;
}

/** SplitMix32 step: spreads a small integer seed over 32 well-mixed bits. */
function splitmix32(x: number): [next: number, out: number] {
  const next = (x + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/**
 * The one seeded generator of a run (xoshiro128**). All randomness — initial weights, shuffles —
 * comes from it, on the host, so the same seed gives the same run on every backend.
 */
export class Random {
  /**
   * The four words of the state. A typed array keeps them 32-bit integers: as four number fields
   * (seeded with unsigned words, so held as floats) every draw converted them back and forth, and
   * shuffling Fashion-MNIST's 60,000 indices took 2-3 ms an epoch instead of under 1.
   */
  private readonly s = new Int32Array(4);
  private spare: number | null = null;

  constructor(seed = 0) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    // The low 32 bits seed the words; the high bits (non-zero for negative seeds and seeds >= 2^32)
    // are mixed in separately, so that e.g. -1 and 0, or 2^32 and 1, give different sequences.
    let x = seed | 0;
    const high = Math.floor(seed / 0x100000000) | 0;
    let y = high ^ 0x6a09e667;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(x);
      x = next;
      if (high === 0) {
        words.push(out);
        continue;
      }
      const [nextHigh, mixed] = splitmix32(y);
      y = nextHigh;
      words.push((out ^ mixed) >>> 0);
    }
    this.s.set(words);
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A normal deviate (Box–Muller; the second deviate of each pair is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Fills a new Float32Array with normal deviates. */
  normalArray(length: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** Shuffles in place (Fisher–Yates). */
  shuffle<
    A extends {
      /** Number of items. */
      length: number;
      [i: number]: number;
    },
  >(items: A): A {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /** A snapshot from which `Random.fromState` continues the exact same sequence. */
  getState(): RandomState {
    const [s0, s1, s2, s3] = this.s;
    return { s: [s0!, s1!, s2!, s3!], spare: this.spare };
  }

  /**
   * A generator that continues from a state taken with `getState`. Throws a `RangeError` for a state that no
   * generator can have (e.g. all zero).
   */
  static fromState(state: RandomState): Random {
    // An all-zero state never leaves zero (and `normal` would loop forever on it).
    const valid =
      Array.isArray(state.s) &&
      state.s.length === 4 &&
      state.s.every((w) => Number.isInteger(w)) &&
      state.s.some((w) => (w | 0) !== 0) &&
      (state.spare === null || Number.isFinite(state.spare));
    if (!valid) throw new RangeError(`invalid Random state: ${JSON.stringify(state)}`);
    const r = new Random(0);
    r.s.set(state.s.map((w) => w | 0));
    r.spare = state.spare;
    return r;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
