import { crc32c } from './client.js';
import { ByteWriter } from './byte-writer.js';

/**
 * Writes Kafka record batches (message format v2, uncompressed): a header, then the
 * records, each value written in place by the caller between begin() and end(). Offsets
 * and the producer id are left to the broker (no idempotence, no transactions). Each
 * batch is written in a buffer of its own, kept for the next batches once reuse() says
 * the ones before are sent (a fresh buffer per batch would be work for the GC).
 */
export class RecordBatchWriter {
  /** The buffers of the batches finished since reuse(), then the one being written. */
  private readonly buffers = [new ByteWriter(1 << 20)];
  private finished = 0;
  /** Where the batch is written; the record's value goes here between begin() and end(). */
  out = this.buffers[0]!;
  private count = 0;
  private firstTimestamp = 0;
  private maxTimestamp = 0;
  /** The record being written: where it starts, where its body and its value length start. */
  private recordStart = 0;
  private valueLengthAt = 0;
  /**
   * The varints in front of the value and of the record take as many bytes as they did
   * in the record before (records are much alike), so the value is written in place and
   * moved only when a length's size changes.
   */
  private recordLengthSize = 1;
  private valueLengthSize = 1;

  get records(): number {
    return this.count;
  }

  /** Bytes written so far (to keep batches under the broker's size limit). */
  get size(): number {
    return this.out.length;
  }

  /** Lets the batches finished so far be overwritten. */
  reuse(): void {
    this.finished = 0;
    this.out = this.buffers[0]!;
  }

  /** Starts a new batch. */
  reset(): void {
    this.out.clear();
    this.out.reserve(HEADER);
    this.out.length = HEADER;
    this.count = 0;
  }

  /** Starts a record: its key (null: none) as a byte range and its timestamp in ms; then write the value into `out`. */
  begin(keyBytes: Uint8Array | null, keyStart: number, keyEnd: number, timestampMs: number): void {
    if (this.count === 0) this.firstTimestamp = this.maxTimestamp = timestampMs;
    else if (timestampMs > this.maxTimestamp) this.maxTimestamp = timestampMs;
    const out = this.out;
    const keyLength = keyBytes === null ? -1 : keyEnd - keyStart;
    out.reserve(this.recordLengthSize + 1 + 3 * 10 + Math.max(keyLength, 0) + this.valueLengthSize);
    this.recordStart = out.length;
    out.length += this.recordLengthSize;
    out.bytes[out.length++] = 0; // attributes
    writeVarint(out, timestampMs - this.firstTimestamp);
    writeVarint(out, this.count);
    writeVarint(out, keyLength);
    if (keyBytes !== null) out.copy(keyBytes, keyStart, keyEnd);
    this.valueLengthAt = out.length;
    out.length += this.valueLengthSize;
  }

  /** Ends the record begun, whose value is what was written into `out` since. */
  end(): void {
    const out = this.out;
    out.reserve(10);
    let valueStart = this.valueLengthAt + this.valueLengthSize;
    const valueLength = out.length - valueStart;
    this.valueLengthSize = this.moveTail(valueStart, varintSize(valueLength) - this.valueLengthSize, this.valueLengthSize);
    valueStart = this.valueLengthAt + this.valueLengthSize;
    out.length = this.valueLengthAt;
    writeVarint(out, valueLength);
    out.length = valueStart + valueLength;
    out.bytes[out.length++] = 0; // no headers
    const bodyStart = this.recordStart + this.recordLengthSize;
    const bodyLength = out.length - bodyStart;
    this.recordLengthSize = this.moveTail(bodyStart, varintSize(bodyLength) - this.recordLengthSize, this.recordLengthSize);
    const end = out.length;
    out.length = this.recordStart;
    writeVarint(out, bodyLength);
    out.length = end;
    this.count++;
  }

  /** Moves the bytes from `from` to the end by `shift` (room reserved); returns the new size of the varint before them. */
  private moveTail(from: number, shift: number, size: number): number {
    if (shift === 0) return size;
    this.out.bytes.copyWithin(from + shift, from, this.out.length);
    this.out.length += shift;
    return size + shift;
  }

  /** Adds a record whose value is a byte range (key as in begin()). */
  add(keyBytes: Uint8Array | null, keyStart: number, keyEnd: number, valueBytes: Uint8Array, valueStart: number, valueEnd: number,
    timestampMs: number): void {
    this.begin(keyBytes, keyStart, keyEnd, timestampMs);
    this.out.copy(valueBytes, valueStart, valueEnd);
    this.end();
  }

  /** The finished batch (a view of a buffer of the writer's, valid until reuse()); reset() starts the next. */
  finish(): Uint8Array {
    const bytes = this.out.bytes.subarray(0, this.out.length);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    view.setBigInt64(0, 0n); // base offset: assigned by the broker
    view.setInt32(8, bytes.length - 12);
    view.setInt32(12, -1); // partition leader epoch
    view.setInt8(16, 2); // magic
    view.setInt16(21, 0); // attributes: no compression, create time
    view.setInt32(23, this.count - 1);
    view.setBigInt64(27, BigInt(this.firstTimestamp));
    view.setBigInt64(35, BigInt(this.maxTimestamp));
    view.setBigInt64(43, -1n); // producer id
    view.setInt16(51, -1);
    view.setInt32(53, -1); // base sequence
    view.setInt32(57, this.count);
    view.setUint32(17, crc32c(bytes.subarray(21)));
    if (++this.finished === this.buffers.length) this.buffers.push(new ByteWriter(1 << 20));
    this.out = this.buffers[this.finished]!;
    return bytes;
  }
}

const HEADER = 61;

function varintSize(v: number): number {
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (u >= 128) { u = Math.floor(u / 128); n++; }
  return n;
}

/** A zigzag varint; room must be reserved. */
function writeVarint(out: ByteWriter, v: number): void {
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  const bytes = out.bytes;
  while (u > 0x7fffffff) { // beyond 31 bits: in double arithmetic
    bytes[out.length++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  while (u >= 128) {
    bytes[out.length++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  bytes[out.length++] = u;
}
