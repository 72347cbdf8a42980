/**
 * Column buffers of one generated batch, all carved out of a single ArrayBuffer: Int64
 * and timestamp columns are written through Int32Array views (low word, high word: the
 * host is little-endian) and handed to Arrow as BigInt64Arrays, so no BigInt is ever
 * made; Utf8 columns get an offsets array and a byte area filled by `Utf8Writer`.
 */
import { endianness } from 'node:os';
import { makeData, type Data, type Int64, type TimestampMicrosecond, type Utf8 } from 'apache-arrow';
import { copyAscii, SLACK } from './text.js';

if (endianness() !== 'LE') throw new Error('the Nexmark generator writes Int64 columns as little-endian words');

const TWO_32 = 4294967296;

/**
 * Hands out 8-byte aligned regions of one ArrayBuffer. The memory is not zeroed (that
 * costs 5-10x more than generating into it: fresh zeroed pages fault in one by one),
 * so every byte a column exposes must be written; bytes between and after the columns'
 * views (alignment padding, unused capacity) keep whatever was there.
 */
export class Arena {
  readonly buffer: ArrayBuffer;
  private used = 0;

  constructor(bytes: number) {
    const memory = Buffer.allocUnsafeSlow(bytes);
    if (memory.byteOffset !== 0) throw new Error('nexmark arena must own its ArrayBuffer');
    this.buffer = memory.buffer as ArrayBuffer;
  }

  take(bytes: number): number {
    const at = this.used;
    this.used += (bytes + 7) & ~7;
    if (this.used > this.buffer.byteLength) throw new Error('nexmark arena overflow');
    return at;
  }

  /** Bytes an arena needs for regions of these sizes. */
  static size(regions: readonly number[]): number {
    let total = 0;
    for (const r of regions) total += (r + 7) & ~7;
    return total;
  }
}

/** An Int64 (or timestamp) column of `rows` values. */
export class Int64Column {
  /** Word 2j is the low half of value j, word 2j + 1 the high half. */
  readonly words: Int32Array;
  private readonly offset: number;

  constructor(private readonly arena: Arena, readonly rows: number) {
    this.offset = arena.take(rows * 8);
    this.words = new Int32Array(arena.buffer, this.offset, rows * 2);
  }

  static bytes(rows: number): number {
    return rows * 8;
  }

  values(): BigInt64Array {
    return new BigInt64Array(this.arena.buffer, this.offset, this.rows);
  }

  data<T extends Int64 | TimestampMicrosecond>(type: T): Data<T> {
    return makeData({ type, length: this.rows, nullCount: 0, data: this.values() } as never) as unknown as Data<T>;
  }
}

/** Stores integer x (|x| < 2^53) as value j of an Int64 column's words. */
export function setInt64(words: Int32Array, j: number, x: number): void {
  words[2 * j] = x; // ToInt32: x mod 2^32, the low word
  words[2 * j + 1] = Math.floor(x / TWO_32);
}

/** A Utf8 column of `rows` values of at most `maxBytes` bytes each. */
export class Utf8Writer {
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Where the next byte goes. */
  pos = 0;

  constructor(arena: Arena, readonly rows: number, maxBytes: number) {
    this.offsets = new Int32Array(arena.buffer, arena.take((rows + 1) * 4), rows + 1);
    this.offsets[0] = 0;
    const capacity = rows * maxBytes + SLACK;
    const at = arena.take(capacity);
    this.bytes = new Uint8Array(arena.buffer, at, capacity);
    this.view = new DataView(arena.buffer, at, capacity);
  }

  static bytes(rows: number, maxBytes: number): number[] {
    return [(rows + 1) * 4, rows * maxBytes + SLACK];
  }

  /** Appends len ASCII bytes of src at s (which has SLACK readable bytes after them). */
  copy(src: DataView, s: number, len: number): void {
    copyAscii(src, s, this.view, this.pos, len);
    this.pos += len;
  }

  byte(b: number): void {
    this.bytes[this.pos++] = b;
  }

  /** Appends a non-negative integer below 10^width, zero-padded to width digits. */
  digits(x: number, width: number): void {
    for (let k = width - 1; k >= 0; k--) {
      this.bytes[this.pos + k] = 0x30 + (x % 10);
      x = Math.floor(x / 10);
    }
    this.pos += width;
  }

  /** Ends value j. */
  end(j: number): void {
    this.offsets[j + 1] = this.pos;
  }

  data(type: Utf8): Data<Utf8> {
    return Utf8Writer.dataOf(type, this.rows, this.offsets, this.bytes.subarray(0, this.pos));
  }

  static dataOf(type: Utf8, rows: number, offsets: Int32Array, bytes: Uint8Array): Data<Utf8> {
    return makeData({ type, length: rows, nullCount: 0, valueOffsets: offsets, data: bytes });
  }
}
