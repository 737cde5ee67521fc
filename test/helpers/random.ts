// Deterministic randomness and time for tests: a seeded PRNG (mulberry32) and a clock moved by hand.

/** Values in [0, 1), the same sequence for the same seed on every run and platform. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/** Returns the given values in order, then fails: for tests that pin exactly which draws are made. */
export function scriptedRandom(values: readonly number[]): () => number {
  let i = 0;
  return () => {
    const v = values[i++];
    if (v === undefined) throw new Error(`scriptedRandom: more than ${values.length} draws`);
    return v;
  };
}

export class FakeClock {
  t: number;
  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
