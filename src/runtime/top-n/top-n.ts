/**
 * ROW_NUMBER() OVER (PARTITION BY keys ORDER BY order) <= limit, as one task runs it:
 * per partition, its best `limit` rows in order (ties in arrival order). The rows are
 * kept in chunks (../join/kept-rows.ts): the rows of a batch that enter some partition
 * are copied out of it unless most of it does, and the chunks are copied together
 * again once most of their rows have been pushed out, so a few survivors never pin
 * whole batches.
 *
 * Windowed (`windowEnd`: the column of the partition's window_end): a partition is
 * emitted once, in order, when the watermark reaches its window's end, and forgotten.
 * Otherwise the result is updating: flush() gives, per partition changed since the last
 * flush, its rows at the ranks whose row changed, with their row number.
 */
import { makeData, RecordBatch, Struct, type Data, type Schema } from 'apache-arrow';
import type { SortKey } from '../../plan/logical-plan.js';
import type { ColumnSchema } from '../arrow-types.js';
import { dataFromCol, Vec } from '../expressions/columns.js';
import { projectionSchema } from '../expressions/filter-project.js';
import type { StatefulOperator } from '../stateful/stateful-operator.js';
import { int64Words, setInt64 } from '../int64-words.js';
import { KeptRows, MAX_CHUNK_ROWS, refOf, rowOf, slotOf } from '../join/kept-rows.js';
import { compileKeyReader, type Key, type KeyReader } from '../join/row-keys.js';
import { timeColumn } from '../join/time-column.js';
import { Types } from '../../types/sql-type.js';
import { SortOrder, type SortValue } from './sort-values.js';

export interface TopNSpec {
  input: ColumnSchema[];
  keys: number[];
  order: SortKey[];
  limit: number;
  rankColumn: boolean;
  windowEnd: number | null;
  /** Output: the input columns, then the row number when rankColumn. */
  columns: ColumnSchema[];
}

interface Entry {
  ref: number;
  sort: SortValue[];
}

interface Partition {
  key: Key | null;
  entries: Entry[];
  /** The window's end (windowed), else NaN. */
  end: number;
  /** The first rank (from 0) whose row changed since the last flush; Infinity when none. */
  changedFrom: number;
}

/** Chunks are copied together once they hold more than this many rows beyond twice those in use (a batch's worth). */
const SLACK_ROWS = 4096;

export class TopN implements StatefulOperator {
  private readonly rows: KeptRows;
  private readonly readKeys: KeyReader;
  private readonly sortOrder: SortOrder;
  private readonly partitions = new Map<Key | null, Partition>();
  /** Windowed: partitions by window end. */
  private readonly windows = new Map<number, Partition[]>();
  /** Updating: partitions changed since the last flush. */
  private readonly changed = new Set<Partition>();
  private readonly schema: Schema;
  private readonly struct: Struct;

  constructor(private readonly spec: TopNSpec) {
    this.rows = new KeptRows(spec.input);
    // A window's partitions are apart from the same keys' partitions of other windows.
    const keys = spec.windowEnd === null || spec.keys.includes(spec.windowEnd) ? spec.keys : [...spec.keys, spec.windowEnd];
    this.readKeys = compileKeyReader(spec.input, keys, 'grouped');
    this.sortOrder = new SortOrder(spec.input, spec.order);
    this.schema = projectionSchema(spec.columns);
    this.struct = new Struct(this.schema.fields);
  }

  /** Rows kept. */
  stateSize(): number {
    return this.rows.usedRows;
  }

  /** Rows of the chunks held for them (those pushed out of their partition included). */
  heldRows(): number {
    return this.rows.rows;
  }

  process(_input: number, batch: RecordBatch): RecordBatch[] {
    if (batch.numRows > MAX_CHUNK_ROWS) {
      for (let at = 0; at < batch.numRows; at += MAX_CHUNK_ROWS) this.process(0, batch.slice(at, at + MAX_CHUNK_ROWS));
      return [];
    }
    const n = batch.numRows;
    if (n === 0 || this.spec.limit < 1) return [];
    const limit = this.spec.limit;
    const keys = this.readKeys(batch);
    const ends = this.spec.windowEnd === null ? null : timeColumn(batch, this.spec.windowEnd, this.spec.input);
    const values = this.sortOrder.read(batch);
    const slot = this.rows.keep(batch);
    const entered: Entry[] = [];
    for (let i = 0; i < n; i++) {
      let p = this.partitions.get(keys[i]!);
      if (p === undefined) {
        p = { key: keys[i]!, entries: [], end: ends === null ? NaN : ends[i]!, changedFrom: Infinity };
        this.partitions.set(keys[i]!, p);
        if (ends !== null) this.window(p.end).push(p);
      }
      const entries = p.entries;
      if (entries.length === limit && this.sortOrder.compareRow(values, i, entries[limit - 1]!.sort) >= 0) continue;
      const at = this.position(entries, values, i);
      const entry = { ref: refOf(slot, i), sort: this.sortOrder.rowValues(values, i) };
      entries.splice(at, 0, entry);
      entered.push(entry);
      this.rows.hold(slot, 1);
      if (entries.length > limit) this.evict(entries.pop()!);
      if (ends === null) {
        p.changedFrom = Math.min(p.changedFrom, at);
        this.changed.add(p);
      }
    }
    this.settle(slot, entered);
    return [];
  }

