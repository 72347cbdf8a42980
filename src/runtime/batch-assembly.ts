/**
 * One batch assembled in a SharedArrayBuffer from parts that several threads write at
 * the same time. The parts' shapes (rows, NULLs, text bytes) are summed into the whole
 * batch's layout first, so each part knows where its rows and bytes go and is written
 * there by the thread that holds it, without waiting for the others: the copying is
 * spread over the threads instead of done by one.
 */
import type { DataType, RecordBatch, Schema } from 'apache-arrow';
import { type BatchLayout, batchLayout, type BatchShape, valueLayout } from './batch-transfer.js';
import { orBitsShared } from './bitmaps.js';

/** Where a part goes: its first row, and per column the first byte of its text (0 for other types). */
export interface PartPlace {
  row: number;
  varAt: number[];
}

/** The layout of the batch made of parts of these shapes, in order, and where each part goes. */
export function assembly(schema: Schema, parts: readonly BatchShape[]): { layout: BatchLayout; places: PartPlace[] } {
  const columns = schema.fields.length;
  const total: BatchShape = { rows: 0, nullCounts: new Array<number>(columns).fill(0), varBytes: new Array<number>(columns).fill(0) };
  const places = parts.map((p) => {
    const place = { row: total.rows, varAt: [...total.varBytes] };
    total.rows += p.rows;
    for (let c = 0; c < columns; c++) {
      total.nullCounts[c]! += p.nullCounts[c]!;
      total.varBytes[c]! += p.varBytes[c]!;
    }
    return place;
  });
  return { layout: batchLayout(schema, total), places };
}

/**
 * Readies `target` (a used buffer) for the parts of `layout`: zeroes what no part writes
 * alone, the bitmaps (validity, booleans: parts OR their bits in) and the first offset
 * of text columns.
 */
export function clearTarget(target: SharedArrayBuffer, schema: Schema, layout: BatchLayout): void {
  const bytes = new Uint8Array(target);
  const bitmapBytes = (layout.rows + 7) >> 3;
  layout.columns.forEach((col, c) => {
    if (col.validity >= 0) bytes.fill(0, col.validity, col.validity + bitmapBytes);
    switch (valueLayout(schema.fields[c]!.type as DataType)) {
      case 'bits': bytes.fill(0, col.values, col.values + bitmapBytes); break;
      case 'var': bytes.fill(0, col.offsets, col.offsets + 4); break;
      case 'fixed': break;
    }
  });
}

/** Writes a part into `target` at `place`, after clearTarget. */
export function placePart(part: RecordBatch, target: SharedArrayBuffer, layout: BatchLayout, place: PartPlace): void {
  const bytes = new Uint8Array(target);
  const row = place.row;
  part.data.children.forEach((data, c) => {
    const col = layout.columns[c]!;
    const n = data.length;
    if (col.validity >= 0) orBitsShared(bytes, col.validity * 8 + row, data.nullCount > 0 ? data.nullBitmap! : null, data.offset, n);
    switch (valueLayout(data.type as DataType)) {
      case 'bits':
        orBitsShared(bytes, col.values * 8 + row, data.values as Uint8Array, data.offset, n);
        break;
      case 'var': {
        const from = data.valueOffsets as Int32Array;
        const to = new Int32Array(target, col.offsets, layout.rows + 1);
        const shift = place.varAt[c]! - from[0]!;
        for (let i = 1; i <= n; i++) to[row + i] = from[i]! + shift;
        bytes.set((data.values as Uint8Array).subarray(from[0]!, from[n]!), col.values + place.varAt[c]!);
        break;
      }
      case 'fixed': {
        const v = data.values as ArrayBufferView & { BYTES_PER_ELEMENT: number };
        bytes.set(new Uint8Array(v.buffer, v.byteOffset, n * v.BYTES_PER_ELEMENT), col.values + row * v.BYTES_PER_ELEMENT);
        break;
      }
    }
  });
}
