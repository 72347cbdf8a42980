import { EXACT_LIMIT } from '../arrow-access.js';
import { grown } from './accumulator.js';

/**
 * Integer sums per group, exact at any size: a double holds a group's running sum while
 * it stays below 2^52 in magnitude (so adding or taking back a value below 2^52 is
 * exact), and what goes past that moves to a bigint kept only for the groups that need one.
 */
export class ExactSums {
  /** The part of each group's sum below 2^52. */
  sums = new Float64Array(16);
  /** The rest, for groups whose sum went past 2^52. */
  readonly big: (bigint | undefined)[] = [];

  grow(capacity: number): void {
    this.sums = grown(this.sums, capacity);
  }

  reset(g: number): void {
    this.sums[g] = 0;
    this.big[g] = undefined;
  }

  /** Adds v (an integer below 2^52 in magnitude) to group g. */
  add(g: number, v: number): void {
    const s = this.sums[g]! + v;
    if (s >= EXACT_LIMIT || s <= -EXACT_LIMIT) {
      this.addBig(g, BigInt(s));
      this.sums[g] = 0;
    } else {
      this.sums[g] = s;
    }
  }

  addBig(g: number, v: bigint): void {
    this.big[g] = (this.big[g] ?? 0n) + v;
  }

  total(g: number): number | bigint {
    const big = this.big[g];
    return big === undefined ? this.sums[g]! : big + BigInt(this.sums[g]!);
  }
}
