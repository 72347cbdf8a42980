/**
 * A streaming equi-join of two append-only inputs, as one task runs it (the task gets
 * the rows of its keys). Each side keeps its rows (the batches themselves, see
 * kept-rows.ts) and an index from join key to their refs; a new row looks its key up in
 * the other side's index, and joined rows are gathered column by column.
 *
 * How long a row is kept (its deadline, see expiry-queue.ts) depends on the bound:
 * - interval: a left row until the watermark passes l.time + upper, a right row until it
 *   passes r.time - lower (no later left row can match it);
 * - window: until the watermark reaches the row's window end;
 * - regular: until the watermark passes W + ttl, W being the watermark when the row was
 *   kept (the first watermark for rows kept before any); forever without a ttl.
 * A LEFT JOIN emits a left row padded with NULLs when it expires unmatched, or at once
 * when it can match nothing (a NULL key or time). So a regular LEFT JOIN without a ttl
 * emits its unmatched rows only at the end of a bounded input (advance(Infinity)).
 */
import { makeData, RecordBatch, Struct, type Data, type Schema } from 'apache-arrow';
import type { EvalContext } from '../../functions/scalar-function.js';
import type { BoundExpression } from '../../plan/expression.js';
import type { JoinBound } from '../../plan/logical-plan.js';
import type { ColumnSchema } from '../arrow-types.js';
import { projectionSchema } from '../expressions/filter-project.js';
import type { StatefulOperator } from '../stateful/stateful-operator.js';
import { ExpiryQueue } from './expiry-queue.js';
import { KeptRows, MAX_CHUNK_ROWS, nullData, refOf, rowOf, slotOf } from './kept-rows.js';
import { PairCondition, type Pairs } from './pair-condition.js';
import { compileKeyReader, type Key, type KeyReader } from './row-keys.js';
import { timeColumn } from './time-column.js';

export interface JoinSpec {
  type: 'inner' | 'left';
  inputs: [ColumnSchema[], ColumnSchema[]];
  keys: [number[], number[]];
  condition: BoundExpression | null;
  bound: JoinBound;
  /** Output: the left columns, then the right ones. */
  columns: ColumnSchema[];
}

/** One input's kept rows and their index; per-chunk arrays are by slot. */
class Side {
  readonly rows: KeptRows;
  /** Join key to the ref of its one row, or the refs of its rows. */
  readonly index = new Map<Key, number | number[]>();
  readonly keys: (Key | null)[][] = [];
  /** 1 while a row is in the index. */
  readonly alive: Uint8Array[] = [];
  /** Left side of a LEFT JOIN: 1 once a row has matched. */
  readonly matched: Uint8Array[] = [];
  /** Interval joins: the rows' times (NaN for NULL). */
  readonly times: Float64Array[] = [];
  readonly readKeys: KeyReader;
  readonly expiry: ExpiryQueue;
  /** Regular join with a ttl: chunks kept before the first watermark, their deadline not known yet. */
  readonly unstamped: { slot: number; rows: Int32Array; deadlines: Float64Array }[] = [];

  constructor(columns: readonly ColumnSchema[], keys: readonly number[], strict: boolean) {
    this.rows = new KeptRows(columns);
    this.readKeys = compileKeyReader(columns, keys, 'unmatched');
    this.expiry = new ExpiryQueue(strict);
  }

  insert(key: Key, ref: number): void {
    const bucket = this.index.get(key);
    if (bucket === undefined) this.index.set(key, ref);
    else if (typeof bucket === 'number') this.index.set(key, [bucket, ref]);
    else bucket.push(ref);
  }

  /** Takes the rows no longer alive out of the buckets of these keys. */
  prune(keys: Iterable<Key>): void {
    for (const key of keys) {
      const bucket = this.index.get(key)!;
      if (typeof bucket === 'number') {
        this.index.delete(key);
        continue;
      }
      const live = bucket.filter((ref) => this.alive[slotOf(ref)]![rowOf(ref)] === 1);
      if (live.length === 0) this.index.delete(key);
      else this.index.set(key, live.length === 1 ? live[0]! : live);
    }
  }

  /** Frees a slot's arrays once its chunk is gone. */
  forget(slot: number): void {
    delete this.keys[slot];
    delete this.alive[slot];
    delete this.matched[slot];
    delete this.times[slot];
  }
}

/** Int32Array buffers for candidate pairs, grown by doubling. */
class PairBuffer implements Pairs {
  slots: [Int32Array, Int32Array] = [new Int32Array(1024), new Int32Array(1024)];
  rows: [Int32Array, Int32Array] = [new Int32Array(1024), new Int32Array(1024)];
  count = 0;

  push(leftSlot: number, leftRow: number, rightSlot: number, rightRow: number): void {
    if (this.count === this.rows[0].length) this.grow();
    const k = this.count++;
    this.slots[0][k] = leftSlot;
    this.rows[0][k] = leftRow;
    this.slots[1][k] = rightSlot;
    this.rows[1][k] = rightRow;
  }

