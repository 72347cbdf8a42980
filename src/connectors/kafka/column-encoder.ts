import type { Data, RecordBatch } from 'apache-arrow';
import type { ColumnSchema } from '../../runtime/arrow-types.js';
import { formatTimestamp } from '../../types/datetime.js';
import { formatFloat4 } from '../../types/float-format.js';
import { DEFAULT_FORMAT_SETTINGS, formatText } from '../../types/text-format.js';
import type { TypeKind } from '../../types/sql-type.js';
import type { ByteWriter } from './byte-writer.js';

/**
 * How a value is written: as a JSON value, as a CSV field, or as plain text (a message
 * key). Numbers are numbers (an int8 beyond 2^53 is a JSON string, so no reader loses
 * digits), timestamps ISO-8601 (`2024-01-02T03:04:05.5`, with `Z` for timestamptz),
 * numeric, interval and the rest their Postgres text forms.
 */
export type Encoding = 'json' | 'csv' | 'plain';

const encoder = new TextEncoder();

/** How a column's values are written, decided once per column rather than per value. */
const enum Form { Bool, Integer, Int64, Float, Timestamp, JsonText, Text, Formatted }

function formOf(kind: TypeKind): Form {
  switch (kind) {
    case 'bool': return Form.Bool;
    case 'int2': case 'int4': case 'oid': return Form.Integer;
    case 'int8': return Form.Int64;
    case 'float4': case 'float8': return Form.Float;
    case 'timestamp': case 'timestamptz': return Form.Timestamp;
    case 'numeric': case 'json': case 'jsonb': return Form.JsonText;
    case 'date': case 'time': case 'bytea': return Form.Formatted;
    default: return Form.Text;
  }
}

/** One column of one batch, read from its Arrow buffers and written row by row. */
export class ColumnEncoder {
  private data!: Data;
  private values!: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number };
  private words: Int32Array | null = null;
  private offsets: Int32Array | null = null;
  private validity: Uint8Array | null = null;
  private readonly kind: TypeKind;
  private readonly form: Form;
  private readonly json: boolean;

  constructor(readonly column: ColumnSchema, private readonly encoding: Encoding) {
    this.kind = column.type.kind;
    this.form = formOf(this.kind);
    this.json = encoding === 'json';
  }

  /** Points the encoder at column `index` of `batch`. */
  use(batch: RecordBatch, index: number): void {
    this.data = batch.getChildAt(index)!.data[0]! as Data;
    this.values = this.data.values as never;
    this.offsets = (this.data.valueOffsets as Int32Array | undefined) ?? null;
    const bitmap = this.data.nullBitmap;
    this.validity = this.data.nullCount > 0 && bitmap && bitmap.length > 0 ? bitmap : null;
    this.words = this.form === Form.Int64 || this.form === Form.Timestamp || this.kind === 'time'
      ? new Int32Array(this.values.buffer, this.values.byteOffset, this.data.length * 2) : null;
  }

  isNull(row: number): boolean {
    if (this.validity === null) return false;
    const bit = this.data.offset + row;
    return (this.validity[bit >> 3]! & (1 << (bit & 7))) === 0;
  }

  /** Writes the value of `row` (not null). */
  write(out: ByteWriter, row: number): void {
    switch (this.form) {
      case Form.Bool: {
        const bit = this.data.offset + row;
        const v = ((this.values as Uint8Array)[bit >> 3]! & (1 << (bit & 7))) !== 0;
        out.ascii(this.json ? (v ? 'true' : 'false') : (v ? 't' : 'f'));
        return;
      }
      case Form.Integer:
        writeInteger(out, this.values[row]!);
        return;
      case Form.Int64: {
        const high = this.words![row * 2 + 1]!;
        const low = this.words![row * 2]!;
        if (high === 0 && low >= 0) writeInteger(out, low); // most values: in 32-bit arithmetic
        else if (high >= -2097152 && high < 2097152) writeInteger(out, high * 4294967296 + (low >>> 0));
        else this.quoted(out, ((BigInt(high) << 32n) | BigInt(this.words![row * 2]! >>> 0)).toString());
        return;
      }
      case Form.Float: {
        const v = this.values[row]!;
        if (Number.isFinite(v)) out.ascii(this.kind === 'float4' ? formatFloat4(v) : String(v));
        else this.quoted(out, Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity');
        return;
      }
      case Form.Timestamp: {
        const us = this.words![row * 2 + 1]! * 4294967296 + (this.words![row * 2]! >>> 0);
        if (this.json) out.byte(34);
        writeIsoTimestamp(out, us, this.kind === 'timestamptz');
        if (this.json) out.byte(34);
        return;
      }
      case Form.JsonText: {
        const start = this.offsets![row]!;
        const end = this.offsets![row + 1]!;
        const bytes = this.values as Uint8Array;
        // A numeric is a JSON number unless it is NaN or ±Infinity; json is JSON already.
        if (this.json && (this.kind !== 'numeric' || (bytes[end - 1]! >= 48 && bytes[end - 1]! <= 57))) out.copy(bytes, start, end);
        else this.quotedBytes(out, bytes, start, end);
        return;
      }
      case Form.Text:
        this.quotedBytes(out, this.values as Uint8Array, this.offsets![row]!, this.offsets![row + 1]!);
        return;
      case Form.Formatted: {
        // date, time, bytea: their Postgres text forms.
        const v = this.kind === 'bytea'
          ? (this.values as Uint8Array).subarray(this.offsets![row]!, this.offsets![row + 1]!)
          : this.kind === 'time' ? this.words![row * 2 + 1]! * 4294967296 + (this.words![row * 2]! >>> 0) : this.values[row]!;
        this.quoted(out, formatText(this.column.type, v, DEFAULT_FORMAT_SETTINGS));
      }
    }
  }

  private quoted(out: ByteWriter, text: string): void {
    const bytes = encoder.encode(text);
    this.quotedBytes(out, bytes, 0, bytes.length);
  }

  /** Text as a JSON string, a CSV field (quoted when it must be) or as it is. */
  private quotedBytes(out: ByteWriter, bytes: Uint8Array, start: number, end: number): void {
    if (this.encoding === 'json') writeJsonString(out, bytes, start, end);
    else if (this.encoding === 'csv') writeCsvField(out, bytes, start, end);
    else out.copy(bytes, start, end);
  }
}

