import type { Data } from 'apache-arrow';
import { Decimal } from '../../../types/decimal.js';
import { textAt } from '../arrow-access.js';
import { NAN, NEGATIVE_INFINITY, NonFiniteCounts, POSITIVE_INFINITY } from './non-finite.js';
import { ReplacedSum } from './replaced-sum.js';
import { ScaleCounts } from './scale-counts.js';

/**
 * sum and avg of numeric over an updating result, exact. A group's sum is kept at the
 * largest scale any of its values had, and written at the largest scale of its current
 * values (ScaleCounts), which is exact: every current value has no more digits than that.
 */
export class ReplacingNumericSum extends ReplacedSum {
  /** Per replacing key: its latest counted value. */
  private readonly values: (Decimal | undefined)[] = [];
  /** Per group: the sum of its finite counted values (undefined: none yet). */
  private readonly sums: (Decimal | undefined)[] = [];
  private readonly scales = new ScaleCounts();
  private readonly nonFinite = new NonFiniteCounts();
  private data: Data | null = null;

  protected growValues(_keys: number, groups: number): void {
    this.scales.grow(groups);
    this.nonFinite.grow(groups);
  }

  protected readFrom(data: Data): void {
    this.data = data;
  }

  private change(g: number, v: Decimal, delta: 1 | -1): void {
    if (v.isFinite()) {
      const sum = this.sums[g] ?? Decimal.ZERO;
      this.sums[g] = delta === 1 ? sum.add(v) : sum.sub(v);
      this.scales.add(g, v.scale, delta);
    } else {
      this.nonFinite.add(g, v.isNaN() ? NAN : v.sign() > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY, delta);
    }
  }

  protected take(g: number, k: number): void {
    this.change(g, this.values[k]!, -1);
    this.values[k] = undefined;
  }

  protected put(g: number, k: number, i: number): void {
    const v = Decimal.parse(textAt(this.data!, i));
    this.values[k] = v;
    this.change(g, v, 1);
  }

  protected total(g: number): Decimal {
    const kind = this.nonFinite.totalKind(g);
    if (kind !== -1) return kind === NAN ? Decimal.NaN : kind === POSITIVE_INFINITY ? Decimal.Infinity : Decimal.NegativeInfinity;
    return (this.sums[g] ?? Decimal.ZERO).trunc(this.scales.max(g));
  }
}
