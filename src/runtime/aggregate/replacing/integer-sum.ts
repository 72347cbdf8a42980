import type { Data } from 'apache-arrow';
import { grown } from '../accumulators/accumulator.js';
import { ExactSums } from '../accumulators/exact-sums.js';
import { int64At, int64IsSmall, int64Words } from '../arrow-access.js';
import { ReplacedSum } from './replaced-sum.js';

/**
 * sum and avg of smallint, integer and bigint over an updating result, exact (ExactSums,
 * as the plain aggregate keeps them). A key's value is a double, or (rare: a bigint of
 * 2^52 or more) a bigint.
 */
export class ReplacingIntegerSum extends ReplacedSum {
  /** Per replacing key: its latest counted value; NaN when that is in `bigValues`. */
  private values = new Float64Array(16);
  private readonly bigValues = new Map<number, bigint>();
  /** Per group: its sum. */
  private readonly sums = new ExactSums();
  private words: Int32Array = new Int32Array(0);
  private int64s: BigInt64Array = new BigInt64Array(0);
  private ints: ArrayLike<number> = [];
  private readonly isInt8 = this.call.argType!.kind === 'int8';

  protected growValues(keys: number, groups: number): void {
    this.values = grown(this.values, keys);
    this.sums.grow(groups);
  }

  protected readFrom(data: Data): void {
    if (this.isInt8) {
      this.words = int64Words(data);
      this.int64s = data.values as BigInt64Array;
    } else {
      this.ints = data.values as Int16Array | Int32Array;
    }
  }

  protected take(g: number, k: number): void {
    const v = this.values[k]!;
    if (v === v) {
      this.sums.add(g, -v);
      return;
    }
    this.sums.addBig(g, -this.bigValues.get(k)!);
    this.bigValues.delete(k);
  }

  protected put(g: number, k: number, i: number): void {
    if (this.isInt8 && !int64IsSmall(this.words, i)) {
      const v = this.int64s[i]!;
      this.values[k] = NaN;
      this.bigValues.set(k, v);
      this.sums.addBig(g, v);
      return;
    }
    const v = this.isInt8 ? int64At(this.words, i) : this.ints[i]!;
    this.values[k] = v;
    this.sums.add(g, v);
  }

  protected total(g: number): number | bigint {
    return this.sums.total(g);
  }
}
