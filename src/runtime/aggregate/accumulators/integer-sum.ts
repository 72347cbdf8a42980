import type { Data, RecordBatch } from 'apache-arrow';
import { Types } from '../../../types/sql-type.js';
import { arrowType, type ColumnSchema } from '../../arrow-types.js';
import type { AggregateCallSpec } from '../aggregate-spec.js';
import { bitSet, columnData, countedRows, fixedData, int64At, int64IsSmall, int64Words, stringData, textAt, validityOf } from '../arrow-access.js';
import { valueColumn } from '../values.js';
import { grown, type Accumulator } from './accumulator.js';
import { ExactSums } from './exact-sums.js';
import { sumResult } from './sum-result.js';

/** sum and avg of smallint, integer and bigint, exact at any size (ExactSums). */
export class IntegerSumAccumulator implements Accumulator {
  readonly stateColumns: ColumnSchema[];
  counts = new Float64Array(16);
  readonly sums = new ExactSums();

  constructor(private readonly call: AggregateCallSpec, name: string) {
    this.stateColumns = [
      { name: `${name}_count`, type: Types.float8, nullable: false },
      { name: `${name}_sum`, type: Types.float8, nullable: false },
      { name: `${name}_big`, type: Types.text, nullable: true },
    ];
  }

  grow(capacity: number): void {
    this.counts = grown(this.counts, capacity);
    this.sums.grow(capacity);
  }

  reset(g: number): void {
    this.counts[g] = 0;
    this.sums.reset(g);
  }

  addRows(batch: RecordBatch, groupOf: Int32Array, n: number): void {
    const counted = countedRows(batch, this.call.arg, this.call.filter, n);
    const data = columnData(batch, this.call.arg!);
    const counts = this.counts;
    if (this.call.argType!.kind === 'int8') {
      const words = int64Words(data);
      const values = data.values as BigInt64Array;
      for (let i = 0; i < n; i++) {
        if (counted !== null && counted[i] === 0) continue;
        const g = groupOf[i]!;
        counts[g]!++;
        if (int64IsSmall(words, i)) this.sums.add(g, int64At(words, i));
        else this.sums.addBig(g, values[i]!);
      }
    } else {
      const values = data.values as Int16Array | Int32Array;
      for (let i = 0; i < n; i++) {
        if (counted !== null && counted[i] === 0) continue;
        const g = groupOf[i]!;
        counts[g]!++;
        this.sums.add(g, values[i]!);
      }
    }
  }

  mergeRows(batch: RecordBatch, at: number, groupOf: Int32Array, n: number): void {
    const counts = columnData(batch, at).values as Float64Array;
    const sums = columnData(batch, at + 1).values as Float64Array;
    const bigData = columnData(batch, at + 2);
    for (let i = 0; i < n; i++) {
      const g = groupOf[i]!;
      this.counts[g]! += counts[i]!;
      this.sums.add(g, sums[i]!);
    }
    if (bigData.nullCount === n) return;
    const valid = validityOf(bigData);
    for (let i = 0; i < n; i++) {
      if (valid === null || bitSet(valid, bigData.offset + i)) {
        this.sums.addBig(groupOf[i]!, BigInt(textAt(bigData, i)));
      }
    }
  }

  mergeGroups(src: Accumulator, from: Int32Array, to: Int32Array, n: number): void {
    const s = src as IntegerSumAccumulator;
    for (let i = 0; i < n; i++) {
      const g = to[i]!;
      const f = from[i]!;
      this.counts[g]! += s.counts[f]!;
      this.sums.add(g, s.sums.sums[f]!);
      const big = s.sums.big[f];
      if (big !== undefined) this.sums.addBig(g, big);
    }
  }

  writeState(groups: Int32Array, n: number): Data[] {
    const counts = new Float64Array(n);
    const sums = new Float64Array(n);
    const big: (string | null)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      counts[i] = this.counts[g]!;
      sums[i] = this.sums.sums[g]!;
      const b = this.sums.big[g];
      big[i] = b === undefined ? null : String(b);
    }
    return [fixedData(arrowType(Types.float8), counts, n), fixedData(arrowType(Types.float8), sums, n), stringData(arrowType(Types.text), big, n)];
  }

  writeResult(groups: Int32Array, n: number): Data {
    const values: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      values[i] = sumResult(this.call.fn, this.call.type, this.sums.total(g), this.counts[g]!);
    }
    return valueColumn(this.call.type, values, n);
  }
}
