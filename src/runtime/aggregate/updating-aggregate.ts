import type { RecordBatch } from 'apache-arrow';
import type { StatefulOperator } from '../stateful/stateful-operator.js';
import type { AggregateSpec } from './aggregate-spec.js';
import { grown } from './accumulators/accumulator.js';
import { ChangedGroups } from './changed-groups.js';
import { GroupStore } from './group-store.js';
import { KeyTable } from './key-table.js';
import { outputRows } from './output-rows.js';
import type { PartialLayout } from './partial-layout.js';

/**
 * The final step of an unwindowed aggregate: one group per key, kept for ever; each
 * flush writes the current values of the groups changed since the last one (upserts
 * keyed by the key columns).
 */
export class UpdatingAggregate implements StatefulOperator {
  private readonly keys: KeyTable;
  private readonly store: GroupStore;
  private readonly keyColumns: number[];
  /** Key id → group (-1: none yet). */
  private groupOfKey = new Int32Array(0);
  private keyOfGroup = new Int32Array(16);
  private readonly changed = new ChangedGroups();
  private keyIds = new Int32Array(0);
  private groupOf = new Int32Array(0);

  constructor(private readonly spec: AggregateSpec, private readonly layout: PartialLayout) {
    this.keys = new KeyTable(spec.keys.map((k) => spec.input[k]!));
    this.store = new GroupStore(layout.factories);
    this.keyColumns = spec.keys.map((_, i) => i);
  }

  process(_input: number, batch: RecordBatch): RecordBatch[] {
    const n = batch.numRows;
    if (this.keyIds.length < n) {
      this.keyIds = new Int32Array(n);
      this.groupOf = new Int32Array(n);
    }
    const { keyIds, groupOf } = this;
    this.keys.intern(batch, this.keyColumns, n, keyIds);
    if (this.groupOfKey.length < this.keys.capacity) {
      const next = new Int32Array(Math.max(16, this.keys.capacity * 2)).fill(-1);
      next.set(this.groupOfKey);
      this.groupOfKey = next;
    }
    for (let i = 0; i < n; i++) {
      let g = this.groupOfKey[keyIds[i]!]!;
      if (g < 0) {
        g = this.store.allocate();
        this.groupOfKey[keyIds[i]!] = g;
        this.keyOfGroup = grown(this.keyOfGroup, g + 1);
        this.keyOfGroup[g] = keyIds[i]!;
      }
      this.changed.mark(g);
      groupOf[i] = g;
    }
    this.store.accumulators.forEach((a, j) => a.mergeRows(batch, this.layout.stateAt[j]!, groupOf, n));
    return [];
  }

  advance(): RecordBatch[] {
    return [];
  }

  flush(): RecordBatch[] {
    const groups = this.changed.take();
    const n = groups.length;
    if (n === 0) return [];
    const keyIds = new Int32Array(n);
    for (let i = 0; i < n; i++) keyIds[i] = this.keyOfGroup[groups[i]!]!;
    return [outputRows(this.spec, this.keys, keyIds, [], this.store, groups, n)];
  }

  /** Groups held. */
  stateSize(): number {
    return this.store.size;
  }
}
