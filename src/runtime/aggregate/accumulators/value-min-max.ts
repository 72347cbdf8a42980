import type { Data, RecordBatch } from 'apache-arrow';
import type { Comparator } from '../../../functions/comparison.js';
import type { ColumnSchema } from '../../arrow-types.js';
import type { AggregateCallSpec } from '../aggregate-spec.js';
import { columnData, countedRows } from '../arrow-access.js';
import { validReader, valueColumn, valueComparator, valueReader } from '../values.js';
import type { Accumulator } from './accumulator.js';

/** min and max of text, numeric, interval and boolean values, in their types' orderings. */
export class ValueMinMaxAccumulator implements Accumulator {
  readonly stateColumns: ColumnSchema[];
  best: unknown[] = [];
  private readonly compare: Comparator;
  private readonly max: boolean;

  constructor(private readonly call: AggregateCallSpec, name: string) {
    this.max = call.fn === 'max';
    this.compare = valueComparator(call.argType!);
    this.stateColumns = [{ name: `${name}_value`, type: call.argType!, nullable: true }];
  }

  grow(): void {}

  reset(g: number): void {
    this.best[g] = null;
  }

  private offer(g: number, v: unknown): void {
    const b = this.best[g];
    if (b === null || b === undefined || (this.max ? this.compare(v, b) > 0 : this.compare(v, b) < 0)) this.best[g] = v;
  }

  addRows(batch: RecordBatch, groupOf: Int32Array, n: number): void {
    const counted = countedRows(batch, this.call.arg, this.call.filter, n);
    const read = valueReader(this.call.argType!, columnData(batch, this.call.arg!));
    for (let i = 0; i < n; i++) {
      if (counted === null || counted[i] === 1) this.offer(groupOf[i]!, read(i));
    }
  }

  mergeRows(batch: RecordBatch, at: number, groupOf: Int32Array, n: number): void {
    const data = columnData(batch, at);
    const read = valueReader(this.call.argType!, data);
    const valid = validReader(data);
    for (let i = 0; i < n; i++) if (valid(i)) this.offer(groupOf[i]!, read(i));
  }

  mergeGroups(src: Accumulator, from: Int32Array, to: Int32Array, n: number): void {
    const s = src as ValueMinMaxAccumulator;
    for (let i = 0; i < n; i++) {
      const v = s.best[from[i]!];
      if (v !== null && v !== undefined) this.offer(to[i]!, v);
    }
  }

  private write(groups: Int32Array, n: number): Data {
    const values: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) values[i] = this.best[groups[i]!];
    return valueColumn(this.call.argType!, values, n);
  }

  writeState(groups: Int32Array, n: number): Data[] {
    return [this.write(groups, n)];
  }

  writeResult(groups: Int32Array, n: number): Data {
    return this.write(groups, n);
  }
}
