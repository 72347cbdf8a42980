import type { Data, RecordBatch } from 'apache-arrow';
import type { Decimal } from '../../../types/decimal.js';
import type { Interval } from '../../../types/interval.js';
import { grown } from '../accumulators/accumulator.js';
import { sumResult } from '../accumulators/sum-result.js';
import type { AggregateCallSpec } from '../aggregate-spec.js';
import { columnData, countedRows } from '../arrow-access.js';
import { valueColumn } from '../values.js';
import type { ReplacingCall } from './replacing-call.js';

/**
 * sum(x) and avg(x) over an updating result: each replacing key records the value its
 * latest row added (when counted: x not NULL, FILTER true), so a later row of the key
 * can take it back from the group. Subclasses hold the values and sums of their type.
 */
export abstract class ReplacedSum implements ReplacingCall {
  /** Per replacing key: 1 when its latest row was counted (its value is recorded). */
  private had = new Uint8Array(16);
  /** Per group: values counted. */
  protected counts = new Float64Array(16);

  constructor(protected readonly call: AggregateCallSpec) {}

  grow(keys: number, groups: number): void {
    this.had = grown(this.had, keys);
    this.counts = grown(this.counts, groups);
    this.growValues(keys, groups);
  }

  replace(batch: RecordBatch, keyOf: Int32Array, groupOf: Int32Array, n: number): void {
    const rows = countedRows(batch, this.call.arg, this.call.filter, n);
    this.readFrom(columnData(batch, this.call.arg!));
    const { had, counts } = this;
    for (let i = 0; i < n; i++) {
      const k = keyOf[i]!;
      const g = groupOf[i]!;
      if (had[k] === 1) {
        counts[g]!--;
        this.take(g, k);
      }
      if (rows === null || rows[i] === 1) {
        had[k] = 1;
        counts[g]!++;
        this.put(g, k, i);
      } else {
        had[k] = 0;
      }
    }
  }

  writeResult(groups: Int32Array, n: number): Data {
    const values: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      const count = this.counts[g]!;
      values[i] = count === 0 ? null : sumResult(this.call.fn, this.call.type, this.total(g), count);
    }
    return valueColumn(this.call.type, values, n);
  }

  /** Makes room for the values of keys 0 .. keys - 1 and the sums of groups 0 .. groups - 1. */
  protected abstract growValues(keys: number, groups: number): void;
  /** The argument column of the batch whose rows `put` reads next. */
  protected abstract readFrom(data: Data): void;
  /** Takes key k's recorded value out of group g (whose count is already one less). */
  protected abstract take(g: number, k: number): void;
  /** Adds row i's value to group g and records it as key k's. */
  protected abstract put(g: number, k: number, i: number): void;
  /** The sum of group g's counted values (it has some). */
  protected abstract total(g: number): number | bigint | Decimal | Interval;
}
