import { decompress } from './client.js';

/**
 * Reads the records out of fetched Kafka record batches (message format v2, the only
 * one Kafka 3.x/4.x stores), handing each to a callback as byte ranges of a buffer:
 * no object per record. Control batches (transaction markers) are skipped but moved
 * past, so the next offset always advances.
 */

/** One record: its key and value as ranges of `bytes` (keyStart -1: no key; valueStart -1: null value). */
export type RecordCallback = (bytes: Uint8Array, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number,
  offset: number, timestampMs: number) => void;

const HEADER = 61; // bytes of a batch before its first record
const COMPRESSION = 0x07;
const LOG_APPEND_TIME = 0x08;
const CONTROL = 0x20;

/** Reads the records at or after `fromOffset`; returns the offset after the last whole batch (or `fromOffset`). */
export function readRecords(data: Uint8Array, fromOffset: number, onRecord: RecordCallback): number {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let next = fromOffset;
  let at = 0;
  while (at + HEADER <= data.length) {
    const baseOffset = Number(view.getBigInt64(at));
    const end = at + 12 + view.getInt32(at + 8);
    if (end > data.length) break; // the broker cut the last batch short at the size limit
    const magic = view.getInt8(at + 16);
    if (magic !== 2) throw new Error(`record batch at offset ${baseOffset} has message format v${magic}; only v2 is read`);
    const attributes = view.getInt16(at + 21);
    const lastOffset = baseOffset + view.getInt32(at + 23);
    if (lastOffset >= next && (attributes & CONTROL) === 0) {
      const baseTimestamp = Number(view.getBigInt64(at + 27));
      const maxTimestamp = Number(view.getBigInt64(at + 35));
      const count = view.getInt32(at + 57);
      const codec = attributes & COMPRESSION;
      const records = codec === 0 ? data.subarray(at + HEADER, end) : decompress(codec, data.subarray(at + HEADER, end));
      readBatchRecords(records, count, baseOffset, (attributes & LOG_APPEND_TIME) !== 0 ? maxTimestamp : baseTimestamp,
        (attributes & LOG_APPEND_TIME) !== 0, next, onRecord);
    }
    if (lastOffset + 1 > next) next = lastOffset + 1;
    at = end;
  }
  return next;
}

function readBatchRecords(bytes: Uint8Array, count: number, baseOffset: number, baseTimestamp: number, fixedTime: boolean,
  fromOffset: number, onRecord: RecordCallback): void {
  let pos = 0;
  // Zigzag varints, at most 53 bits (lengths, deltas): kept in doubles, no BigInt.
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = bytes[pos++]!;
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) break;
      scale *= 128;
    }
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  };
  for (let i = 0; i < count; i++) {
    const length = varint();
    const end = pos + length;
    pos++; // attributes
    const timestampDelta = varint();
    const offset = baseOffset + varint();
    const keyLength = varint();
    const keyStart = keyLength < 0 ? -1 : pos;
    if (keyLength > 0) pos += keyLength;
    const valueLength = varint();
    const valueStart = valueLength < 0 ? -1 : pos;
    if (offset >= fromOffset) {
      onRecord(bytes, keyStart, keyStart + Math.max(keyLength, 0), valueStart, valueStart + Math.max(valueLength, 0),
        offset, fixedTime ? baseTimestamp : baseTimestamp + timestampDelta);
    }
    pos = end; // headers are not read
  }
}
