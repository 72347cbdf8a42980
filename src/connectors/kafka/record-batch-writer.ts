import { crc32c } from './client.js';
import { ByteWriter } from './byte-writer.js';

/**
 * Writes one Kafka record batch (message format v2, uncompressed): a header, then each
 * record's key and value copied from the encoders' buffers. Offsets and the producer id
 * are left to the broker (no idempotence, no transactions).
 */
export class RecordBatchWriter {
  private readonly out = new ByteWriter(1 << 20);
  private count = 0;
  private firstTimestamp = 0;
  private maxTimestamp = 0;

  get records(): number {
    return this.count;
  }

  /** Bytes written so far (to keep batches under the broker's size limit). */
  get size(): number {
    return this.out.length;
  }

  /** Starts a new batch. */
  reset(): void {
    this.out.clear();
    this.out.reserve(HEADER);
    this.out.length = HEADER;
    this.count = 0;
  }

  /** Adds a record: key (null: keyStart -1) and value as byte ranges, timestamp in ms. */
  add(keyBytes: Uint8Array | null, keyStart: number, keyEnd: number, valueBytes: Uint8Array, valueStart: number, valueEnd: number,
    timestampMs: number): void {
    if (this.count === 0) this.firstTimestamp = this.maxTimestamp = timestampMs;
    else if (timestampMs > this.maxTimestamp) this.maxTimestamp = timestampMs;
    const keyLength = keyBytes === null ? -1 : keyEnd - keyStart;
    const valueLength = valueEnd - valueStart;
    const timestampDelta = timestampMs - this.firstTimestamp;
    const length = 1 + varintSize(timestampDelta) + varintSize(this.count) + varintSize(keyLength) + Math.max(keyLength, 0)
      + varintSize(valueLength) + valueLength + 1;
    const out = this.out;
    out.reserve(length + 5);
    writeVarint(out, length);
    out.bytes[out.length++] = 0; // attributes
    writeVarint(out, timestampDelta);
    writeVarint(out, this.count);
    writeVarint(out, keyLength);
    if (keyBytes !== null) out.copy(keyBytes, keyStart, keyEnd);
    writeVarint(out, valueLength);
    out.copy(valueBytes, valueStart, valueEnd);
    out.bytes[out.length++] = 0; // no headers
    this.count++;
  }

  /** The finished batch (a view of the writer's buffer, valid until the next reset). */
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
  while (u >= 128) {
    bytes[out.length++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  bytes[out.length++] = u;
}
