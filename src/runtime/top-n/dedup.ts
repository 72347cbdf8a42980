/**
 * Deduplication of an updating result: ROW_NUMBER() ... <= 1 with at most one order
 * column and no window. Per key it keeps only the best order value so far, not the row:
 * a row that does not sort before it (the usual case, rows arriving in order) costs a
 * Map lookup and a comparison; one that does is the key's new first row, emitted at once
 * from process() (the sink upserts it by key and row number 1), as is a key's first row.
 */
import { makeData, RecordBatch, Struct, type Schema } from 'apache-arrow';
import { dataFromCol, gatherVec, vecFromData } from '../expressions/columns.js';
import { projectionSchema } from '../expressions/filter-project.js';
import { compileKeyReader, type Key, type KeyReader } from '../join/row-keys.js';
import type { StatefulOperator } from '../stateful/stateful-operator.js';
import { SortOrder, type SortValue } from './sort-values.js';
import { rankData, type TopNSpec } from './top-n.js';

export class Dedup implements StatefulOperator {
  private readonly readKeys: KeyReader;
  private readonly sortOrder: SortOrder;
  /** Per key, the order value of its first row (undefined without an order). */
  private readonly best = new Map<Key | null, SortValue | undefined>();
  private readonly schema: Schema;
  private readonly struct: Struct;

  constructor(private readonly spec: TopNSpec) {
    this.readKeys = compileKeyReader(spec.input, spec.keys, 'grouped');
    this.sortOrder = new SortOrder(spec.input, spec.order);
    this.schema = projectionSchema(spec.columns);
    this.struct = new Struct(this.schema.fields);
  }

  /** Keys seen. */
  stateSize(): number {
    return this.best.size;
  }

  process(_input: number, batch: RecordBatch): RecordBatch[] {
    const n = batch.numRows;
    const keys = this.readKeys(batch);
    const ordered = this.spec.order.length === 1;
    const values = ordered ? this.sortOrder.read(batch)[0]! : null;
    const firsts = new Int32Array(n);
    let m = 0;
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      const value = values === null ? undefined : values[i]!;
      if (this.best.has(key) && (!ordered || this.sortOrder.compareAt(0, value!, this.best.get(key)!) >= 0)) continue;
      this.best.set(key, value);
      firsts[m++] = i;
    }
    if (m === 0) return [];
    const sel = firsts.subarray(0, m);
    const children = this.spec.input.map((c, j) => dataFromCol(gatherVec(vecFromData(batch.data.children[j]!, c.type), c.type, sel, m), c.type, m));
    if (this.spec.rankColumn) children.push(rankData(new Array<number>(m).fill(1)));
    return [new RecordBatch(this.schema, makeData({ type: this.struct, length: m, nullCount: 0, children }))];
  }

  advance(): RecordBatch[] {
    return [];
  }

  flush(): RecordBatch[] {
    return [];
  }
}