const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
const DIGITS = new Uint8Array(20);

/** A safe integer's decimal digits (in 32-bit arithmetic when it fits). */
export function writeInteger(out: ByteWriter, v: number): void {
  if (v < 0) { out.byte(45); v = -v; }
  if (v > 0x7fffffff) {
    let n = 0;
    do {
      const q = Math.floor(v / 10);
      DIGITS[n++] = 48 + v - q * 10;
      v = q;
    } while (v > 0);
    out.reserve(n);
    while (n > 0) out.bytes[out.length++] = DIGITS[--n]!;
    return;
  }
  let n = 1;
  while (n < 10 && v >= POWERS_OF_TEN[n]!) n++;
  out.reserve(n);
  const bytes = out.bytes;
  let at = out.length + n;
  out.length = at;
  do {
    const q = (v / 10) | 0;
    bytes[--at] = 48 + v - q * 10;
    v = q;
  } while (v > 0);
}

const HEX = '0123456789abcdef';

export function writeJsonString(out: ByteWriter, bytes: Uint8Array, start: number, end: number): void {
  out.reserve((end - start) * 6 + 2); // every byte escaped as \u00XX at worst
  const dst = out.bytes;
  let at = out.length;
  dst[at++] = 34;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b >= 32 && b !== 34 && b !== 92) { dst[at++] = b; continue; }
    dst[at++] = 92;
    if (b === 34 || b === 92) dst[at++] = b;
    else if (b === 10) dst[at++] = 110;
    else if (b === 13) dst[at++] = 114;
    else if (b === 9) dst[at++] = 116;
    else {
      dst[at++] = 117; dst[at++] = 48; dst[at++] = 48;
      dst[at++] = HEX.charCodeAt(b >> 4); dst[at++] = HEX.charCodeAt(b & 15);
    }
  }
  dst[at++] = 34;
  out.length = at;
}

/** A CSV field: quoted (quotes doubled) when empty or holding a comma, quote or line break. */
export function writeCsvField(out: ByteWriter, bytes: Uint8Array, start: number, end: number): void {
  let plain = end > start;
  for (let i = start; i < end && plain; i++) {
    const b = bytes[i]!;
    if (b === 44 || b === 34 || b === 10 || b === 13) plain = false;
  }
  if (plain) { out.copy(bytes, start, end); return; }
  out.byte(34);
  let from = start;
  for (let i = start; i < end; i++) {
    if (bytes[i] !== 34) continue;
    out.copy(bytes, from, i + 1);
    out.byte(34);
    from = i + 1;
  }
  out.copy(bytes, from, end);
  out.byte(34);
}

const DAY_US = 86_400_000_000;
/** The day of the last timestamp written (its first µs) and its `YYYY-MM-DD` (empty outside years 0001-9999). */
let cachedDayStart = NaN;
let cachedDate = new Uint8Array(0);

/** `YYYY-MM-DDTHH:MM:SS[.ffffff]`, trailing zeros of the fraction dropped; `Z` after it for timestamptz. */
export function writeIsoTimestamp(out: ByteWriter, us: number, utc: boolean): void {
  if (!(us >= cachedDayStart && us < cachedDayStart + DAY_US)) {
    cachedDayStart = Math.floor(us / DAY_US) * DAY_US;
    const text = formatTimestamp(cachedDayStart); // `YYYY-MM-DD 00:00:00`, or a BC / 5-digit year
    cachedDate = /^\d{4}-/.test(text) && !text.endsWith(' BC') ? encoder.encode(text.slice(0, 10)) : new Uint8Array(0);
  }
  if (cachedDate.length === 0) { // outside years 0001-9999: Postgres's own form
    out.ascii(formatTimestamp(us).replace(' ', 'T'));
    if (utc) out.byte(90);
    return;
  }
  const inDay = us - cachedDayStart;
  let s = Math.floor(inDay / 1_000_000); // below 86,400: 32-bit arithmetic from here
  let fraction = inDay - s * 1_000_000;
  const h = (s / 3600) | 0;
  s -= h * 3600;
  const m = (s / 60) | 0;
  s -= m * 60;
  out.reserve(30);
  const b = out.bytes;
  let i = out.length;
  for (let k = 0; k < 10; k++) b[i++] = cachedDate[k]!;
  b[i++] = 84; // T
  b[i++] = 48 + ((h / 10) | 0); b[i++] = 48 + (h % 10); b[i++] = 58;
  b[i++] = 48 + ((m / 10) | 0); b[i++] = 48 + (m % 10); b[i++] = 58;
  b[i++] = 48 + ((s / 10) | 0); b[i++] = 48 + (s % 10);
  if (fraction > 0) {
    // Six digits from the last, then the trailing zeros dropped.
    b[i] = 46;
    for (let k = 6; k > 0; k--) {
      const q = (fraction / 10) | 0;
      b[i + k] = 48 + fraction - q * 10;
      fraction = q;
    }
    i += 7;
    while (b[i - 1] === 48) i--;
  }
  if (utc) b[i++] = 90;
  out.length = i;
}
