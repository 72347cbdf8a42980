/**
 * The generator's randomness: a counter-based PRNG, so every value of event n is a pure
 * function of (seed, n). Each event gets a 32-bit key from hashing the seed and its
 * number; its k-th random number is the mulberry32 output for key + k * 0x6d2b79f5 (the
 * state mulberry32 would be in after k steps). No Math.random, no clock.
 */

/** The finalizer of MurmurHash3: a bijective avalanche of 32 bits. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** A 32-bit key for a seed (any safe integer). */
export function seedKey(seed: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) | 0;
  return fmix32(Math.imul(lo, 0x9e3779b1) ^ fmix32(hi + 0x632be5ab));
}

/** The key of event n (0 <= n < 2^53) under a seed key. */
export function eventKey(key: number, n: number): number {
  const lo = n >>> 0;
  const hi = (n / 4294967296) >>> 0;
  return fmix32((Math.imul(lo, 0x9e3779b1) ^ key) + Math.imul(hi ^ 0x7f4a7c15, 0x85ebca77));
}

/** The increment of mulberry32's state per step. */
export const STEP = 0x6d2b79f5;

/** mulberry32's output for state `a`: a uniform unsigned 32-bit integer. */
export function draw(a: number): number {
  let t = Math.imul(a ^ (a >>> 15), a | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** An integer in [0, n) from a uniform u32 (n < 2^32). */
export function below(u: number, n: number): number {
  return Math.floor(u * n * 2.3283064365386963e-10);
}

/**
 * A small sequential PRNG (mulberry32) for building the fixed tables (names, channels,
 * the character pool) once; the hot path uses `draw` on event keys.
 */
export class TableRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed | 0;
  }

  u32(): number {
    this.state = (this.state + STEP) | 0;
    return draw(this.state);
  }

  int(n: number): number {
    return below(this.u32(), n);
  }
}
