import { grown } from '../accumulators/accumulator.js';

/** Kinds of values outside the finite numbers: NaN, +Infinity, -Infinity. */
export const NAN = 0;
export const POSITIVE_INFINITY = 1;
export const NEGATIVE_INFINITY = 2;
export type NonFiniteKind = typeof NAN | typeof POSITIVE_INFINITY | typeof NEGATIVE_INFINITY;

/**
 * Per group, how many of its counted values are NaN, +Infinity and -Infinity. A sum
 * that took one in could never give it back (Infinity - Infinity is NaN), so the sums
 * hold the finite values only, and these counts decide what the total is.
 */
export class NonFiniteCounts {
  /** Group g's counts of each kind at 3g + kind. */
  private counts = new Float64Array(48);

  grow(groups: number): void {
    this.counts = grown(this.counts, groups * 3);
  }

  add(g: number, kind: NonFiniteKind, delta: number): void {
    this.counts[g * 3 + kind]! += delta;
  }

  /** What group g's total is, when not its finite sum: NaN with a NaN or both infinities (as IEEE addition has it); -1 when finite. */
  totalKind(g: number): NonFiniteKind | -1 {
    const c = this.counts;
    const pos = c[g * 3 + POSITIVE_INFINITY]! > 0;
    const neg = c[g * 3 + NEGATIVE_INFINITY]! > 0;
    if (c[g * 3 + NAN]! > 0 || (pos && neg)) return NAN;
    return pos ? POSITIVE_INFINITY : neg ? NEGATIVE_INFINITY : -1;
  }
}
