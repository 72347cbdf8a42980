/**
 * The reference model's prices: round(100 * 10^(6u)) cents for u uniform in [0, 1), so
 * from 1.00 to 1,000,000.00 on a log scale. u comes from 32 random bits, and 10^(6u) is
 * the product of three table entries (for the top 11, middle 11 and low 10 bits), which
 * is 10x cheaper than Math.pow and within a few ulps of it.
 */
const HIGH = new Float64Array(2048);
const MID = new Float64Array(2048);
const LOW = new Float64Array(1024);
const DECADES_PER_UNIT = 6 / 4294967296;
for (let i = 0; i < 2048; i++) {
  HIGH[i] = 100 * Math.pow(10, i * 2097152 * DECADES_PER_UNIT);
  MID[i] = Math.pow(10, i * 1024 * DECADES_PER_UNIT);
}
for (let i = 0; i < 1024; i++) LOW[i] = Math.pow(10, i * DECADES_PER_UNIT);

/** The price (in cents) for a uniform u32. */
export function price(u: number): number {
  return Math.round(HIGH[u >>> 21]! * MID[(u >>> 10) & 2047]! * LOW[u & 1023]!);
}
