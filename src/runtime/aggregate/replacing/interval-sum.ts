import type { Data } from 'apache-arrow';
import { Interval } from '../../../types/interval.js';
import { textAt } from '../arrow-access.js';
import { ReplacedSum } from './replaced-sum.js';

/** sum and avg of interval over an updating result: months, days and microseconds add and subtract exactly. */
export class ReplacingIntervalSum extends ReplacedSum {
  /** Per replacing key: its latest counted value. */
  private readonly values: (Interval | undefined)[] = [];
  /** Per group: the sum of its counted values (undefined: none yet). */
  private readonly sums: (Interval | undefined)[] = [];
  private data: Data | null = null;

  protected growValues(): void {}

  protected readFrom(data: Data): void {
    this.data = data;
  }

  protected take(g: number, k: number): void {
    this.sums[g] = this.sums[g]!.sub(this.values[k]!);
    this.values[k] = undefined;
  }

  protected put(g: number, k: number, i: number): void {
    const v = Interval.parse(textAt(this.data!, i));
    this.values[k] = v;
    this.sums[g] = (this.sums[g] ?? Interval.ZERO).add(v);
  }

  protected total(g: number): Interval {
    return this.sums[g] ?? Interval.ZERO;
  }
}