  private grow(): void {
    const bigger = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.slots = [bigger(this.slots[0]), bigger(this.slots[1])];
    this.rows = [bigger(this.rows[0]), bigger(this.rows[1])];
  }

  /** Keeps only the pairs at positions `sel` (ascending). */
  keep(sel: Int32Array): void {
    for (let q = 0; q < sel.length; q++) {
      const k = sel[q]!;
      this.slots[0][q] = this.slots[0][k]!;
      this.rows[0][q] = this.rows[0][k]!;
      this.slots[1][q] = this.slots[1][k]!;
      this.rows[1][q] = this.rows[1][k]!;
    }
    this.count = sel.length;
  }
}

export class StreamingJoin implements StatefulOperator {
  private readonly sides: [Side, Side];
  private readonly condition: PairCondition | null;
  private readonly schema: Schema;
  private readonly struct: Struct;
  private readonly pairs = new PairBuffer();
  private watermark = -Infinity;

  constructor(private readonly spec: JoinSpec, ctx: EvalContext) {
    const strict = spec.bound.kind !== 'window';
    this.sides = [new Side(spec.inputs[0], spec.keys[0], strict), new Side(spec.inputs[1], spec.keys[1], strict)];
    this.condition = spec.condition === null ? null : new PairCondition(spec.condition, spec.inputs[0].length, spec.columns, ctx);
    this.schema = projectionSchema(spec.columns);
    this.struct = new Struct(this.schema.fields);
  }

  /** Rows kept on both sides. */
  stateSize(): number {
    return this.sides[0].rows.usedRows + this.sides[1].rows.usedRows;
  }

  process(input: number, batch: RecordBatch): RecordBatch[] {
    if (batch.numRows > MAX_CHUNK_ROWS) {
      const out: RecordBatch[] = [];
      for (let at = 0; at < batch.numRows; at += MAX_CHUNK_ROWS) out.push(...this.process(input, batch.slice(at, at + MAX_CHUNK_ROWS)));
      return out;
    }
    const n = batch.numRows;
    if (n === 0) return [];
    const s = input as 0 | 1;
    const side = this.sides[s];
    const other = this.sides[1 - s]!;
    const keys = side.readKeys(batch);
    const slot = side.rows.keep(batch);
    const { deadlines, times } = this.deadlines(s, batch);
    // Rows that can match: a key, and a time (interval) or window end (window).
    const stored = new Int32Array(n);
    let m = 0;
    for (let i = 0; i < n; i++) if (keys[i] !== null && deadlines[i] === deadlines[i]) stored[m++] = i;
    const rows = stored.subarray(0, m);
    const pairs = this.pairs;
    pairs.count = 0;
    if (times === null) this.probe(s, slot, keys, rows, other);
    else this.probeInterval(s, slot, keys, rows, other, times);
    const alive = new Uint8Array(n);
    for (let k = 0; k < m; k++) {
      const i = rows[k]!;
      alive[i] = 1;
      side.insert(keys[i]!, refOf(slot, i));
    }
    side.keys[slot] = keys;
    side.alive[slot] = alive;
    if (times !== null) side.times[slot] = times;
    if (s === 0 && this.spec.type === 'left') side.matched[slot] = new Uint8Array(n);
    const out: RecordBatch[] = [];
    const joined = this.joined();
    if (joined) out.push(joined);
    if (s === 0 && this.spec.type === 'left' && m < n) out.push(this.padded(slot, unmatchable(n, alive)));
    if (m === 0) {
      side.rows.drop(slot);
      side.forget(slot);
    } else {
      side.rows.hold(slot, m);
      this.schedule(side, slot, rows, deadlines);
    }
    return out;
  }

  /** Per row, when it expires (NaN: it can match nothing); and its time for interval joins. */
  private deadlines(s: 0 | 1, batch: RecordBatch): { deadlines: Float64Array; times: Float64Array | null } {
    const b = this.spec.bound;
    const n = batch.numRows;
    switch (b.kind) {
      case 'interval': {
        const times = timeColumn(batch, s === 0 ? b.leftTime : b.rightTime, this.spec.inputs[s]);
        const shift = s === 0 ? b.upper : -b.lower;
        const deadlines = new Float64Array(n);
        for (let i = 0; i < n; i++) deadlines[i] = times[i]! + shift;
        return { deadlines, times };
      }
      case 'window':
        return { deadlines: timeColumn(batch, s === 0 ? b.leftEnd : b.rightEnd, this.spec.inputs[s]), times: null };
      case 'regular':
        return { deadlines: new Float64Array(n).fill(b.ttl === null ? Infinity : this.watermark + b.ttl), times: null };
    }
  }

  private schedule(side: Side, slot: number, rows: Int32Array, deadlines: Float64Array): void {
    const b = this.spec.bound;
    if (b.kind === 'regular' && b.ttl !== null && this.watermark === -Infinity) side.unstamped.push({ slot, rows, deadlines });
    else side.expiry.add(slot, rows, deadlines);
  }

