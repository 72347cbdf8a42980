import type { Data, RecordBatch } from 'apache-arrow';
import { arrowType, type ColumnSchema } from '../../arrow-types.js';
import type { AggregateCallSpec } from '../aggregate-spec.js';
import { columnData, countedRows, fixedData, validityOf, bitSet } from '../arrow-access.js';
import { grown, type Accumulator } from './accumulator.js';

/**
 * min and max of smallint, integer, real, double precision and date: a double per
 * group. NaN is above every other number, as Postgres orders floats.
 */
export class NumberMinMaxAccumulator implements Accumulator {
  readonly stateColumns: ColumnSchema[];
  has = new Uint8Array(16);
  best = new Float64Array(16);
  private readonly max: boolean;

  constructor(private readonly call: AggregateCallSpec, name: string) {
    this.max = call.fn === 'max';
    this.stateColumns = [{ name: `${name}_value`, type: call.argType!, nullable: true }];
  }

  grow(capacity: number): void {
    this.has = grown(this.has, capacity);
    this.best = grown(this.best, capacity);
  }

  reset(g: number): void {
    this.has[g] = 0;
  }

  private offer(g: number, v: number): void {
    if (this.has[g] === 0) {
      this.has[g] = 1;
      this.best[g] = v;
      return;
    }
    const b = this.best[g]!;
    const better = this.max ? v > b || (v !== v && b === b) : v < b || (b !== b && v === v);
    if (better) this.best[g] = v;
  }

  addRows(batch: RecordBatch, groupOf: Int32Array, n: number): void {
    const counted = countedRows(batch, this.call.arg, this.call.filter, n);
    const values = columnData(batch, this.call.arg!).values as ArrayLike<number>;
    for (let i = 0; i < n; i++) {
      if (counted === null || counted[i] === 1) this.offer(groupOf[i]!, values[i]!);
    }
  }

  mergeRows(batch: RecordBatch, at: number, groupOf: Int32Array, n: number): void {
    const data = columnData(batch, at);
    const values = data.values as ArrayLike<number>;
    const valid = validityOf(data);
    for (let i = 0; i < n; i++) {
      if (valid === null || bitSet(valid, data.offset + i)) this.offer(groupOf[i]!, values[i]!);
    }
  }

  mergeGroups(src: Accumulator, from: Int32Array, to: Int32Array, n: number): void {
    const s = src as NumberMinMaxAccumulator;
    for (let i = 0; i < n; i++) {
      const f = from[i]!;
      if (s.has[f] === 1) this.offer(to[i]!, s.best[f]!);
    }
  }

  private write(groups: Int32Array, n: number): Data {
    const type = arrowType(this.call.argType!);
    const out = new (type.ArrayType as Float64ArrayConstructor)(n);
    const valid = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      valid[i] = this.has[g]!;
      out[i] = this.has[g] ? this.best[g]! : 0;
    }
    return fixedData(type, out, n, valid);
  }

  writeState(groups: Int32Array, n: number): Data[] {
    return [this.write(groups, n)];
  }

  writeResult(groups: Int32Array, n: number): Data {
    return this.write(groups, n);
  }
}
