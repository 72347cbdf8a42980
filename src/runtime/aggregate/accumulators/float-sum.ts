import type { Data, RecordBatch } from 'apache-arrow';
import { Types } from '../../../types/sql-type.js';
import { arrowType, type ColumnSchema } from '../../arrow-types.js';
import type { AggregateCallSpec } from '../aggregate-spec.js';
import { columnData, countedRows, fixedData } from '../arrow-access.js';
import { valueColumn } from '../values.js';
import { grown, type Accumulator } from './accumulator.js';
import { sumResult } from './sum-result.js';

/** sum and avg of real and double precision. */
export class FloatSumAccumulator implements Accumulator {
  readonly stateColumns: ColumnSchema[];
  counts = new Float64Array(16);
  sums = new Float64Array(16);

  constructor(private readonly call: AggregateCallSpec, name: string) {
    this.stateColumns = [
      { name: `${name}_count`, type: Types.float8, nullable: false },
      { name: `${name}_sum`, type: Types.float8, nullable: false },
    ];
  }

  grow(capacity: number): void {
    this.counts = grown(this.counts, capacity);
    this.sums = grown(this.sums, capacity);
  }

  reset(g: number): void {
    this.counts[g] = 0;
    this.sums[g] = 0;
  }

  addRows(batch: RecordBatch, groupOf: Int32Array, n: number): void {
    const counted = countedRows(batch, this.call.arg, this.call.filter, n);
    const values = columnData(batch, this.call.arg!).values as Float32Array | Float64Array;
    const { counts, sums } = this;
    for (let i = 0; i < n; i++) {
      if (counted !== null && counted[i] === 0) continue;
      const g = groupOf[i]!;
      counts[g]!++;
      sums[g]! += values[i]!;
    }
  }

  mergeRows(batch: RecordBatch, at: number, groupOf: Int32Array, n: number): void {
    const counts = columnData(batch, at).values as Float64Array;
    const sums = columnData(batch, at + 1).values as Float64Array;
    for (let i = 0; i < n; i++) {
      const g = groupOf[i]!;
      this.counts[g]! += counts[i]!;
      this.sums[g]! += sums[i]!;
    }
  }

  mergeGroups(src: Accumulator, from: Int32Array, to: Int32Array, n: number): void {
    const s = src as FloatSumAccumulator;
    for (let i = 0; i < n; i++) {
      this.counts[to[i]!]! += s.counts[from[i]!]!;
      this.sums[to[i]!]! += s.sums[from[i]!]!;
    }
  }

  writeState(groups: Int32Array, n: number): Data[] {
    const counts = new Float64Array(n);
    const sums = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      counts[i] = this.counts[groups[i]!]!;
      sums[i] = this.sums[groups[i]!]!;
    }
    return [fixedData(arrowType(Types.float8), counts, n), fixedData(arrowType(Types.float8), sums, n)];
  }

  writeResult(groups: Int32Array, n: number): Data {
    const values: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) values[i] = sumResult(this.call.fn, this.call.type, this.sums[groups[i]!]!, this.counts[groups[i]!]!);
    return valueColumn(this.call.type, values, n);
  }
}
