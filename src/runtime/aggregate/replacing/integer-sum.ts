import type { Data } from 'apache-arrow';
import { grown } from '../accumulators/accumulator.js';
import { EXACT_LIMIT, int64At, int64IsSmall, int64Words } from '../arrow-access.js';
import { ReplacedSum } from './replaced-sum.js';

/**
 * sum and avg of smallint, integer and bigint over an updating result, exact: a group's
 * sum is a double while it stays below 2^52 in magnitude (so adding or taking back a
 * value below 2^52 is exact) and a bigint for what goes beyond, as the plain aggregate
 * keeps it. A key's value is a double, or (rare: a bigint of 2^52 or more) a bigint.
 */
export class ReplacingIntegerSum extends ReplacedSum {
  /** Per replacing key: its latest counted value; NaN when that is in `bigValues`. */
  private values = new Float64Array(16);
  private readonly bigValues = new Map<number, bigint>();
  /** Per group: the part of its sum below 2^52. */
  private sums = new Float64Array(16);
  /** Per group: the rest of its sum, for the groups whose sum once went past 2^52. */
  private readonly big: (bigint | undefined)[] = [];
  private words: Int32Array = new Int32Array(0);
  private int64s: BigInt64Array = new BigInt64Array(0);
  private ints: ArrayLike<number> = [];
  private readonly isInt8 = this.call.argType!.kind === 'int8';

  protected growValues(keys: number, groups: number): void {
    this.values = grown(this.values, keys);
    this.sums = grown(this.sums, groups);
  }

  protected readFrom(data: Data): void {
    if (this.isInt8) {
      this.words = int64Words(data);
      this.int64s = data.values as BigInt64Array;
    } else {
      this.ints = data.values as Int16Array | Int32Array;
    }
  }

  private add(g: number, v: number): void {
    const s = this.sums[g]! + v;
    if (s >= EXACT_LIMIT || s <= -EXACT_LIMIT) {
      this.addBig(g, BigInt(s));
      this.sums[g] = 0;
    } else {
      this.sums[g] = s;
    }
  }

  private addBig(g: number, v: bigint): void {
    this.big[g] = (this.big[g] ?? 0n) + v;
  }

  protected take(g: number, k: number): void {
    const v = this.values[k]!;
    if (v === v) {
      this.add(g, -v);
      return;
    }
    this.addBig(g, -this.bigValues.get(k)!);
    this.bigValues.delete(k);
  }

  protected put(g: number, k: number, i: number): void {
    if (this.isInt8 && !int64IsSmall(this.words, i)) {
      const v = this.int64s[i]!;
      this.values[k] = NaN;
      this.bigValues.set(k, v);
      this.addBig(g, v);
      return;
    }
    const v = this.isInt8 ? int64At(this.words, i) : this.ints[i]!;
    this.values[k] = v;
    this.add(g, v);
  }

  protected total(g: number): number | bigint {
    const big = this.big[g];
    return big === undefined ? this.sums[g]! : big + BigInt(this.sums[g]!);
  }
}
