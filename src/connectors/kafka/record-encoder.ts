import type { RecordBatch } from 'apache-arrow';
import type { StreamDefinition } from '../../control/catalog/streams.js';
import { ByteWriter } from './byte-writer.js';
import { ColumnEncoder, writeJsonString } from './column-encoder.js';
import { isRecordColumn, TIMESTAMP_COLUMN, type KafkaStreamOptions } from './stream-options.js';

/** The messages of one batch: values (and keys) back to back, with the end of each. */
export interface EncodedRows {
  rows: number;
  values: ByteWriter;
  valueEnds: Int32Array;
  /** Keys, when the stream has a key column; keyEnds[i] === -1 marks a null key. */
  keys: ByteWriter | null;
  keyEnds: Int32Array;
  /** Each record's timestamp (ms): the `_timestamp` column's, or the time of writing. */
  timestamps: Float64Array;
}

const encoder = new TextEncoder();

/**
 * Rows of the stream's columns to Kafka messages: the payload columns as a JSON object
 * (`{"col":value,...}`, nulls included) or a CSV line; the key column's text as the key.
 */
export class RecordEncoder {
  private readonly payload: { index: number; encoder: ColumnEncoder; name: Uint8Array }[];
  private readonly key: { index: number; encoder: ColumnEncoder } | null;
  private readonly timestampIndex: number;
  private readonly values = new ByteWriter(1 << 20);
  private readonly keys = new ByteWriter(1 << 16);

  constructor(stream: StreamDefinition, private readonly options: KafkaStreamOptions) {
    const nameBytes = (name: string) => {
      const out = new ByteWriter(64);
      const raw = encoder.encode(name);
      writeJsonString(out, raw, 0, raw.length);
      out.byte(58); // :
      return out.bytes.slice(0, out.length);
    };
    this.payload = stream.columns.flatMap((c, index) => isRecordColumn(c, options) ? []
      : [{ index, encoder: new ColumnEncoder(c, options.format), name: nameBytes(c.name) }]);
    const keyIndex = options.keyColumn === null ? -1 : stream.columns.findIndex((c) => c.name === options.keyColumn);
    this.key = keyIndex < 0 ? null : { index: keyIndex, encoder: new ColumnEncoder(stream.columns[keyIndex]!, 'plain') };
    this.timestampIndex = options.recordTimestamp ? stream.columns.findIndex((c) => c.name === TIMESTAMP_COLUMN) : -1;
  }

  encode(batch: RecordBatch): EncodedRows {
    const rows = batch.numRows;
    const values = this.values;
    values.clear();
    const valueEnds = new Int32Array(rows);
    for (const p of this.payload) p.encoder.use(batch, p.index);
    const json = this.options.format === 'json';
    for (let r = 0; r < rows; r++) {
      if (json) values.byte(123);
      for (let i = 0; i < this.payload.length; i++) {
        const p = this.payload[i]!;
        if (i > 0) values.byte(44);
        if (json) values.copy(p.name, 0, p.name.length);
        if (!p.encoder.isNull(r)) p.encoder.write(values, r);
        else if (json) values.ascii('null');
      }
      if (json) values.byte(125);
      valueEnds[r] = values.length;
    }

    const keyEnds = new Int32Array(rows);
    if (this.key) {
      this.keys.clear();
      this.key.encoder.use(batch, this.key.index);
      for (let r = 0; r < rows; r++) {
        if (this.key.encoder.isNull(r)) { keyEnds[r] = -1; continue; }
        this.key.encoder.write(this.keys, r);
        keyEnds[r] = this.keys.length;
      }
    }

    const timestamps = new Float64Array(rows);
    if (this.timestampIndex >= 0) {
      const data = batch.getChildAt(this.timestampIndex)!.data[0]!;
      const words = new Int32Array(data.values.buffer, data.values.byteOffset, rows * 2);
      const now = Date.now();
      for (let r = 0; r < rows; r++) {
        const bit = data.offset + r;
        const valid = data.nullCount === 0 || !data.nullBitmap || (data.nullBitmap[bit >> 3]! & (1 << (bit & 7))) !== 0;
        timestamps[r] = valid ? Math.floor((words[r * 2 + 1]! * 4294967296 + (words[r * 2]! >>> 0)) / 1000) : now;
      }
    } else {
      timestamps.fill(Date.now());
    }
    return { rows, values, valueEnds, keys: this.key ? this.keys : null, keyEnds, timestamps };
  }
}
