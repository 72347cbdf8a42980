import type { Data, RecordBatch } from 'apache-arrow';
import { arrowType, type ColumnSchema } from '../../arrow-types.js';
import type { AggregateCallSpec } from '../aggregate-spec.js';
import { bitSet, columnData, countedRows, fixedData, int64Words, validityOf, wordsOf } from '../arrow-access.js';
import { grown, type Accumulator } from './accumulator.js';

/**
 * min and max of bigint, time and timestamps, exact: each group's best value is kept as
 * two 32-bit words and compared high word (signed) first, then low word (unsigned).
 */
export class Int64MinMaxAccumulator implements Accumulator {
  readonly stateColumns: ColumnSchema[];
  has = new Uint8Array(16);
  /** Low and high word of group g at 2g and 2g + 1. */
  words = new Int32Array(32);
  private readonly max: boolean;

  constructor(private readonly call: AggregateCallSpec, name: string) {
    this.max = call.fn === 'max';
    this.stateColumns = [{ name: `${name}_value`, type: call.argType!, nullable: true }];
  }

  grow(capacity: number): void {
    this.has = grown(this.has, capacity);
    this.words = grown(this.words, capacity * 2);
  }

  reset(g: number): void {
    this.has[g] = 0;
  }

  private offer(g: number, words: Int32Array, i: number): void {
    const hi = words[2 * i + 1]!;
    const lo = words[2 * i]!;
    const best = this.words;
    if (this.has[g] === 1) {
      const bhi = best[2 * g + 1]!;
      const cmp = hi !== bhi ? (hi < bhi ? -1 : 1) : lo === best[2 * g] ? 0 : (lo >>> 0) < (best[2 * g]! >>> 0) ? -1 : 1;
      if (this.max ? cmp <= 0 : cmp >= 0) return;
    }
    this.has[g] = 1;
    best[2 * g] = lo;
    best[2 * g + 1] = hi;
  }

  addRows(batch: RecordBatch, groupOf: Int32Array, n: number): void {
    const counted = countedRows(batch, this.call.arg, this.call.filter, n);
    const words = int64Words(columnData(batch, this.call.arg!));
    for (let i = 0; i < n; i++) {
      if (counted === null || counted[i] === 1) this.offer(groupOf[i]!, words, i);
    }
  }

  mergeRows(batch: RecordBatch, at: number, groupOf: Int32Array, n: number): void {
    const data = columnData(batch, at);
    const words = int64Words(data);
    const valid = validityOf(data);
    for (let i = 0; i < n; i++) {
      if (valid === null || bitSet(valid, data.offset + i)) this.offer(groupOf[i]!, words, i);
    }
  }

  mergeGroups(src: Accumulator, from: Int32Array, to: Int32Array, n: number): void {
    const s = src as Int64MinMaxAccumulator;
    for (let i = 0; i < n; i++) {
      const f = from[i]!;
      if (s.has[f] === 1) this.offer(to[i]!, s.words, f);
    }
  }

  private write(groups: Int32Array, n: number): Data {
    const values = new BigInt64Array(n);
    const out = wordsOf(values);
    const valid = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      valid[i] = this.has[g]!;
      out[2 * i] = this.words[2 * g]!;
      out[2 * i + 1] = this.words[2 * g + 1]!;
    }
    return fixedData(arrowType(this.call.argType!), values, n, valid);
  }

  writeState(groups: Int32Array, n: number): Data[] {
    return [this.write(groups, n)];
  }

  writeResult(groups: Int32Array, n: number): Data {
    return this.write(groups, n);
  }
}
