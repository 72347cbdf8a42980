import type { Data, RecordBatch } from 'apache-arrow';
import { Types } from '../../../types/sql-type.js';
import { arrowType, type ColumnSchema } from '../../arrow-types.js';
import type { AggregateCallSpec } from '../aggregate-spec.js';
import { columnData, countedRows, fixedData, setInt64, wordsOf } from '../arrow-access.js';
import { grown, type Accumulator } from './accumulator.js';

/** count(*) and count(x): rows, or rows where x is not NULL (never NULL itself). */
export class CountAccumulator implements Accumulator {
  readonly stateColumns: ColumnSchema[];
  counts = new Float64Array(16);

  constructor(private readonly call: AggregateCallSpec, name: string) {
    this.stateColumns = [{ name: `${name}_count`, type: Types.float8, nullable: false }];
  }

  grow(capacity: number): void {
    this.counts = grown(this.counts, capacity);
  }

  reset(g: number): void {
    this.counts[g] = 0;
  }

  addRows(batch: RecordBatch, groupOf: Int32Array, n: number): void {
    const counts = this.counts;
    const counted = countedRows(batch, this.call.arg, this.call.filter, n);
    if (counted === null) {
      for (let i = 0; i < n; i++) counts[groupOf[i]!]!++;
    } else {
      for (let i = 0; i < n; i++) counts[groupOf[i]!]! += counted[i]!;
    }
  }

  mergeRows(batch: RecordBatch, at: number, groupOf: Int32Array, n: number): void {
    const counts = this.counts;
    const add = columnData(batch, at).values as Float64Array;
    for (let i = 0; i < n; i++) counts[groupOf[i]!]! += add[i]!;
  }

  mergeGroups(src: Accumulator, from: Int32Array, to: Int32Array, n: number): void {
    const counts = this.counts;
    const add = (src as CountAccumulator).counts;
    for (let i = 0; i < n; i++) counts[to[i]!]! += add[from[i]!]!;
  }

  writeState(groups: Int32Array, n: number): Data[] {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.counts[groups[i]!]!;
    return [fixedData(arrowType(Types.float8), out, n)];
  }

  writeResult(groups: Int32Array, n: number): Data {
    const type = arrowType(this.call.type);
    const values = new BigInt64Array(n);
    const words = wordsOf(values);
    for (let i = 0; i < n; i++) setInt64(words, i, this.counts[groups[i]!]!);
    return fixedData(type, values, n);
  }
}
