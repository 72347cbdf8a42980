import { makeData, RecordBatch, Struct, type Data } from 'apache-arrow';
import { Decimal } from '../types/decimal.js';
import { Interval } from '../types/interval.js';
import { DEFAULT_FORMAT_SETTINGS, formatText, parseText } from '../types/text-format.js';
import { arrowSchema, arrowType, type ColumnSchema } from './arrow-types.js';

/**
 * Rows in and out of Arrow batches, at the edges of the engine: the rows of an INSERT
 * ... VALUES going into a stream, and the rows of a query result going to the client.
 * Both loop over typed arrays directly; operators never call these.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function validity(rows: readonly unknown[][], c: number): { bitmap: Uint8Array; nulls: number } {
  const bitmap = new Uint8Array((rows.length + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]![c] === null || rows[i]![c] === undefined) nulls++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { bitmap, nulls };
}

/** Text form of a value stored in a Utf8 column (numeric, interval and json types). */
function asText(column: ColumnSchema, v: unknown): string {
  return typeof v === 'string' ? v : formatText(column.type, v, DEFAULT_FORMAT_SETTINGS);
}

function columnData(column: ColumnSchema, rows: readonly unknown[][], c: number): Data {
  const type = arrowType(column.type);
  const { bitmap, nulls } = validity(rows, c);
  const length = rows.length;
  const base = { type, length, nullCount: nulls, nullBitmap: nulls > 0 ? bitmap : undefined };
  const value = (i: number) => rows[i]![c];
  switch (column.type.kind) {
    case 'bool': {
      const data = new Uint8Array((length + 7) >> 3);
      for (let i = 0; i < length; i++) if (value(i) === true) data[i >> 3]! |= 1 << (i & 7);
      return makeData({ ...base, data } as never);
    }
    case 'int2': case 'int4': case 'oid': case 'date': case 'float4': case 'float8': {
      const kind = column.type.kind;
      const data = kind === 'int2' ? new Int16Array(length) : kind === 'float4' ? new Float32Array(length)
        : kind === 'float8' ? new Float64Array(length) : new Int32Array(length);
      for (let i = 0; i < length; i++) data[i] = (value(i) as number | null) ?? 0;
      return makeData({ ...base, data } as never);
    }
    case 'int8': case 'timestamp': case 'timestamptz': case 'time': {
      const data = new BigInt64Array(length);
      for (let i = 0; i < length; i++) {
        const v = value(i);
        data[i] = v === null || v === undefined ? 0n : typeof v === 'bigint' ? v : BigInt(Math.round(v as number));
      }
      return makeData({ ...base, data } as never);
    }
    case 'bytea': {
      const offsets = new Int32Array(length + 1);
      const parts = rows.map((r) => (r[c] as Uint8Array | null) ?? new Uint8Array(0));
      for (let i = 0; i < length; i++) offsets[i + 1] = offsets[i]! + parts[i]!.length;
      const data = new Uint8Array(offsets[length]!);
      parts.forEach((p, i) => data.set(p, offsets[i]!));
      return makeData({ ...base, valueOffsets: offsets, data } as never);
    }
    default: {
      const parts = rows.map((r) => (r[c] === null || r[c] === undefined ? new Uint8Array(0) : encoder.encode(asText(column, r[c]))));
      const offsets = new Int32Array(length + 1);
      for (let i = 0; i < length; i++) offsets[i + 1] = offsets[i]! + parts[i]!.length;
      const data = new Uint8Array(offsets[length]!);
      parts.forEach((p, i) => data.set(p, offsets[i]!));
      return makeData({ ...base, valueOffsets: offsets, data } as never);
    }
  }
}

/** A record batch of rows whose values are in their in-memory forms (sql-type.ts). */
export function batchFromRows(columns: readonly ColumnSchema[], rows: readonly unknown[][]): RecordBatch {
  const schema = arrowSchema(columns);
  const children = columns.map((column, c) => columnData(column, rows, c));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, children }));
}

function isValid(data: Data, i: number): boolean {
  const bitmap = data.nullBitmap;
  return data.nullCount === 0 || !bitmap || bitmap.length === 0 || (bitmap[(data.offset + i) >> 3]! & (1 << ((data.offset + i) & 7))) !== 0;
}

/** The rows of a batch, values in their in-memory forms. */
export function rowsFromBatch(columns: readonly ColumnSchema[], batch: RecordBatch): unknown[][] {
  const rows: unknown[][] = Array.from({ length: batch.numRows }, () => new Array(columns.length));
  columns.forEach((column, c) => {
    const data = batch.getChildAt(c)!.data[0]! as Data;
    const kind = column.type.kind;
    const values = data.values as ArrayLike<unknown>;
    for (let i = 0; i < batch.numRows; i++) {
      const row = rows[i]!;
      if (!isValid(data, i)) { row[c] = null; continue; }
      // A sliced Data has its value and offset arrays sliced already; bit-packed buffers
      // (validity, booleans) keep the slice's offset.
      switch (kind) {
        case 'bool': {
          const bit = data.offset + i;
          row[c] = ((values as Uint8Array)[bit >> 3]! & (1 << (bit & 7))) !== 0;
          break;
        }
        case 'int2': case 'int4': case 'oid': case 'date': case 'float4': case 'float8': case 'int8': row[c] = values[i]; break;
        case 'timestamp': case 'timestamptz': case 'time': row[c] = Number(values[i] as bigint); break;
        default: {
          const offsets = data.valueOffsets as Int32Array;
          const bytes = (values as Uint8Array).subarray(offsets[i]!, offsets[i + 1]!);
          if (kind === 'bytea') { row[c] = Uint8Array.from(bytes); break; }
          const text = decoder.decode(bytes);
          row[c] = kind === 'numeric' ? Decimal.parse(text) : kind === 'interval' ? Interval.parse(text)
            : kind === 'jsonb' || kind === 'json' || kind === 'text' || kind === 'varchar' || kind === 'bpchar' || kind === 'name' || kind === 'unknown'
              ? text : parseText(column.type, text, DEFAULT_FORMAT_SETTINGS);
        }
      }
    }
  });
  return rows;
}
