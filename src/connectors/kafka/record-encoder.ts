import type { RecordBatch } from 'apache-arrow';
import type { StreamDefinition } from '../../control/catalog/streams.js';
import { ByteWriter } from './byte-writer.js';
import { ColumnEncoder, writeJsonString } from './column-encoder.js';
import { isRecordColumn, TIMESTAMP_COLUMN, type KafkaStreamOptions } from './stream-options.js';

const encoder = new TextEncoder();

/**
 * Rows of the stream's columns to Kafka messages: the payload columns as a JSON object
 * (`{"col":value,...}`, nulls included) or a CSV line; the key column's text as the key.
 * Point it at a batch with use(), then write each row's parts where they go.
 */
export class RecordEncoder {
  /** Each payload column, with the bytes in front of its value (`{"name":`, `,"name":`; `,` in CSV). */
  private readonly payload: { index: number; encoder: ColumnEncoder; prefix: Uint8Array }[];
  private readonly key: { index: number; encoder: ColumnEncoder } | null;
  private readonly timestampIndex: number;
  private readonly json: boolean;
  private timestamps = new Float64Array(0);

  constructor(stream: StreamDefinition, options: KafkaStreamOptions) {
    this.json = options.format === 'json';
    const prefix = (name: string, first: boolean) => {
      const out = new ByteWriter(64);
      if (this.json) {
        out.byte(first ? 123 : 44); // { or ,
        const raw = encoder.encode(name);
        writeJsonString(out, raw, 0, raw.length);
        out.byte(58); // :
      } else if (!first) {
        out.byte(44);
      }
      return out.bytes.slice(0, out.length);
    };
    this.payload = stream.columns.flatMap((c, index) => isRecordColumn(c, options) ? []
      : [{ index, encoder: new ColumnEncoder(c, options.format), prefix: new Uint8Array(0) }]);
    this.payload.forEach((p, i) => { p.prefix = prefix(p.encoder.column.name, i === 0); });
    const keyIndex = options.keyColumn === null ? -1 : stream.columns.findIndex((c) => c.name === options.keyColumn);
    this.key = keyIndex < 0 ? null : { index: keyIndex, encoder: new ColumnEncoder(stream.columns[keyIndex]!, 'plain') };
    this.timestampIndex = options.recordTimestamp ? stream.columns.findIndex((c) => c.name === TIMESTAMP_COLUMN) : -1;
  }

  get keyed(): boolean {
    return this.key !== null;
  }

  /** Points the encoder at a batch. */
  use(batch: RecordBatch): void {
    for (const p of this.payload) p.encoder.use(batch, p.index);
    if (this.key) this.key.encoder.use(batch, this.key.index);
    const rows = batch.numRows;
    if (this.timestamps.length < rows) this.timestamps = new Float64Array(rows);
    const timestamps = this.timestamps;
    const now = Date.now();
    if (this.timestampIndex < 0) {
      timestamps.fill(now, 0, rows);
      return;
    }
    const data = batch.getChildAt(this.timestampIndex)!.data[0]!;
    const words = new Int32Array(data.values.buffer, data.values.byteOffset, rows * 2);
    for (let r = 0; r < rows; r++) {
      const bit = data.offset + r;
      const valid = data.nullCount === 0 || !data.nullBitmap || (data.nullBitmap[bit >> 3]! & (1 << (bit & 7))) !== 0;
      timestamps[r] = valid ? Math.floor((words[r * 2 + 1]! * 4294967296 + (words[r * 2]! >>> 0)) / 1000) : now;
    }
  }

  /** Row r's message value, at the end of `out`. */
  value(out: ByteWriter, r: number): void {
    const payload = this.payload;
    for (let i = 0; i < payload.length; i++) {
      const p = payload[i]!;
      out.copy(p.prefix, 0, p.prefix.length);
      if (!p.encoder.isNull(r)) p.encoder.write(out, r);
      else if (this.json) out.ascii('null');
    }
    if (this.json) {
      if (payload.length === 0) out.byte(123);
      out.byte(125); // }
    }
  }

  /** Row r's message key, at the end of `out`; false (nothing written) when it has none. */
  writeKey(out: ByteWriter, r: number): boolean {
    if (this.key === null || this.key.encoder.isNull(r)) return false;
    this.key.encoder.write(out, r);
    return true;
  }

  /** Row r's record timestamp (ms): the `_timestamp` column's, or the time of use(). */
  timestamp(r: number): number {
    return this.timestamps[r]!;
  }
}
