import type { RecordBatch } from 'apache-arrow';
import type { StreamDefinition } from '../../control/catalog/streams.js';
import { ByteWriter } from './byte-writer.js';
import { ColumnEncoder, writeJsonString } from './column-encoder.js';
import { isRecordColumn, TIMESTAMP_COLUMN, type KafkaStreamOptions } from './stream-options.js';

const encoder = new TextEncoder();

/** A column written as a field of a message: the bytes in front of its value (`{"name":`, `,"name":`; `,` in CSV). */
interface Field {
  index: number;
  encoder: ColumnEncoder;
  prefix: Uint8Array;
}

/**
 * Rows of the stream's columns to Kafka messages: the payload columns as a JSON object
 * (`{"col":value,...}`, nulls included) or a CSV line. The key is the key column's text
 * or, for an updating result without one, its upsert key columns written like the
 * payload (`{"auction":1007}`, or their CSV). Point it at a batch with use(), then write
 * each row's parts where they go.
 */
export class RecordEncoder {
  private readonly payload: Field[];
  private readonly key: { index: number; encoder: ColumnEncoder } | null;
  /** The upsert key columns, when they make the key (no key column). */
  private readonly upsertKey: Field[];
  private readonly timestampIndex: number;
  private readonly json: boolean;
  private timestamps = new Float64Array(0);

  /** `upsertKeys` must be columns of the stream. */
  constructor(stream: StreamDefinition, options: KafkaStreamOptions, upsertKeys: readonly string[] = []) {
    this.json = options.format === 'json';
    const fields = (indexes: number[]): Field[] => indexes.map((index, i) => {
      const column = stream.columns[index]!;
      const prefix = new ByteWriter(64);
      if (this.json) {
        prefix.byte(i === 0 ? 123 : 44); // { or ,
        const raw = encoder.encode(column.name);
        writeJsonString(prefix, raw, 0, raw.length);
        prefix.byte(58); // :
      } else if (i > 0) {
        prefix.byte(44);
      }
      return { index, encoder: new ColumnEncoder(column, options.format), prefix: prefix.bytes.slice(0, prefix.length) };
    });
    this.payload = fields(stream.columns.flatMap((c, index) => isRecordColumn(c, options) ? [] : [index]));
    const keyIndex = options.keyColumn === null ? -1 : stream.columns.findIndex((c) => c.name === options.keyColumn);
    this.key = keyIndex < 0 ? null : { index: keyIndex, encoder: new ColumnEncoder(stream.columns[keyIndex]!, 'plain') };
    this.upsertKey = this.key ? [] : fields(upsertKeys.map((name) => stream.columns.findIndex((c) => c.name === name)));
    this.timestampIndex = options.recordTimestamp ? stream.columns.findIndex((c) => c.name === TIMESTAMP_COLUMN) : -1;
  }

  get keyed(): boolean {
    return this.key !== null || this.upsertKey.length > 0;
  }

  /** Points the encoder at a batch. */
  use(batch: RecordBatch): void {
    for (const p of this.payload) p.encoder.use(batch, p.index);
    for (const k of this.upsertKey) k.encoder.use(batch, k.index);
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
    this.writeFields(out, this.payload, r);
  }

  /** Row r's message key, at the end of `out`; false (nothing written) when it has none. */
  writeKey(out: ByteWriter, r: number): boolean {
    if (this.upsertKey.length > 0) {
      this.writeFields(out, this.upsertKey, r);
      return true;
    }
    if (this.key === null || this.key.encoder.isNull(r)) return false;
    this.key.encoder.write(out, r);
    return true;
  }

  /** Row r's fields as a JSON object or a CSV line. */
  private writeFields(out: ByteWriter, fields: Field[], r: number): void {
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      out.copy(f.prefix, 0, f.prefix.length);
      if (!f.encoder.isNull(r)) f.encoder.write(out, r);
      else if (this.json) out.ascii('null');
    }
    if (this.json) {
      if (fields.length === 0) out.byte(123);
      out.byte(125); // }
    }
  }

  /** Row r's record timestamp (ms): the `_timestamp` column's, or the time of use(). */
  timestamp(r: number): number {
    return this.timestamps[r]!;
  }
}
