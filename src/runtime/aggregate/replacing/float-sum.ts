import type { Data } from 'apache-arrow';
import { grown } from '../accumulators/accumulator.js';
import { NAN, NEGATIVE_INFINITY, NonFiniteCounts, POSITIVE_INFINITY, type NonFiniteKind } from './non-finite.js';
import { ReplacedSum } from './replaced-sum.js';

const kindOf = (v: number): NonFiniteKind => (v !== v ? NAN : v > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY);

/**
 * sum and avg of real and double precision over an updating result, in doubles as the
 * plain aggregate keeps them. Taking a value back by subtraction can leave rounding
 * residue (0.1 + 0.2 - 0.2 is not 0.1), so a sum may differ in its last bits from
 * adding the current values afresh; the residue is dropped whenever a group is left
 * with no counted value. NaN and the infinities are counted apart (see NonFiniteCounts).
 */
export class ReplacingFloatSum extends ReplacedSum {
  /** Per replacing key: its latest counted value. */
  private values = new Float64Array(16);
  /** Per group: the sum of its finite counted values. */
  private sums = new Float64Array(16);
  private readonly nonFinite = new NonFiniteCounts();
  private column: ArrayLike<number> = [];

  protected growValues(keys: number, groups: number): void {
    this.values = grown(this.values, keys);
    this.sums = grown(this.sums, groups);
    this.nonFinite.grow(groups);
  }

  protected readFrom(data: Data): void {
    this.column = data.values as Float32Array | Float64Array;
  }

  protected take(g: number, k: number): void {
    const v = this.values[k]!;
    if (Number.isFinite(v)) this.sums[g] = this.counts[g] === 0 ? 0 : this.sums[g]! - v;
    else this.nonFinite.add(g, kindOf(v), -1);
  }

  protected put(g: number, k: number, i: number): void {
    const v = this.column[i]!;
    this.values[k] = v;
    if (Number.isFinite(v)) this.sums[g]! += v;
    else this.nonFinite.add(g, kindOf(v), 1);
  }

  protected total(g: number): number {
    const kind = this.nonFinite.totalKind(g);
    return kind === -1 ? this.sums[g]! : kind === NAN ? NaN : kind === POSITIVE_INFINITY ? Infinity : -Infinity;
  }
}
