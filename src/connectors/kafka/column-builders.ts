import { makeData, type Data } from 'apache-arrow';
import { arrowType, type ColumnSchema } from '../../runtime/arrow-types.js';
import { copyBytes } from './byte-writer.js';

/**
 * Arrow columns built value by value from decoded records, on growing typed arrays.
 * A record that fails halfway is undone with truncate(rowsBefore). Each column's Arrow
 * layout is the one of runtime/arrow-types.ts.
 */
export abstract class ColumnBuilder {
  length = 0;
  protected validity = new Uint8Array(128);
  protected nulls = 0;

  constructor(readonly column: ColumnSchema) {}

  protected abstract grow(capacity: number): void;
  protected abstract dataFields(): Record<string, unknown>;

  /** Makes room for one more value and marks it valid (or null). */
  protected next(valid: boolean): number {
    const i = this.length++;
    if ((i >> 3) >= this.validity.length) {
      const grown = new Uint8Array(this.validity.length * 2);
      grown.set(this.validity);
      this.validity = grown;
      this.grow(grown.length * 8);
    }
    if (valid) this.validity[i >> 3]! |= 1 << (i & 7);
    else this.validity[i >> 3]! &= ~(1 << (i & 7));
    return i;
  }

  appendNull(): void {
    this.next(false);
  }

  truncate(length: number): void {
    this.length = length;
  }

  finish(): Data {
    let nulls = 0;
    for (let i = 0; i < this.length; i++) if ((this.validity[i >> 3]! & (1 << (i & 7))) === 0) nulls++;
    return makeData({
      type: arrowType(this.column.type), length: this.length, nullCount: nulls,
      nullBitmap: nulls > 0 ? this.validity.slice(0, (this.length + 7) >> 3) : undefined,
      ...this.dataFields(),
    } as never);
  }
}

type NumberArray = Int16Array | Int32Array | Float32Array | Float64Array;

/** int2, int4, oid, date (days), float4, float8. */
export class NumberBuilder extends ColumnBuilder {
  private values: NumberArray;

  constructor(column: ColumnSchema, private readonly make: (n: number) => NumberArray) {
    super(column);
    this.values = make(1024);
  }

  protected grow(capacity: number): void {
    const grown = this.make(capacity);
    grown.set(this.values.subarray(0, this.length));
    this.values = grown;
  }

  append(v: number): void {
    this.values[this.next(true)] = v;
  }

  protected dataFields() {
    return { data: this.values.slice(0, this.length) };
  }
}

/** int8, timestamps and time (µs): 64-bit integers written as two 32-bit halves, no BigInt per value. */
export class Int64Builder extends ColumnBuilder {
  private words = new Int32Array(2048);

  protected grow(capacity: number): void {
    const grown = new Int32Array(capacity * 2);
    grown.set(this.words.subarray(0, this.length * 2));
    this.words = grown;
  }

  /** A safe integer (|v| < 2^53). */
  append(v: number): void {
    const i = this.next(true) * 2;
    const high = Math.floor(v / 4294967296);
    this.words[i] = v - high * 4294967296;
    this.words[i + 1] = high;
  }

  appendBigInt(v: bigint): void {
    const i = this.next(true) * 2;
    this.words[i] = Number(BigInt.asIntN(32, v));
    this.words[i + 1] = Number(BigInt.asIntN(32, v >> 32n));
  }

  protected dataFields() {
    return { data: new BigInt64Array(this.words.buffer.slice(0, this.length * 8)) };
  }
}

export class BoolBuilder extends ColumnBuilder {
  private bits = new Uint8Array(128);

  protected grow(capacity: number): void {
    const grown = new Uint8Array(capacity >> 3);
    grown.set(this.bits);
    this.bits = grown;
  }

  append(v: boolean): void {
    const i = this.next(true);
    if (v) this.bits[i >> 3]! |= 1 << (i & 7);
    else this.bits[i >> 3]! &= ~(1 << (i & 7));
  }

  protected dataFields() {
    return { data: this.bits.slice(0, (this.length + 7) >> 3) };
  }
}

/** Utf8 and Binary: offsets plus one byte buffer. */
export class BytesBuilder extends ColumnBuilder {
  private offsets = new Int32Array(1025);
  private data = new Uint8Array(1 << 16);

  protected grow(capacity: number): void {
    const grown = new Int32Array(capacity + 1);
    grown.set(this.offsets.subarray(0, this.length + 1));
    this.offsets = grown;
  }

  private room(n: number): number {
    const at = this.offsets[this.length]!;
    if (at + n > this.data.length) {
      let capacity = this.data.length * 2;
      while (capacity < at + n) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.data.subarray(0, at));
      this.data = grown;
    }
    return at;
  }

  append(bytes: Uint8Array, start: number, end: number): void {
    const at = this.room(end - start);
    copyBytes(bytes, start, end, this.data, at);
    const i = this.next(true);
    this.offsets[i + 1] = at + end - start;
  }

  appendText(text: string): void {
    const at = this.room(text.length * 3);
    const written = encoder.encodeInto(text, this.data.subarray(at)).written;
    const i = this.next(true);
    this.offsets[i + 1] = at + written;
  }

  override appendNull(): void {
    const i = this.next(false);
    this.offsets[i + 1] = this.offsets[i]!;
  }

  protected dataFields() {
    return { valueOffsets: this.offsets.slice(0, this.length + 1), data: this.data.slice(0, this.offsets[this.length]!) };
  }
}

const encoder = new TextEncoder();

/** The builder of a column's Arrow layout. */
export function columnBuilder(column: ColumnSchema): ColumnBuilder {
  switch (column.type.kind) {
    case 'bool': return new BoolBuilder(column);
    case 'int2': return new NumberBuilder(column, (n) => new Int16Array(n));
    case 'int4': case 'oid': case 'date': return new NumberBuilder(column, (n) => new Int32Array(n));
    case 'float4': return new NumberBuilder(column, (n) => new Float32Array(n));
    case 'float8': return new NumberBuilder(column, (n) => new Float64Array(n));
    case 'int8': case 'timestamp': case 'timestamptz': case 'time': return new Int64Builder(column);
    default: return new BytesBuilder(column);
  }
}
