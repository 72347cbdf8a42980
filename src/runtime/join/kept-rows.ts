/**
 * Rows a stateful operator keeps from its input batches, and output batches gathered
 * from them. A kept batch is a chunk in a slot: its columns as kernel Vecs (no copy: the
 * batch must not change afterwards, as Arrow batches never do), and a count of its rows
 * still in use. A row is named by a ref, its slot and row in one number; a slot is
 * freed, and reused, once none of its rows is in use.
 */
import type { Data, RecordBatch } from 'apache-arrow';
import type { ColumnSchema } from '../arrow-types.js';
import {
  allocFixed, allValidBitmap, bitmapBytes, dataFromCol, FRESH, gatherVec, isVariable, physOf, type Phys, Vec, vecFromData,
} from '../expressions/columns.js';

/** Rows per chunk at most: a ref keeps the row in its low 20 bits. */
export const MAX_CHUNK_ROWS = 1 << 20;
const ROW_MASK = MAX_CHUNK_ROWS - 1;

export function refOf(slot: number, row: number): number {
  return slot * MAX_CHUNK_ROWS + row;
}

export function slotOf(ref: number): number {
  return (ref / MAX_CHUNK_ROWS) | 0;
}

/** The row of a ref (ToInt32 keeps the low 32 bits of the integer, so the mask works). */
export function rowOf(ref: number): number {
  return ref & ROW_MASK;
}

export class KeptRows {
  /** Per slot, the chunk's columns; null when the slot is free. */
  private readonly chunks: (Vec[] | null)[] = [];
  private readonly used: number[] = [];
  private readonly sizes: number[] = [];
  private readonly free: number[] = [];
  private readonly phys: Phys[];
  /** Rows of all chunks, and rows in use. */
  rows = 0;
  usedRows = 0;

  constructor(readonly columns: readonly ColumnSchema[]) {
    this.phys = columns.map((c) => physOf(c.type));
  }

  /** Keeps a batch (of at most MAX_CHUNK_ROWS rows) as a chunk with no row in use yet; returns its slot. */
  keep(batch: RecordBatch): number {
    if (batch.numRows > MAX_CHUNK_ROWS) throw new Error(`a kept batch has at most ${MAX_CHUNK_ROWS} rows`);
    return this.place(batch.data.children.map((d, c) => vecFromData(d as Data, this.columns[c]!.type)), batch.numRows);
  }

  /** Keeps a copy of rows (slots[k], rows[k]) for k < m as a new chunk with no row in use yet; returns its slot. */
  keepCopy(slots: Int32Array, rows: Int32Array, m: number): number {
    const data = this.gather(slots, rows, m);
    return this.place(data.map((d, c) => vecFromData(d, this.columns[c]!.type)), m);
  }

  private place(vecs: Vec[], n: number): number {
    const slot = this.free.pop() ?? this.chunks.length;
    this.chunks[slot] = vecs;
    this.used[slot] = 0;
    this.sizes[slot] = n;
    this.rows += n;
    return slot;
  }

  /** n more rows of the chunk are in use. */
  hold(slot: number, n: number): void {
    this.used[slot]! += n;
    this.usedRows += n;
  }

  /** A row of the chunk is no longer in use; the chunk goes once none is (returns whether it went). */
  release(slot: number): boolean {
    this.usedRows--;
    if (--this.used[slot]! > 0) return false;
    this.chunks[slot] = null;
    this.rows -= this.sizes[slot]!;
    this.free.push(slot);
    return true;
  }

  /** Drops a chunk (its rows in use were copied elsewhere, or there are none). */
  drop(slot: number): void {
    this.usedRows -= this.used[slot]!;
    this.chunks[slot] = null;
    this.rows -= this.sizes[slot]!;
    this.free.push(slot);
  }

  /** Rows of a chunk. */
  sizeOf(slot: number): number {
    return this.sizes[slot]!;
  }

  column(slot: number, c: number): Vec {
    return this.chunks[slot]![c]!;
  }

  /** Column c of rows (slots[k], rows[k]) for k < m, in that order. */
  gatherColumn(c: number, slots: Int32Array, rows: Int32Array, m: number): Data {
    const type = this.columns[c]!.type;
    if (m > 0 && sameSlot(slots, m)) return dataFromCol(gatherVec(this.column(slots[0]!, c), type, rows, m), type, m);
    const p = this.phys[c]!;
    const chunks = this.chunks;
    let validity: Uint8Array | null = null;
    for (let k = 0; k < m; k++) {
      const v = chunks[slots[k]!]![c]!.validity;
      if (v !== null) {
        const i = rows[k]!;
        if (((v[i >> 3]! >> (i & 7)) & 1) === 0) {
          validity ??= allValidBitmap(m);
          validity[k >> 3]! &= ~(1 << (k & 7));
        }
      }
    }
    if (isVariable(p)) {
      const offsets = new Int32Array(m + 1);
      let total = 0;
      for (let k = 0; k < m; k++) {
        const o = chunks[slots[k]!]![c]!.offsets!;
        const i = rows[k]!;
        total += o[i + 1]! - o[i]!;
        offsets[k + 1] = total;
      }
      const bytes = new Uint8Array(total);
      for (let k = 0; k < m; k++) {
        const v = chunks[slots[k]!]![c]!;
        const o = v.offsets!;
        const i = rows[k]!;
        bytes.set((v.values as Uint8Array).subarray(o[i]!, o[i + 1]!), offsets[k]!);
      }
      return dataFromCol(new Vec(m, bytes, validity, offsets), type, m);
    }
    const out = FRESH.fixed(p, m) as unknown as (number | bigint)[];
    for (let k = 0; k < m; k++) out[k] = (chunks[slots[k]!]![c]!.values as unknown as (number | bigint)[])[rows[k]!]!;
    return dataFromCol(new Vec(m, out as never, validity), type, m);
  }

  /** Every column of rows (slots[k], rows[k]) for k < m. */
  gather(slots: Int32Array, rows: Int32Array, m: number): Data[] {
    return this.columns.map((_, c) => this.gatherColumn(c, slots, rows, m));
  }
}

function sameSlot(slots: Int32Array, m: number): boolean {
  const s = slots[0]!;
  for (let k = 1; k < m; k++) if (slots[k] !== s) return false;
  return true;
}

/** A column of m NULLs. */
export function nullData(column: ColumnSchema, m: number): Data {
  const p = physOf(column.type);
  const validity = new Uint8Array(bitmapBytes(m));
  const vec = isVariable(p) ? new Vec(m, new Uint8Array(0), validity, new Int32Array(m + 1))
    : new Vec(m, allocFixed(p, m), validity);
  return dataFromCol(vec, column.type, m);
}
