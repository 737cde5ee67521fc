// A random source for the balancer that does not allocate: Math.random boxes a heap number per call on this
// V8, which shows up as garbage on the per-request path. xorshift128 with its state in a typed array.
import { randomBytes } from 'node:crypto';

export function createRandom(seed: Uint32Array = new Uint32Array(randomBytes(16).buffer)): () => number {
  const s = new Uint32Array(4);
  s.set(seed.subarray(0, 4));
  if (s.every((v) => v === 0)) s[0] = 1;
  return function next(): number {
    let t = s[3] as number;
    const x = s[0] as number;
    s[3] = s[2] as number;
    s[2] = s[1] as number;
    s[1] = x;
    t ^= t << 11;
    t ^= t >>> 8;
    s[0] = t ^ x ^ (x >>> 19);
    return s[0] / 4294967296;
  };
}
