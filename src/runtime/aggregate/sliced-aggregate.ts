import type { Data, RecordBatch } from 'apache-arrow';
import type { StatefulOperator } from '../stateful/stateful-operator.js';
import type { AggregateSpec } from './aggregate-spec.js';
import { bitSet, columnData, constantInt64Data, int64At, int64Words, validityOf } from './arrow-access.js';
import { grown } from './accumulators/accumulator.js';
import { GroupStore } from './group-store.js';
import { KeyTable } from './key-table.js';
import { outputRows } from './output-rows.js';
import type { PartialLayout } from './partial-layout.js';

/** One slice of event time: a group per key that has rows in it. */
class Slice {
  groups = new Int32Array(16);
  count = 0;
  /** Key id → group in this slice (-1: none). */
  groupOfKey: Int32Array;

  constructor(readonly start: number, keyCapacity: number) {
    this.groupOfKey = new Int32Array(Math.max(16, keyCapacity)).fill(-1);
  }

  groupOf(key: number): number {
    return key < this.groupOfKey.length ? this.groupOfKey[key]! : -1;
  }

  add(key: number, group: number): void {
    if (key >= this.groupOfKey.length) {
      const next = new Int32Array(Math.max(key + 1, this.groupOfKey.length * 2)).fill(-1);
      next.set(this.groupOfKey);
      this.groupOfKey = next;
    }
    this.groupOfKey[key] = group;
    this.groups = grown(this.groups, this.count + 1);
    this.groups[this.count++] = group;
  }
}

/** How slices make windows. */
interface Windowing {
  /** Starts of the windows that hold slice `start`. */
  windowsOf(start: number): number[];
  /** Starts of the slices window `start` is made of. */
  slicesOf(start: number): number[];
  /** When window `start` is complete. */
  end(start: number): number;
  /** Whether rows carry window_start and window_end. */
  hasWindowColumns: boolean;
}

function windowing(spec: AggregateSpec): Windowing {
  const w = spec.window;
  if (w === null) {
    // closeAt: every value of the column is a window of its own, complete once the
    // watermark is past that value (a row may still carry exactly that time: a join's
    // `BETWEEN a.date_time AND a.expires` includes it).
    return { windowsOf: (s) => [s], slicesOf: (s) => [s], end: (s) => s + 1, hasWindowColumns: false };
  }
  if (w.kind === 'session') throw new Error('a session window is not made of slices');
  const size = w.size;
  const slide = w.kind === 'hop' ? w.slide : w.size;
  const width = spec.sliceWidth;
  return {
    windowsOf: (s) => {
      const out: number[] = [];
      for (let start = Math.floor(s / slide) * slide; start > s - size; start -= slide) out.push(start);
      return out;
    },
    slicesOf: (start) => {
      const out: number[] = [];
      for (let s = start; s < start + size; s += width) out.push(s);
      return out;
    },
    end: (start) => start + size,
    hasWindowColumns: true,
  };
}

/**
 * The final step of a tumble or hop aggregate, or of an unwindowed one that closes its
 * groups at an upstream window's end (closeAt). State is kept per (key, slice), slices
 * being gcd(slide, size) wide: a partial row updates one slice. Once the watermark passes
 * a window's end, the window's slices are merged per key and written, once; a slice is
 * dropped when no window left to write holds it.
 */
export class SlicedAggregate implements StatefulOperator {
  private readonly keys: KeyTable;
  private readonly store: GroupStore;
  private readonly windowStore: GroupStore;
  private readonly keyColumns: number[];
  private readonly windows: Windowing;
  private readonly slices = new Map<number, Slice>();
  /** Slices holding each key: a key is forgotten when none does. */
  private refs = new Int32Array(16);
  private keyOfGroup = new Int32Array(16);
  /** Key id → group of the window being merged (-1: none). */
  private windowGroupOfKey = new Int32Array(0);
  private watermark = -Infinity;
  private keyIds = new Int32Array(0);
  private groupOf = new Int32Array(0);
  private sliceOf = new Float64Array(0);

  constructor(private readonly spec: AggregateSpec, private readonly layout: PartialLayout) {
    this.keys = new KeyTable(spec.keys.map((k) => spec.input[k]!));
    this.store = new GroupStore(layout.factories);
    this.windowStore = new GroupStore(layout.factories);
    this.keyColumns = spec.keys.map((_, i) => i);
    this.windows = windowing(spec);
  }

  /** Each partial row's slice start: its slice column, or (closeAt) its closing time, NULL closing only at the end of input. */
  private readSlices(batch: RecordBatch, n: number): void {
    if (this.layout.timeColumn >= 0) {
      this.sliceOf.set((columnData(batch, this.layout.timeColumn).values as Float64Array).subarray(0, n));
      return;
    }
    const data = columnData(batch, this.spec.keys.indexOf(this.spec.closeAt!));
    const words = int64Words(data);
    const valid = validityOf(data);
    for (let i = 0; i < n; i++) this.sliceOf[i] = valid !== null && !bitSet(valid, data.offset + i) ? Infinity : int64At(words, i);
  }

