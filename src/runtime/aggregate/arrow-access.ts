/**
 * Reading and writing Arrow column buffers as typed arrays, for the aggregate's loops.
 * Int64 columns (bigint, timestamps) are read through an Int32Array view of their words:
 * reading a BigInt64Array element allocates a bigint, two int32 words do not.
 */
import { type Data, makeData, RecordBatch, Struct, type DataType } from 'apache-arrow';
import { arrowSchema, arrowType, type ColumnSchema } from '../arrow-types.js';
import { int64Words as wordsOf } from '../int64-words.js';

export { wordsOf };
export { int64At, setInt64 } from '../int64-words.js';

/** Integers of magnitude below 2^52 are exact in a double, and so is the sum of two of them. */
export const EXACT_LIMIT = 4503599627370496;

/** The column's Data (a batch's column is one Data). */
export function columnData(batch: RecordBatch, column: number): Data {
  return batch.data.children[column]!;
}

/** The validity bitmap and the bit of row 0 in it, or null when the column has no NULL. */
export function validityOf(data: Data): Uint8Array | null {
  return data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0 ? null : data.nullBitmap;
}

export function bitSet(bits: Uint8Array, bit: number): boolean {
  return (bits[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

/** Rows of a boolean column that are TRUE (not NULL, not false), as 0/1 per row: a FILTER (WHERE ...) column. */
export function trueRows(data: Data, n: number): Uint8Array {
  const out = new Uint8Array(n);
  const values = data.values as Uint8Array;
  const valid = validityOf(data);
  const off = data.offset;
  for (let i = 0; i < n; i++) {
    const b = off + i;
    out[i] = bitSet(values, b) && (valid === null || bitSet(valid, b)) ? 1 : 0;
  }
  return out;
}

/** The 32-bit words of an Int64 column (low word first; little-endian). */
export function int64Words(data: Data): Int32Array {
  return wordsOf(data.values as BigInt64Array);
}

/** Whether row i of an Int64 column is exact as a number below 2^52 in magnitude. */
export function int64IsSmall(words: Int32Array, i: number): boolean {
  const hi = words[2 * i + 1]!;
  return hi >= -1048576 && hi < 1048576;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Row i of a text column as a string. */
export function textAt(data: Data, i: number): string {
  const offsets = data.valueOffsets as Int32Array;
  return decoder.decode((data.values as Uint8Array).subarray(offsets[i]!, offsets[i + 1]!));
}

/**
 * A string that is the same for equal byte strings and different for different ones
 * (the UTF-8 text itself; short ASCII strings are built without the decoder).
 */
export function bytesKey(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 24) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c >= 128) return decoder.decode(bytes.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decoder.decode(bytes.subarray(start, end));
}

/** Packs 0/1 flags into a validity bitmap; undefined when every row is valid. */
export function packValidity(valid: Uint8Array, n: number): { bitmap: Uint8Array | undefined; nullCount: number } {
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    if (valid[i]) bitmap[i >> 3]! |= 1 << (i & 7);
    else nullCount++;
  }
  return nullCount === 0 ? { bitmap: undefined, nullCount } : { bitmap, nullCount };
}

/** A fixed-width column of `type` over `values` (one element per row), NULL where valid[i] is 0. */
export function fixedData(type: DataType, values: ArrayBufferView, n: number, valid: Uint8Array | null = null): Data {
  const { bitmap, nullCount } = valid === null ? { bitmap: undefined, nullCount: 0 } : packValidity(valid, n);
  return makeData({ type, length: n, nullCount, nullBitmap: bitmap, data: values } as never) as Data;
}

/** A boolean column from 0/1 flags. */
export function boolData(type: DataType, flags: Uint8Array, n: number, valid: Uint8Array | null = null): Data {
  const bits = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (flags[i]) bits[i >> 3]! |= 1 << (i & 7);
  return fixedData(type, bits, n, valid);
}

/** A text (or bytea) column from byte strings; null entries are NULL. */
export function bytesData(type: DataType, parts: readonly (Uint8Array | null)[], n: number): Data {
  const offsets = new Int32Array(n + 1);
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = parts[i];
    valid[i] = p === null || p === undefined ? 0 : 1;
    offsets[i + 1] = offsets[i]! + (p ? p.length : 0);
  }
  const bytes = new Uint8Array(offsets[n]!);
  for (let i = 0; i < n; i++) {
    const p = parts[i];
    if (p) bytes.set(p, offsets[i]!);
  }
  const { bitmap, nullCount } = packValidity(valid, n);
  return makeData({ type, length: n, nullCount, nullBitmap: bitmap, valueOffsets: offsets, data: bytes } as never) as Data;
}

/** A text column from strings; null entries are NULL. */
export function stringData(type: DataType, values: readonly (string | null)[], n: number): Data {
  const parts: (Uint8Array | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    parts[i] = v === null || v === undefined ? null : encoder.encode(v);
  }
  return bytesData(type, parts, n);
}

/** A column of `column`'s type where every row holds the same integral number (an Int64 layout type). */
export function constantInt64Data(column: ColumnSchema, v: number, n: number): Data {
  const values = new BigInt64Array(n);
  if (n > 0) values.fill(BigInt(v));
  return fixedData(arrowType(column.type), values, n);
}

/** A record batch of `columns` from its column Data. */
export function makeBatch(columns: readonly ColumnSchema[], children: Data[], n: number): RecordBatch {
  const schema = arrowSchema(columns);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
}

/**
 * Which input rows an aggregate call takes: its argument is not NULL and its FILTER
 * column is TRUE, as 0/1 per row; null when every row counts.
 */
export function countedRows(batch: RecordBatch, arg: number | null, filter: number | null, n: number): Uint8Array | null {
  const argData = arg === null ? null : columnData(batch, arg);
  const valid = argData === null ? null : validityOf(argData);
  if (filter === null && valid === null) return null;
  const out = filter === null ? new Uint8Array(n).fill(1) : trueRows(columnData(batch, filter), n);
  if (valid !== null) {
    const off = argData!.offset;
    for (let i = 0; i < n; i++) if (!bitSet(valid, off + i)) out[i] = 0;
  }
  return out;
}
