import type { Data, RecordBatch } from 'apache-arrow';
import { Decimal } from '../../../types/decimal.js';
import { Interval } from '../../../types/interval.js';
import { Types } from '../../../types/sql-type.js';
import { arrowType, type ColumnSchema } from '../../arrow-types.js';
import type { AggregateCallSpec } from '../aggregate-spec.js';
import { columnData, countedRows, fixedData, stringData } from '../arrow-access.js';
import { parseValue, validReader, valueColumn, valueReader } from '../values.js';
import { grown, type Accumulator } from './accumulator.js';
import { sumResult } from './sum-result.js';

type Summable = Decimal | Interval;

const plus = (a: Summable | undefined, b: Summable): Summable =>
  a === undefined ? b : a instanceof Decimal ? a.add(b as Decimal) : a.add(b as Interval);

/** sum and avg of numeric and interval values (text in batches), exact. */
export class ValueSumAccumulator implements Accumulator {
  readonly stateColumns: ColumnSchema[];
  counts = new Float64Array(16);
  sums: (Summable | undefined)[] = [];

  constructor(private readonly call: AggregateCallSpec, name: string) {
    this.stateColumns = [
      { name: `${name}_count`, type: Types.float8, nullable: false },
      { name: `${name}_sum`, type: Types.text, nullable: true },
    ];
  }

  grow(capacity: number): void {
    this.counts = grown(this.counts, capacity);
  }

  reset(g: number): void {
    this.counts[g] = 0;
    this.sums[g] = undefined;
  }

  addRows(batch: RecordBatch, groupOf: Int32Array, n: number): void {
    const counted = countedRows(batch, this.call.arg, this.call.filter, n);
    const read = valueReader(this.call.argType!, columnData(batch, this.call.arg!));
    for (let i = 0; i < n; i++) {
      if (counted !== null && counted[i] === 0) continue;
      const g = groupOf[i]!;
      this.counts[g]!++;
      this.sums[g] = plus(this.sums[g], read(i) as Summable);
    }
  }

  mergeRows(batch: RecordBatch, at: number, groupOf: Int32Array, n: number): void {
    const counts = columnData(batch, at).values as Float64Array;
    const sumData = columnData(batch, at + 1);
    const valid = validReader(sumData);
    const read = valueReader(Types.text, sumData);
    for (let i = 0; i < n; i++) {
      const g = groupOf[i]!;
      this.counts[g]! += counts[i]!;
      if (valid(i)) this.sums[g] = plus(this.sums[g], parseValue(this.call.argType!, read(i) as string) as Summable);
    }
  }

  mergeGroups(src: Accumulator, from: Int32Array, to: Int32Array, n: number): void {
    const s = src as ValueSumAccumulator;
    for (let i = 0; i < n; i++) {
      const f = from[i]!;
      const g = to[i]!;
      this.counts[g]! += s.counts[f]!;
      const v = s.sums[f];
      if (v !== undefined) this.sums[g] = plus(this.sums[g], v);
    }
  }

  writeState(groups: Int32Array, n: number): Data[] {
    const counts = new Float64Array(n);
    const sums: (string | null)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      counts[i] = this.counts[g]!;
      const v = this.sums[g];
      sums[i] = v === undefined ? null : v.toString();
    }
    return [fixedData(arrowType(Types.float8), counts, n), stringData(arrowType(Types.text), sums, n)];
  }

  writeResult(groups: Int32Array, n: number): Data {
    const values: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      const sum = this.sums[g];
      values[i] = sum === undefined ? null : sumResult(this.call.fn, this.call.type, sum, this.counts[g]!);
    }
    return valueColumn(this.call.type, values, n);
  }
}