  /** Where row i goes among the entries: after every entry it does not sort before. */
  private position(entries: Entry[], values: SortValue[][], i: number): number {
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sortOrder.compareRow(values, i, entries[mid]!.sort) < 0) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private window(end: number): Partition[] {
    let ps = this.windows.get(end);
    if (ps === undefined) {
      ps = [];
      this.windows.set(end, ps);
    }
    return ps;
  }

  private evict(entry: Entry): void {
    this.rows.release(slotOf(entry.ref));
    entry.ref = -1;
  }

  /**
   * After a batch: its rows still kept are copied out of it unless they are most of it,
   * and all chunks are copied together when most of their rows are out of use.
   */
  private settle(slot: number, entered: Entry[]): void {
    const kept = entered.filter((e) => e.ref >= 0);
    if (kept.length === 0) {
      this.rows.drop(slot);
    } else if (kept.length * 2 < this.rows.sizeOf(slot)) {
      this.copy(kept);
      this.rows.drop(slot);
    }
    if (this.rows.rows > 2 * this.rows.usedRows + SLACK_ROWS) {
      const all = [...this.partitions.values()].flatMap((p) => p.entries);
      const old = new Set(all.map((e) => slotOf(e.ref)));
      this.copy(all);
      for (const s of old) this.rows.drop(s);
    }
  }

  /** Copies the entries' rows into a new chunk and points the entries there. */
  private copy(entries: Entry[]): void {
    const m = entries.length;
    const slots = Int32Array.from(entries, (e) => slotOf(e.ref));
    const rows = Int32Array.from(entries, (e) => rowOf(e.ref));
    const slot = this.rows.keepCopy(slots, rows, m);
    this.rows.hold(slot, m);
    entries.forEach((e, k) => { e.ref = refOf(slot, k); });
  }

  advance(watermark: number): RecordBatch[] {
    if (this.spec.windowEnd === null) return [];
    const due = [...this.windows.keys()].filter((end) => end <= watermark || watermark === Infinity).sort((a, b) => a - b);
    if (due.length === 0) return [];
    const emitted: Entry[] = [];
    const ranks: number[] = [];
    for (const end of due) {
      for (const p of this.windows.get(end)!) {
        this.partitions.delete(p.key);
        p.entries.forEach((e, r) => {
          emitted.push(e);
          ranks.push(r + 1);
        });
      }
      this.windows.delete(end);
    }
    const out = this.batch(emitted, ranks);
    for (const e of emitted) this.evict(e);
    return [out];
  }

  flush(): RecordBatch[] {
    if (this.changed.size === 0) return [];
    const rows: Entry[] = [];
    const ranks: number[] = [];
    for (const p of this.changed) {
      for (let r = p.changedFrom; r < p.entries.length; r++) {
        rows.push(p.entries[r]!);
        ranks.push(r + 1);
      }
      p.changedFrom = Infinity;
    }
    this.changed.clear();
    return [this.batch(rows, ranks)];
  }

  private batch(entries: Entry[], ranks: number[]): RecordBatch {
    const m = entries.length;
    const children = this.rows.gather(Int32Array.from(entries, (e) => slotOf(e.ref)), Int32Array.from(entries, (e) => rowOf(e.ref)), m);
    if (this.spec.rankColumn) children.push(rankData(ranks));
    return new RecordBatch(this.schema, makeData({ type: this.struct, length: m, nullCount: 0, children }));
  }
}

/** Row numbers as an int8 column. */
export function rankData(ranks: readonly number[]): Data {
  const values = new BigInt64Array(ranks.length);
  const words = int64Words(values);
  for (let k = 0; k < ranks.length; k++) setInt64(words, k, ranks[k]!);
  return dataFromCol(new Vec(ranks.length, values, null), Types.int8, ranks.length);
}
