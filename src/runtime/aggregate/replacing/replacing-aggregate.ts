import type { RecordBatch } from 'apache-arrow';
import type { StatefulOperator } from '../../stateful/stateful-operator.js';
import { ChangedGroups } from '../changed-groups.js';
import type { AggregateSpec } from '../aggregate-spec.js';
import { makeBatch } from '../arrow-access.js';
import { KeyTable } from '../key-table.js';
import { replacingCall } from './create-replacing-call.js';
import type { ReplacingCall } from './replacing-call.js';

/**
 * An unwindowed aggregate over an updating result (rows that are upserts keyed by the
 * `replacing` columns): each row replaces the latest row of its replacing key, whose
 * contribution is taken back from the group before the row's is added. The group keys
 * are among the replacing columns, so a key's rows all fall in one group. Input rows
 * come as they are (no partial step: a partial row could not say what it replaces).
 * Each flush writes the current values of the groups changed since the last one.
 * Groups are kept for ever: an updating result replaces rows, it never deletes them.
 */
export class ReplacingAggregate implements StatefulOperator {
  /** Replacing keys: their ids index each call's record of a key's latest row. */
  private readonly rowKeys: KeyTable;
  /** Group keys: their ids are the groups. */
  private readonly groupKeys: KeyTable;
  private readonly replacing: number[];
  private readonly calls: ReplacingCall[];
  private readonly changed = new ChangedGroups();
  private keyIds = new Int32Array(0);
  private groupIds = new Int32Array(0);

  constructor(private readonly spec: AggregateSpec) {
    this.replacing = spec.replacing!;
    this.rowKeys = new KeyTable(this.replacing.map((k) => spec.input[k]!));
    this.groupKeys = new KeyTable(spec.keys.map((k) => spec.input[k]!));
    this.calls = spec.calls.map(replacingCall);
  }

  process(_input: number, batch: RecordBatch): RecordBatch[] {
    const n = batch.numRows;
    if (this.keyIds.length < n) {
      this.keyIds = new Int32Array(n);
      this.groupIds = new Int32Array(n);
    }
    const { keyIds, groupIds } = this;
    this.rowKeys.intern(batch, this.replacing, n, keyIds);
    this.groupKeys.intern(batch, this.spec.keys, n, groupIds);
    const groups = this.groupKeys.capacity;
    for (const c of this.calls) c.grow(this.rowKeys.capacity, groups);
    for (let i = 0; i < n; i++) this.changed.mark(groupIds[i]!);
    for (const c of this.calls) c.replace(batch, keyIds, groupIds, n);
    return [];
  }

  advance(): RecordBatch[] {
    return [];
  }

  flush(): RecordBatch[] {
    const groups = this.changed.take();
    const n = groups.length;
    if (n === 0) return [];
    const children = this.groupKeys.write(groups, n);
    for (const c of this.calls) children.push(c.writeResult(groups, n));
    return [makeBatch(this.spec.output, children, n)];
  }
}