  /** Pairs of the new rows with the other side's rows of the same key. */
  private probe(s: 0 | 1, slot: number, keys: (Key | null)[], rows: Int32Array, other: Side): void {
    const pairs = this.pairs;
    const index = other.index;
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k]!;
      const bucket = index.get(keys[i]!);
      if (bucket === undefined) continue;
      const single = typeof bucket === 'number';
      const count = single ? 1 : bucket.length;
      for (let j = 0; j < count; j++) {
        const ref = single ? bucket : bucket[j]!;
        if (s === 0) pairs.push(slot, i, slotOf(ref), rowOf(ref));
        else pairs.push(slotOf(ref), rowOf(ref), slot, i);
      }
    }
  }

  /** probe, keeping the pairs whose right time is within [left time + lower, left time + upper]. */
  private probeInterval(s: 0 | 1, slot: number, keys: (Key | null)[], rows: Int32Array, other: Side, times: Float64Array): void {
    const b = this.spec.bound as Extract<JoinBound, { kind: 'interval' }>;
    // A new left row takes right times in [t + lower, t + upper]; a new right row left times in [t - upper, t - lower].
    const from = s === 0 ? b.lower : -b.upper;
    const to = s === 0 ? b.upper : -b.lower;
    const pairs = this.pairs;
    const index = other.index;
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k]!;
      const bucket = index.get(keys[i]!);
      if (bucket === undefined) continue;
      const lo = times[i]! + from;
      const hi = times[i]! + to;
      const single = typeof bucket === 'number';
      const count = single ? 1 : bucket.length;
      for (let j = 0; j < count; j++) {
        const ref = single ? bucket : bucket[j]!;
        const t = other.times[slotOf(ref)]![rowOf(ref)]!;
        if (t < lo || t > hi) continue;
        if (s === 0) pairs.push(slot, i, slotOf(ref), rowOf(ref));
        else pairs.push(slotOf(ref), rowOf(ref), slot, i);
      }
    }
  }

  /** The candidate pairs that pass the condition, as joined rows (marking their left rows matched). */
  private joined(): RecordBatch | null {
    const pairs = this.pairs;
    if (pairs.count > 0 && this.condition) pairs.keep(this.condition.select([this.sides[0].rows, this.sides[1].rows], pairs));
    const m = pairs.count;
    if (m === 0) return null;
    if (this.spec.type === 'left') {
      const matched = this.sides[0].matched;
      for (let k = 0; k < m; k++) matched[pairs.slots[0][k]!]![pairs.rows[0][k]!] = 1;
    }
    const children = [
      ...this.sides[0].rows.gather(pairs.slots[0], pairs.rows[0], m),
      ...this.sides[1].rows.gather(pairs.slots[1], pairs.rows[1], m),
    ];
    return this.batch(children, m);
  }

  /** Left rows `rows` of a chunk, padded with NULLs on the right. */
  private padded(slot: number, rows: Int32Array): RecordBatch {
    return this.paddedFrom(new Int32Array(rows.length).fill(slot), rows);
  }

  private paddedFrom(slots: Int32Array, rows: Int32Array): RecordBatch {
    const m = rows.length;
    const children = [...this.sides[0].rows.gather(slots, rows, m), ...this.spec.inputs[1].map((c) => nullData(c, m))];
    return this.batch(children, m);
  }

  private batch(children: Data[], m: number): RecordBatch {
    return new RecordBatch(this.schema, makeData({ type: this.struct, length: m, nullCount: 0, children }));
  }

  advance(watermark: number): RecordBatch[] {
    if (watermark <= this.watermark) return [];
    const first = this.watermark === -Infinity;
    this.watermark = watermark;
    const b = this.spec.bound;
    if (first && b.kind === 'regular' && b.ttl !== null) {
      for (const side of this.sides) {
        for (const u of side.unstamped) side.expiry.add(u.slot, u.rows, u.deadlines.fill(watermark + b.ttl));
        side.unstamped.length = 0;
      }
    }
    const out: RecordBatch[] = [];
    this.sides.forEach((side, s) => {
      const expired: number[] = [];
      side.expiry.expire(watermark, (slot, row) => expired.push(refOf(slot, row)));
      if (expired.length === 0) return;
      if (s === 0 && this.spec.type === 'left') {
        const unmatched = expired.filter((ref) => side.matched[slotOf(ref)]![rowOf(ref)] === 0);
        if (unmatched.length > 0) {
          out.push(this.paddedFrom(Int32Array.from(unmatched, slotOf), Int32Array.from(unmatched, rowOf)));
        }
      }
      const touched = new Set<Key>();
      for (const ref of expired) {
        const slot = slotOf(ref);
        const row = rowOf(ref);
        side.alive[slot]![row] = 0;
        touched.add(side.keys[slot]![row]!);
      }
      side.prune(touched);
      for (const ref of expired) {
        const slot = slotOf(ref);
        if (side.rows.release(slot)) side.forget(slot);
      }
    });
    return out;
  }

  flush(): RecordBatch[] {
    return [];
  }
}

/** Rows not marked alive: those that can match nothing. */
function unmatchable(n: number, alive: Uint8Array): Int32Array {
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (alive[i] === 0) rows.push(i);
  return Int32Array.from(rows);
}