  process(_input: number, batch: RecordBatch): RecordBatch[] {
    const n = batch.numRows;
    if (this.keyIds.length < n) {
      this.keyIds = new Int32Array(n);
      this.groupOf = new Int32Array(n);
      this.sliceOf = new Float64Array(n);
    }
    const { keyIds, groupOf, sliceOf } = this;
    this.keys.intern(batch, this.keyColumns, n, keyIds);
    this.refs = grown(this.refs, this.keys.capacity);
    this.readSlices(batch, n);
    let slice: Slice | undefined;
    for (let i = 0; i < n; i++) {
      const start = sliceOf[i]!;
      if (slice === undefined || slice.start !== start) {
        slice = this.slices.get(start);
        if (slice === undefined) this.slices.set(start, slice = new Slice(start, this.keys.capacity));
      }
      const k = keyIds[i]!;
      let g = slice.groupOf(k);
      if (g < 0) {
        g = this.store.allocate();
        this.keyOfGroup = grown(this.keyOfGroup, g + 1);
        this.keyOfGroup[g] = k;
        this.refs[k]!++;
        slice.add(k, g);
      }
      groupOf[i] = g;
    }
    this.store.accumulators.forEach((a, j) => a.mergeRows(batch, this.layout.stateAt[j]!, groupOf, n));
    return [];
  }

  advance(watermark: number): RecordBatch[] {
    if (watermark <= this.watermark) return [];
    const last = this.watermark;
    this.watermark = watermark;
    // The windows that end in (last, watermark] and hold a slice, earliest first.
    const due = new Set<number>();
    for (const s of this.slices.keys()) {
      for (const w of this.windows.windowsOf(s)) {
        const end = this.windows.end(w);
        if (end > last && end <= watermark) due.add(w);
      }
    }
    const out = [...due].sort((a, b) => a - b).map((w) => this.emit(w));
    for (const [s, slice] of this.slices) {
      if (this.windows.windowsOf(s).every((w) => this.windows.end(w) <= watermark)) this.drop(slice);
    }
    return out;
  }

  flush(): RecordBatch[] {
    return [];
  }

  /** Slices and groups held. */
  stateSize(): { slices: number; groups: number; keys: number } {
    return { slices: this.slices.size, groups: this.store.size, keys: this.keys.size };
  }

  private windowColumns(start: number, n: number): Data[] {
    if (!this.windows.hasWindowColumns) return [];
    const k = this.spec.keys.length;
    return [constantInt64Data(this.spec.output[k]!, start, n), constantInt64Data(this.spec.output[k + 1]!, this.windows.end(start), n)];
  }

  /** The rows of window `start`: its slices' groups merged per key (a window of one slice is written from it directly). */
  private emit(start: number): RecordBatch {
    const slices = this.windows.slicesOf(start).map((s) => this.slices.get(s)).filter((s): s is Slice => s !== undefined);
    if (slices.length === 1) {
      const { groups, count } = slices[0]!;
      const keyIds = new Int32Array(count);
      for (let i = 0; i < count; i++) keyIds[i] = this.keyOfGroup[groups[i]!]!;
      return outputRows(this.spec, this.keys, keyIds, this.windowColumns(start, count), this.store, groups, count);
    }
    if (this.windowGroupOfKey.length < this.keys.capacity) {
      this.windowGroupOfKey = new Int32Array(Math.max(16, this.keys.capacity * 2)).fill(-1);
    }
    const wgok = this.windowGroupOfKey;
    const window = this.windowStore;
    window.clear();
    const keyIds: number[] = [];
    for (const slice of slices) {
      const from = slice.groups;
      const to = new Int32Array(slice.count);
      for (let i = 0; i < slice.count; i++) {
        const k = this.keyOfGroup[from[i]!]!;
        let wg = wgok[k]!;
        if (wg < 0) {
          wg = wgok[k] = window.allocate();
          keyIds.push(k);
        }
        to[i] = wg;
      }
      window.accumulators.forEach((a, j) => a.mergeGroups(this.store.accumulators[j]!, from, to, slice.count));
    }
    const n = keyIds.length;
    const ids = Int32Array.from(keyIds);
    const groups = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      groups[i] = wgok[ids[i]!]!;
      wgok[ids[i]!] = -1;
    }
    return outputRows(this.spec, this.keys, ids, this.windowColumns(start, n), window, groups, n);
  }

  private drop(slice: Slice): void {
    for (let i = 0; i < slice.count; i++) {
      const g = slice.groups[i]!;
      const k = this.keyOfGroup[g]!;
      this.store.release(g);
      if (--this.refs[k]! === 0) this.keys.remove(k);
    }
    this.slices.delete(slice.start);
  }
}
