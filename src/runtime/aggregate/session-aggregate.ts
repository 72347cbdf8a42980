import type { RecordBatch } from 'apache-arrow';
import type { StatefulOperator } from '../stateful/stateful-operator.js';
import type { AggregateSpec } from './aggregate-spec.js';
import { columnData, fixedData } from './arrow-access.js';
import { arrowType } from '../arrow-types.js';
import { grown } from './accumulators/accumulator.js';
import { GroupStore } from './group-store.js';
import { KeyTable } from './key-table.js';
import { outputRows } from './output-rows.js';
import type { PartialLayout } from './partial-layout.js';

/**
 * The final step of a session aggregate. A session of a key spans [first event time,
 * last event time + gap); a partial row (itself a run of rows within the gap) joins the
 * sessions of its key it overlaps, merging them when it bridges several. A session is
 * written once the watermark reaches its end, then dropped.
 */
export class SessionAggregate implements StatefulOperator {
  private readonly keys: KeyTable;
  private readonly store: GroupStore;
  private readonly keyColumns: number[];
  private readonly gap: number;
  /** The open sessions (groups) of each key id. */
  private sessionsOf: (number[] | undefined)[] = [];
  private keyOf = new Int32Array(16);
  private first = new Float64Array(16);
  private last = new Float64Array(16);
  /** While a batch is merged: the session a merged-away session went into (-1: none). */
  private mergedInto = new Int32Array(16);
  private keyIds = new Int32Array(0);
  private groupOf = new Int32Array(0);

  constructor(private readonly spec: AggregateSpec, private readonly layout: PartialLayout) {
    if (spec.window?.kind !== 'session') throw new Error('not a session aggregate');
    this.gap = spec.window.gap;
    this.keys = new KeyTable(spec.keys.map((k) => spec.input[k]!));
    this.store = new GroupStore(layout.factories);
    this.keyColumns = spec.keys.map((_, i) => i);
  }

  private open(k: number, first: number, last: number): number {
    const g = this.store.allocate();
    this.keyOf = grown(this.keyOf, g + 1);
    this.first = grown(this.first, g + 1);
    this.last = grown(this.last, g + 1);
    this.mergedInto = grown(this.mergedInto, g + 1);
    this.keyOf[g] = k;
    this.first[g] = first;
    this.last[g] = last;
    this.mergedInto[g] = -1;
    (this.sessionsOf[k] ??= []).push(g);
    return g;
  }

  process(_input: number, batch: RecordBatch): RecordBatch[] {
    const n = batch.numRows;
    if (this.keyIds.length < n) {
      this.keyIds = new Int32Array(n);
      this.groupOf = new Int32Array(n);
    }
    const { keyIds, groupOf, gap } = this;
    this.keys.intern(batch, this.keyColumns, n, keyIds);
    const firsts = columnData(batch, this.layout.timeColumn).values as Float64Array;
    const lasts = columnData(batch, this.layout.timeColumn + 1).values as Float64Array;
    const merged: number[] = [];
    const accumulators = this.store.accumulators;
    for (let i = 0; i < n; i++) {
      const k = keyIds[i]!;
      const f = firsts[i]!;
      const l = lasts[i]!;
      const sessions = this.sessionsOf[k] ?? [];
      let target = -1;
      for (let s = 0; s < sessions.length; s++) {
        const g = sessions[s]!;
        if (!(f < this.last[g]! + gap && this.first[g]! < l + gap)) continue;
        if (target < 0) {
          target = g;
          continue;
        }
        // The row bridges two sessions: the second goes into the first.
        const one = Int32Array.of(g);
        const into = Int32Array.of(target);
        for (const a of accumulators) a.mergeGroups(a, one, into, 1);
        this.first[target] = Math.min(this.first[target]!, this.first[g]!);
        this.last[target] = Math.max(this.last[target]!, this.last[g]!);
        this.mergedInto[g] = target;
        merged.push(g);
        sessions.splice(s--, 1);
      }
      if (target < 0) {
        target = this.open(k, f, l);
      } else {
        this.first[target] = Math.min(this.first[target]!, f);
        this.last[target] = Math.max(this.last[target]!, l);
      }
      groupOf[i] = target;
    }
    // Rows of sessions merged away later in the batch go to the session they went into.
    for (let i = 0; i < n; i++) {
      let g = groupOf[i]!;
      while (this.mergedInto[g]! >= 0) g = this.mergedInto[g]!;
      groupOf[i] = g;
    }
    accumulators.forEach((a, j) => a.mergeRows(batch, this.layout.stateAt[j]!, groupOf, n));
    for (const g of merged) {
      this.mergedInto[g] = -1;
      this.store.release(g);
    }
    return [];
  }

  advance(watermark: number): RecordBatch[] {
    const done: number[] = [];
    const closedKeys: number[] = [];
    for (let k = 0; k < this.sessionsOf.length; k++) {
      const sessions = this.sessionsOf[k];
      if (sessions === undefined) continue;
      const open = sessions.filter((g) => {
        if (this.last[g]! + this.gap > watermark) return true;
        done.push(g);
        return false;
      });
      if (open.length === 0) {
        this.sessionsOf[k] = undefined;
        closedKeys.push(k);
      } else {
        this.sessionsOf[k] = open;
      }
    }
    if (done.length === 0) return [];
    done.sort((a, b) => this.first[a]! - this.first[b]!);
    const n = done.length;
    const groups = Int32Array.from(done);
    const keyIds = new Int32Array(n);
    const starts = new BigInt64Array(n);
    const ends = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      keyIds[i] = this.keyOf[g]!;
      starts[i] = BigInt(this.first[g]!);
      ends[i] = BigInt(this.last[g]! + this.gap);
    }
    const k = this.spec.keys.length;
    const windowColumns = [fixedData(arrowType(this.spec.output[k]!.type), starts, n), fixedData(arrowType(this.spec.output[k + 1]!.type), ends, n)];
    const rows = outputRows(this.spec, this.keys, keyIds, windowColumns, this.store, groups, n);
    for (const g of done) this.store.release(g);
    for (const k of closedKeys) this.keys.remove(k);
    return [rows];
  }

  flush(): RecordBatch[] {
    return [];
  }

  /** Open sessions. */
  stateSize(): number {
    return this.store.size;
  }
}
