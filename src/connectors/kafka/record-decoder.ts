import { makeData, RecordBatch, Struct } from 'apache-arrow';
import type { StreamDefinition } from '../../control/catalog/streams.js';
import { arrowSchema, type ColumnSchema } from '../../runtime/arrow-types.js';
import type { RejectedRecord } from '../connector.js';
import { ColumnDecoder, RecordError } from './column-decoder.js';
import { CsvDecoder } from './csv-decoder.js';
import { JsonDecoder } from './json-decoder.js';
import { Int64Builder } from './column-builders.js';
import { KEY_COLUMN, payloadColumns, TIMESTAMP_COLUMN, type KafkaStreamOptions } from './stream-options.js';

const utf8 = new TextDecoder();

/**
 * Kafka records to an Arrow batch of the requested columns: the payload through the
 * stream's format, `_key` from the message key, `_timestamp` from the record's time.
 * A record that does not decode is left out and kept as a RejectedRecord.
 */
export class RecordDecoder {
  private readonly decoders: ColumnDecoder[];
  private readonly payload: { decode(bytes: Uint8Array, start: number, end: number): void };
  private readonly key: ColumnDecoder | null;
  private readonly timestamp: ColumnDecoder | null;
  private rows = 0;
  private rejected: RejectedRecord[] = [];

  constructor(stream: StreamDefinition, private readonly options: KafkaStreamOptions, private readonly columns: ColumnSchema[]) {
    this.decoders = columns.map((c) => new ColumnDecoder(c));
    const byName = new Map(this.decoders.map((d) => [d.column.name, d]));
    const payload = payloadColumns(stream, options);
    this.key = byName.get(KEY_COLUMN) ?? null;
    this.timestamp = options.recordTimestamp ? byName.get(TIMESTAMP_COLUMN) ?? null : null;
    this.payload = options.format === 'csv'
      ? new CsvDecoder(payload.map((c) => byName.get(c.name) ?? null))
      : new JsonDecoder(payload.flatMap((c) => byName.get(c.name) ?? []));
  }

  /** Rows decoded since the last batch. */
  get size(): number {
    return this.rows;
  }

  get hasRejected(): boolean {
    return this.rejected.length > 0;
  }

  /** Decodes one record (the RecordCallback of record-batch-reader.ts, with its partition). */
  add(partition: number, bytes: Uint8Array, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number,
    offset: number, timestampMs: number): void {
    try {
      if (valueStart < 0) throw new RecordError('the record has no value (a tombstone)');
      this.payload.decode(bytes, valueStart, valueEnd);
      if (this.key) {
        if (keyStart < 0) this.key.null();
        else this.key.text(bytes, keyStart, keyEnd);
      }
      if (this.timestamp) (this.timestamp.builder as Int64Builder).append(timestampMs * 1000);
      this.rows++;
    } catch (err) {
      for (const d of this.decoders) d.builder.truncate(this.rows);
      this.rejected.push({
        source: `${this.options.topic}/${partition}`,
        reason: err instanceof Error ? err.message : String(err),
        payload: valueStart < 0 ? '' : utf8.decode(bytes.subarray(valueStart, valueEnd)),
        offset: BigInt(offset),
      });
    }
  }

  /** The rows and rejections since the last call. */
  take(): { batch: RecordBatch; rejected: RejectedRecord[] } {
    const schema = arrowSchema(this.columns);
    const children = this.decoders.map((d) => d.finish());
    const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: this.rows, children }));
    const rejected = this.rejected;
    this.rows = 0;
    this.rejected = [];
    return { batch, rejected };
  }
}
