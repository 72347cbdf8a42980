import type { StreamDefinition } from '../../control/catalog/streams.js';
import { SabotError, SqlState } from '../../errors.js';
import type { ColumnSchema } from '../../runtime/arrow-types.js';
import type { OffsetSpec } from './client.js';

/** A Kafka stream's options (CREATE STREAM ... WITH (...)), checked and typed. */
export interface KafkaStreamOptions {
  topic: string;
  bootstrapServers: string;
  format: 'json' | 'csv';
  /** Where a split with no recorded position starts. */
  startup: OffsetSpec;
  /** The column whose value is the message key when writing (`key`), or null. */
  keyColumn: string | null;
  /** Partitions and replication factor of the topic when the sink creates it. */
  partitions: number;
  replicationFactor: number;
  /** Whether a `_timestamp` column is the Kafka record timestamp (no timestamp_column option). */
  recordTimestamp: boolean;
}

/** The column that is the message key rather than a payload field. */
export const KEY_COLUMN = '_key';
/** The column that is the record's Kafka timestamp, for a stream without timestamp_column. */
export const TIMESTAMP_COLUMN = '_timestamp';

function invalid(message: string): SabotError {
  return new SabotError(SqlState.invalidParameterValue, message);
}

export function kafkaOptions(stream: StreamDefinition): KafkaStreamOptions {
  const o = stream.options;
  const topic = o.topic;
  const bootstrapServers = o.bootstrap_servers;
  if (!topic) throw invalid(`kafka stream ${stream.name} has no topic`);
  if (!bootstrapServers) throw invalid(`kafka stream ${stream.name} has no bootstrap_servers`);
  const format = (o.format ?? 'json').toLowerCase();
  if (format !== 'json' && format !== 'csv') throw invalid(`format must be json or csv, not "${o.format}"`);
  const mode = (o.scan_startup_mode ?? 'earliest').toLowerCase();
  let startup: OffsetSpec;
  if (mode === 'earliest' || mode === 'latest') startup = mode;
  else if (/^\d+$/.test(mode)) startup = { timestampMs: Number(mode) };
  else throw invalid(`scan_startup_mode must be earliest, latest or a timestamp in milliseconds, not "${o.scan_startup_mode}"`);
  const keyColumn = o.key ?? (stream.columns.some((c) => c.name === KEY_COLUMN) ? KEY_COLUMN : null);
  if (keyColumn !== null && !stream.columns.some((c) => c.name === keyColumn)) {
    throw invalid(`key column "${keyColumn}" is not a column of stream ${stream.name}`);
  }
  const recordTimestamp = o.timestamp_column === undefined;
  for (const c of stream.columns) {
    if (c.name === KEY_COLUMN && !['text', 'varchar'].includes(c.type.kind)) {
      throw invalid(`column ${KEY_COLUMN} of a kafka stream is the message key and must be text`);
    }
    if (c.name === TIMESTAMP_COLUMN && recordTimestamp && !['timestamp', 'timestamptz'].includes(c.type.kind)) {
      throw invalid(`column ${TIMESTAMP_COLUMN} of a kafka stream is the record's timestamp and must be a timestamp`);
    }
  }
  return {
    topic,
    bootstrapServers,
    format,
    startup,
    keyColumn,
    partitions: Number(o.partitions ?? 1),
    replicationFactor: Number(o.replication_factor ?? 1),
    recordTimestamp,
  };
}

/** Whether a column comes from the Kafka record itself (key, timestamp) rather than the payload. */
export function isRecordColumn(column: ColumnSchema, options: KafkaStreamOptions): boolean {
  return column.name === KEY_COLUMN || (column.name === TIMESTAMP_COLUMN && options.recordTimestamp);
}

/** The stream's payload columns: the fields of each JSON object or CSV line, in order. */
export function payloadColumns(stream: StreamDefinition, options: KafkaStreamOptions): ColumnSchema[] {
  return stream.columns.filter((c) => !isRecordColumn(c, options));
}
