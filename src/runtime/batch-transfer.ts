/**
 * A batch's column buffers packed into one flat buffer, and read back as a batch of views
 * onto it. This is how batches cross threads: packed into a SharedArrayBuffer that
 * several threads read, or assembled there by several threads (batch-assembly.ts).
 * Packing copies each column buffer once (no per-row work but rebasing a sliced text
 * column's offsets); reading copies nothing, and can read any run of rows that starts at
 * a multiple of 8 (so bitmaps slice on a byte).
 *
 * Column types are those of arrow-types.ts: booleans, text and bytea, and fixed-width
 * types of one typed-array element per row.
 */
import { type Data, DataType, makeData, RecordBatch, type Schema, Struct } from 'apache-arrow';
import { copyBits } from './bitmaps.js';

/** How a column's values are stored: bit-packed (booleans), offsets + bytes (text, bytea), or fixed width. */
export type ValueLayout = 'bits' | 'var' | 'fixed';

export function valueLayout(type: DataType): ValueLayout {
  if (DataType.isBool(type)) return 'bits';
  if (DataType.isUtf8(type) || DataType.isBinary(type)) return 'var';
  return 'fixed';
}

/** What sizes a packed batch: its rows, and per column its NULLs and its bytes of text (0 for other types). */
export interface BatchShape {
  rows: number;
  nullCounts: number[];
  varBytes: number[];
}

export function shapeOf(batch: RecordBatch): BatchShape {
  const children = batch.data.children;
  return {
    rows: batch.numRows,
    nullCounts: children.map((d) => d.nullCount),
    varBytes: children.map((d) => {
      if (valueLayout(d.type) !== 'var') return 0;
      const o = d.valueOffsets as Int32Array;
      return o[d.length]! - o[0]!;
    }),
  };
}

/** Where a column's buffers lie in the packed buffer: byte positions, -1 when absent. */
export interface ColumnLayout {
  validity: number;
  values: number;
  /** Bytes of `values` (for var columns, the bytes of every row). */
  valueBytes: number;
  offsets: number;
  nullCount: number;
}

export interface BatchLayout {
  rows: number;
  /** Bytes of the packed buffer. */
  bytes: number;
  columns: ColumnLayout[];
}

const align8 = (n: number): number => (n + 7) & ~7;

const elementBytes = (type: DataType): number => (type.ArrayType as Int32ArrayConstructor).BYTES_PER_ELEMENT;

/** Where each buffer of a batch of `schema` and `shape` goes when packed (8-byte aligned). */
export function batchLayout(schema: Schema, shape: BatchShape): BatchLayout {
  const rows = shape.rows;
  const bitmapBytes = (rows + 7) >> 3;
  let at = 0;
  const take = (bytes: number): number => {
    const p = at;
    at += align8(bytes);
    return p;
  };
  const columns = schema.fields.map((field, c): ColumnLayout => {
    const type = field.type as DataType;
    const nullCount = shape.nullCounts[c]!;
    const validity = nullCount > 0 ? take(bitmapBytes) : -1;
    switch (valueLayout(type)) {
      case 'bits':
        return { validity, values: take(bitmapBytes), valueBytes: bitmapBytes, offsets: -1, nullCount };
      case 'var': {
        const valueBytes = shape.varBytes[c]!;
        return { validity, offsets: take((rows + 1) * 4), values: take(valueBytes), valueBytes, nullCount };
      }
      case 'fixed': {
        const valueBytes = rows * elementBytes(type);
        return { validity, values: take(valueBytes), valueBytes, offsets: -1, nullCount };
      }
    }
  });
  return { rows, bytes: at, columns };
}

/** Copies the buffers of `batch` into `buffer` from byte `at` (a multiple of 8) on, where `layout` says. */
export function packBatch(batch: RecordBatch, layout: BatchLayout, buffer: ArrayBufferLike, at = 0): void {
  const rows = layout.rows;
  const bytes = new Uint8Array(buffer, at, layout.bytes);
  batch.data.children.forEach((data, c) => {
    const col = layout.columns[c]!;
    if (col.validity >= 0) copyBits(bytes, col.validity * 8, data.nullBitmap!, data.offset, rows);
    switch (valueLayout(data.type)) {
      case 'bits':
        copyBits(bytes, col.values * 8, data.values as Uint8Array, data.offset, rows);
        break;
      case 'var': {
        const from = data.valueOffsets as Int32Array;
        const to = new Int32Array(buffer, at + col.offsets, rows + 1);
        const first = from[0]!;
        if (first === 0) {
          to.set(from.subarray(0, rows + 1));
        } else {
          for (let i = 0; i <= rows; i++) to[i] = from[i]! - first;
        }
        bytes.set((data.values as Uint8Array).subarray(first, first + col.valueBytes), col.values);
        break;
      }
      case 'fixed': {
        const v = data.values as Uint8Array;
        bytes.set(new Uint8Array(v.buffer, v.byteOffset, col.valueBytes), col.values);
        break;
      }
    }
  });
}

/**
 * Rows from .. to of the batch packed at byte `at` of `buffer`, as a batch whose buffers
 * are views onto `buffer`. `from` must be a multiple of 8.
 */
export function readPackedBatch(schema: Schema, buffer: ArrayBufferLike, at: number, layout: BatchLayout, from = 0, to = layout.rows): RecordBatch {
  if ((from & 7) !== 0) throw new Error(`a packed batch is read from a multiple of 8 rows, not ${from}`);
  const rows = to - from;
  const whole = from === 0 && to === layout.rows;
  const bits = (pos: number): Uint8Array => new Uint8Array(buffer, at + pos + (from >> 3), (rows + 7) >> 3);
  const children = schema.fields.map((field, c) => {
    const col = layout.columns[c]!;
    const type = field.type as DataType;
    const validity = col.validity >= 0 ? bits(col.validity) : undefined;
    // The null count of a part of a column is counted by Arrow when asked for (-1).
    const nullCount = col.nullCount === 0 ? 0 : whole ? col.nullCount : -1;
    switch (valueLayout(type)) {
      case 'bits':
        return makeData({ type, length: rows, nullCount, nullBitmap: validity, data: bits(col.values) } as never) as Data;
      case 'var':
        return makeData({
          type, length: rows, nullCount, nullBitmap: validity,
          valueOffsets: new Int32Array(buffer, at + col.offsets + from * 4, rows + 1),
          data: new Uint8Array(buffer, at + col.values, col.valueBytes),
        } as never) as Data;
      case 'fixed': {
        const ArrayType = type.ArrayType as Int32ArrayConstructor;
        const values = new ArrayType(buffer, at + col.values + from * ArrayType.BYTES_PER_ELEMENT, rows);
        return makeData({ type, length: rows, nullCount, nullBitmap: validity, data: values } as never) as Data;
      }
    }
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children }));
}

/** A batch of `schema` without rows. */
export function emptyBatch(schema: Schema): RecordBatch {
  const layout = batchLayout(schema, { rows: 0, nullCounts: schema.fields.map(() => 0), varBytes: schema.fields.map(() => 0) });
  return readPackedBatch(schema, new ArrayBuffer(layout.bytes), 0, layout);
}
