import { makeData, type Data } from 'apache-arrow';
import { arrowType, type ColumnSchema } from '../../runtime/arrow-types.js';
import { copyBytes } from './byte-writer.js';

/**
 * Arrow columns built value by value from decoded records, on growing typed arrays
 * made for `capacity` rows at first (a batch's size, so they seldom grow). finish()
 * hands the arrays over as they are (views of the rows written): a builder is used for
 * one batch. A record that fails halfway is undone with truncate(rowsBefore). Each
 * column's Arrow layout is the one of runtime/arrow-types.ts.
 */
export abstract class ColumnBuilder {
  length = 0;
  protected validity: Uint8Array;

  constructor(readonly column: ColumnSchema, protected readonly capacity: number) {
    this.validity = new Uint8Array(capacity >> 3);
  }

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
      nullBitmap: nulls > 0 ? this.validity.subarray(0, (this.length + 7) >> 3) : undefined,
      ...this.dataFields(),
    } as never);
  }
}

type NumberArray = Int16Array | Int32Array | Float32Array | Float64Array;

/** int2, int4, oid, date (days), float4, float8. */
export class NumberBuilder extends ColumnBuilder {
  private values: NumberArray;

  constructor(column: ColumnSchema, capacity: number, private readonly make: (n: number) => NumberArray) {
    super(column, capacity);
    this.values = make(capacity);
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
    return { data: this.values.subarray(0, this.length) };
  }
}

/** int8, timestamps and time (µs): 64-bit integers written as two 32-bit halves, no BigInt per value. */
export class Int64Builder extends ColumnBuilder {
  private words = new Int32Array(this.capacity * 2);

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
    return { data: new BigInt64Array(this.words.buffer, 0, this.length) };
  }
}

export class BoolBuilder extends ColumnBuilder {
  private bits = new Uint8Array(this.capacity >> 3);

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
    return { data: this.bits.subarray(0, (this.length + 7) >> 3) };
  }
}

/** Utf8 and Binary: offsets plus one byte buffer. */
export class BytesBuilder extends ColumnBuilder {
  private offsets = new Int32Array(this.capacity + 1);
  private data = new Uint8Array(this.capacity * 16);

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
    return { valueOffsets: this.offsets.subarray(0, this.length + 1), data: this.data.subarray(0, this.offsets[this.length]!) };
  }
}

const encoder = new TextEncoder();

/** The builder of a column's Arrow layout, for about `rows` rows (rounded up to a multiple of 1,024). */
export function columnBuilder(column: ColumnSchema, rows = 1024): ColumnBuilder {
  const capacity = Math.max(1024, Math.ceil(rows / 1024) * 1024);
  switch (column.type.kind) {
    case 'bool': return new BoolBuilder(column, capacity);
    case 'int2': return new NumberBuilder(column, capacity, (n) => new Int16Array(n));
    case 'int4': case 'oid': case 'date': return new NumberBuilder(column, capacity, (n) => new Int32Array(n));
    case 'float4': return new NumberBuilder(column, capacity, (n) => new Float32Array(n));
    case 'float8': return new NumberBuilder(column, capacity, (n) => new Float64Array(n));
    case 'int8': case 'timestamp': case 'timestamptz': case 'time': return new Int64Builder(column, capacity);
    default: return new BytesBuilder(column, capacity);
  }
}
