import type { RecordBatch } from 'apache-arrow';
import type { StreamDefinition } from '../control/catalog/streams.js';
import type { ColumnSchema } from '../runtime/arrow-types.js';

/**
 * What the agent needs from a connector. A source is read by one or more parallel
 * splits; each split reports, with every batch, the position after it (opaque JSON the
 * agent stores durably for the split and hands back after a restart). A sink takes
 * batches in the stream's column order.
 */

/** A record a source could not decode: kept in sabot.dead_letters, counted on the task, never fatal. */
export interface RejectedRecord {
  /** Where it came from, e.g. `topic/partition`. */
  source: string;
  reason: string;
  /** The record as received (text), or the row as JSON. */
  payload: string;
  /** Its offset in the source, when the source has offsets. */
  offset: bigint | null;
}

export interface SourceBatch {
  /** The decoded rows, with the columns the split was opened with. */
  batch: RecordBatch;
  /** Where reading resumes after this batch (JSON-serializable). */
  position: unknown;
  /** Records of this stretch that did not decode. */
  rejected?: RejectedRecord[];
  /** Event-time watermark after this batch (µs), when the source tracks one. */
  watermark?: number;
  /**
   * The batch's rows by the source partition they came from, as consecutive runs in row
   * order (a Kafka split reads several partitions): watermarks are tracked per partition.
   */
  partitionRuns?: { partition: string; rows: number }[];
  /** Every partition the split reads now, also those that sent nothing yet (they hold its watermark back until idle). */
  partitions?: string[];
}

export interface SourceSplit {
  /**
   * The next batch. Waits while nothing is available (until `signal` aborts, then
   * resolves null); resolves null when a bounded source is exhausted.
   */
  next(signal: AbortSignal): Promise<SourceBatch | null>;
  /** What FLUSH waits for: a mark of everything available now (undefined: nothing to wait for). */
  flushMark(): Promise<unknown>;
  /** Whether everything up to `mark` has been returned by next(). */
  passed(mark: unknown): boolean;
  close(): Promise<void>;
}

export interface SourceOpenOptions {
  /** This split's index and the number of splits the source is read by. */
  split: number;
  splits: number;
  /** The position recorded after the last batch this split handed on, or null to start fresh. */
  position: unknown;
  /** The columns to decode, in this order (a subset of the stream's; projection pruning). */
  columns: ColumnSchema[];
}

export interface SourceConnector {
  open(stream: StreamDefinition, options: SourceOpenOptions): Promise<SourceSplit>;
}

export interface SinkWriter {
  /**
   * Writes batches (the stream's columns, in order); resolves once they are durable or
   * delivered. `writer` tags the write for `transactional` sinks (0: untagged).
   */
  write(batches: readonly RecordBatch[], writer?: number): Promise<void>;
  /**
   * Present on sinks that can tell, after a crash, whether a tagged write reached them
   * (internal logs): the agent then records a round's input position exactly once.
   */
  transactional?: {
    /** A mark of what the sink holds now, taken before a write. */
    mark(): Promise<string>;
    /** Whether a write tagged `writer` completed after `mark`. */
    wroteSince(mark: string, writer: number): Promise<boolean>;
  };
  close(): Promise<void>;
}

export interface SinkOpenOptions {
  /**
   * The rows written are an updating result keyed by these columns: a later row replaces
   * the earlier one with the same key (a Kafka sink keys its messages by them).
   */
  upsertKeys?: string[];
}

export interface SinkConnector {
  open(stream: StreamDefinition, options?: SinkOpenOptions): Promise<SinkWriter>;
}
