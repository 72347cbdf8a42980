import type { Data, RecordBatch } from 'apache-arrow';
import type { AggregateSpec } from './aggregate-spec.js';
import { makeBatch } from './arrow-access.js';
import type { GroupStore } from './group-store.js';
import type { KeyTable } from './key-table.js';

/**
 * Output rows of an aggregate in its output columns: the keys (by key id), the window
 * columns when windowed (already built), then each call's result for the groups.
 */
export function outputRows(spec: AggregateSpec, keys: KeyTable, keyIds: Int32Array, windowColumns: Data[], store: GroupStore,
  groups: Int32Array, n: number): RecordBatch {
  const children = keys.write(keyIds, n);
  children.push(...windowColumns);
  for (const a of store.accumulators) children.push(a.writeResult(groups, n));
  return makeBatch(spec.output, children, n);
}
