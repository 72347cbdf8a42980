import type { Data, RecordBatch } from 'apache-arrow';
import { Decimal } from '../../../types/decimal.js';
import { Interval } from '../../../types/interval.js';
import { Types } from '../../../types/sql-type.js';
import { arrowType, type ColumnSchema } from '../../arrow-types.js';
import type { AggregateCallSpec } from '../aggregate-spec.js';
import { columnData, countedRows, stringData } from '../arrow-access.js';
import { parseValue, validReader, valueColumn, valueKey, valueLayoutOf, valueReader, valueText } from '../values.js';
import type { Accumulator } from './accumulator.js';
import { sumResult } from './sum-result.js';

/** A group's distinct values, by what makes values equal. */
type ValueSet = Map<unknown, unknown>;

/**
 * count, sum and avg over DISTINCT values: each group keeps the set of its values (a partial
 * row carries its set as a JSON array of the values' text), and the aggregate runs over
 * the set when the result is written.
 */
export class DistinctAccumulator implements Accumulator {
  readonly stateColumns: ColumnSchema[];
  sets: (ValueSet | undefined)[] = [];

  constructor(private readonly call: AggregateCallSpec, name: string) {
    this.stateColumns = [{ name: `${name}_distinct`, type: Types.text, nullable: true }];
  }

  grow(): void {}

  reset(g: number): void {
    this.sets[g] = undefined;
  }

  private add(g: number, v: unknown): void {
    let set = this.sets[g];
    if (set === undefined) this.sets[g] = set = new Map();
    const key = valueKey(v);
    if (!set.has(key)) set.set(key, v);
  }

  addRows(batch: RecordBatch, groupOf: Int32Array, n: number): void {
    const counted = countedRows(batch, this.call.arg, this.call.filter, n);
    const read = valueReader(this.call.argType!, columnData(batch, this.call.arg!));
    for (let i = 0; i < n; i++) {
      if (counted === null || counted[i] === 1) this.add(groupOf[i]!, read(i));
    }
  }

  mergeRows(batch: RecordBatch, at: number, groupOf: Int32Array, n: number): void {
    const data = columnData(batch, at);
    const valid = validReader(data);
    const read = valueReader(Types.text, data);
    for (let i = 0; i < n; i++) {
      if (!valid(i)) continue;
      for (const text of JSON.parse(read(i) as string) as string[]) this.add(groupOf[i]!, parseValue(this.call.argType!, text));
    }
  }

  mergeGroups(src: Accumulator, from: Int32Array, to: Int32Array, n: number): void {
    const s = src as DistinctAccumulator;
    for (let i = 0; i < n; i++) {
      const set = s.sets[from[i]!];
      if (set !== undefined) for (const v of set.values()) this.add(to[i]!, v);
    }
  }

  writeState(groups: Int32Array, n: number): Data[] {
    const texts: (string | null)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const set = this.sets[groups[i]!];
      texts[i] = set === undefined ? null : JSON.stringify([...set.values()].map(valueText));
    }
    return [stringData(arrowType(Types.text), texts, n)];
  }

  private resultOf(set: ValueSet | undefined): unknown {
    const { fn, type, argType } = this.call;
    if (fn === 'count') return BigInt(set?.size ?? 0);
    if (set === undefined) return null;
    const values = [...set.values()];
    switch (valueLayoutOf(argType!)) {
      case 'numeric': return sumResult(fn, type, values.reduce((a, b) => (a as Decimal).add(b as Decimal)) as Decimal, values.length);
      case 'interval': return sumResult(fn, type, values.reduce((a, b) => (a as Interval).add(b as Interval)) as Interval, values.length);
      default:
        if (argType!.kind === 'float4' || argType!.kind === 'float8') {
          return sumResult(fn, type, (values as number[]).reduce((a, b) => a + b, 0), values.length);
        }
        return sumResult(fn, type, values.reduce((a: bigint, b) => a + BigInt(b as number | bigint), 0n), values.length);
    }
  }

  writeResult(groups: Int32Array, n: number): Data {
    const values: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) values[i] = this.resultOf(this.sets[groups[i]!]);
    return valueColumn(this.call.type, values, n);
  }
}
