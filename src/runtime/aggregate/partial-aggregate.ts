import type { Data, RecordBatch } from 'apache-arrow';
import { Types } from '../../types/sql-type.js';
import { arrowType } from '../arrow-types.js';
import type { AggregateSpec } from './aggregate-spec.js';
import { bitSet, columnData, fixedData, int64At, int64Words, makeBatch, validityOf } from './arrow-access.js';
import { GroupStore } from './group-store.js';
import { KeyTable } from './key-table.js';
import { partialLayout } from './partial-layout.js';

/** Rows without an event time belong to no window: they go to this group, which is never written. */
const NO_WINDOW = -1;

/** Groups assigned to rows, with what each group is (its key, and where it lies in event time). */
class BatchGroups {
  groupOf = new Int32Array(0);
  keyOf = new Int32Array(0);
  first = new Float64Array(0);
  last = new Float64Array(0);
  count = 0;

  begin(rows: number): void {
    if (this.groupOf.length < rows) {
      this.groupOf = new Int32Array(rows);
      this.keyOf = new Int32Array(rows + 1);
      this.first = new Float64Array(rows + 1);
      this.last = new Float64Array(rows + 1);
    }
    this.count = 0;
  }

  add(key: number, first: number, last: number): number {
    const g = this.count++;
    this.keyOf[g] = key;
    this.first[g] = first;
    this.last[g] = last;
    return g;
  }
}

/** Event times of a batch's time column as numbers (µs), NaN for NULL. */
function eventTimes(batch: RecordBatch, column: number, n: number, out: Float64Array): void {
  const data = columnData(batch, column);
  const words = int64Words(data);
  const valid = validityOf(data);
  for (let i = 0; i < n; i++) out[i] = valid !== null && !bitSet(valid, data.offset + i) ? NaN : int64At(words, i);
}

/**
 * The partial step of a two-phase aggregate: per batch, one row per group of rows that
 * share the key and the window slice (tumble, hop), or the key and a run of rows within
 * the session gap of each other (session), or the key (unwindowed). Stateless from
 * batch to batch. Rows with a NULL event time belong to no window and are left out.
 */
export function compilePartialAggregate(spec: AggregateSpec): (batch: RecordBatch) => RecordBatch {
  const layout = partialLayout(spec);
  const keyColumns = spec.keys.map((k) => spec.input[k]!);
  const keys = new KeyTable(keyColumns);
  const store = new GroupStore(layout.factories);
  const groups = new BatchGroups();
  let keyIds = new Int32Array(0);
  let times = new Float64Array(0);
  const window = spec.window;

  const groupByKey = (n: number) => {
    for (let k = 0; k < keys.capacity; k++) groups.add(k, 0, 0);
    groups.groupOf.set(keyIds.subarray(0, n));
  };

  const groupBySlice = (n: number, width: number) => {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const t = times[i]!;
      if (t < min) min = t;
      if (t > max) max = t;
    }
    if (min === Infinity) {
      groups.groupOf.fill(NO_WINDOW, 0, n);
      return;
    }
    const base = Math.floor(min / width);
    const slices = Math.floor(max / width) - base + 1;
    const cells = keys.capacity * slices;
    // A dense (key, slice) table when the batch spans few slices, else a map.
    const table = cells <= 4 * n + 1024 ? new Int32Array(cells).fill(-1) : null;
    const map = table === null ? new Map<number, number>() : null;
    const { groupOf } = groups;
    for (let i = 0; i < n; i++) {
      const t = times[i]!;
      if (t !== t) {
        groupOf[i] = NO_WINDOW;
        continue;
      }
      const slice = Math.floor(t / width) - base;
      const cell = keyIds[i]! * slices + slice;
      let g = table !== null ? table[cell]! : map!.get(cell) ?? -1;
      if (g < 0) {
        const start = (base + slice) * width;
        g = groups.add(keyIds[i]!, start, start);
        if (table !== null) table[cell] = g;
        else map!.set(cell, g);
      }
      groupOf[i] = g;
    }
  };

  const groupBySession = (n: number, gap: number) => {
    const order = new Int32Array(n);
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (times[i] !== times[i]) groups.groupOf[i] = NO_WINDOW;
      else order[m++] = i;
    }
    const rows = order.subarray(0, m).sort((a, b) => keyIds[a]! - keyIds[b]! || times[a]! - times[b]!);
    let g = -1;
    for (let j = 0; j < m; j++) {
      const i = rows[j]!;
      const t = times[i]!;
      if (g < 0 || groups.keyOf[g] !== keyIds[i] || t >= groups.last[g]! + gap) g = groups.add(keyIds[i]!, t, t);
      else groups.last[g] = t;
      groups.groupOf[i] = g;
    }
  };

  return (batch) => {
    const n = batch.numRows;
    if (keyIds.length < n) {
      keyIds = new Int32Array(n);
      times = new Float64Array(n);
    }
    keys.clear();
    keys.intern(batch, spec.keys, n, keyIds);
    groups.begin(n);
    if (window === null) {
      groupByKey(n);
    } else {
      eventTimes(batch, window.time, n, times);
      if (window.kind === 'session') groupBySession(n, window.gap);
      else groupBySlice(n, spec.sliceWidth);
    }
    const rows = groups.count;
    // Rows of no window are counted into one extra group, which is not written.
    const { groupOf } = groups;
    for (let i = 0; i < n; i++) if (groupOf[i] === NO_WINDOW) groupOf[i] = rows;
    store.clear();
    for (let g = 0; g <= rows; g++) store.allocate();
    for (const a of store.accumulators) a.addRows(batch, groupOf, n);

    const ids = new Int32Array(rows);
    for (let g = 0; g < rows; g++) ids[g] = g;
    const children: Data[] = keys.write(groups.keyOf, rows);
    if (window !== null) {
      const f8 = arrowType(Types.float8);
      children.push(fixedData(f8, groups.first.slice(0, rows), rows));
      if (window.kind === 'session') children.push(fixedData(f8, groups.last.slice(0, rows), rows));
    }
    for (const a of store.accumulators) children.push(...a.writeState(ids, rows));
    return makeBatch(layout.columns, children, rows);
  };
}
