import type { RecordBatch } from 'apache-arrow';
import type { StreamDefinition } from '../../control/catalog/streams.js';
import type { SourceBatch, SourceConnector, SourceOpenOptions, SourceSplit } from '../connector.js';
import { SplitCursor } from '../split-cursor.js';
import type { InternalStreams } from './internal-streams.js';
import type { StreamLog } from './stream-log.js';

/** Rows of a log a split reads at a time before the next split's turn (with several splits). */
export const CHUNK_ROWS = 65_536n;

/**
 * Reading an internal stream's log in a dataflow. With n splits, the log is cut into
 * chunks of CHUNK_ROWS rows and split i reads chunks i, i+n, ...; with one split, the
 * whole log in order (split-cursor.ts, which also carries positions across a rescale).
 * The position is the next row the split reads.
 */
class InternalSplit implements SourceSplit {
  private reader: AsyncIterator<{ offset: bigint; batch: RecordBatch }> | null = null;
  private readerEnd = 0n;

  constructor(private readonly log: StreamLog, private readonly cursor: SplitCursor, private readonly columns: number[] | null,
    private position: bigint) {}

  async next(signal: AbortSignal): Promise<SourceBatch | null> {
    for (;;) {
      if (signal.aborted) return null;
      if (this.reader) {
        const r = await this.reader.next();
        if (!r.done) {
          const { offset, batch } = r.value;
          this.position = this.cursor.next(offset + BigInt(batch.numRows));
          return { batch: this.columns ? selectColumns(batch, this.columns) : batch, position: this.cursor.position(this.position) };
        }
        this.reader = null;
        this.position = this.cursor.next(this.readerEnd);
      }
      if (this.log.end <= this.position) {
        try {
          await this.log.waitFor(this.position + 1n, signal);
        } catch {
          if (signal.aborted) return null;
          throw new Error(`the log of a stream read by this dataflow was closed`);
        }
        continue;
      }
      const limit = this.cursor.limit(this.position);
      this.readerEnd = limit !== null && limit < this.log.end ? limit : this.log.end;
      this.reader = this.log.read(this.position, this.readerEnd)[Symbol.asyncIterator]();
    }
  }

  async flushMark(): Promise<unknown> {
    return this.log.end;
  }

  passed(mark: unknown): boolean {
    return this.position >= (mark as bigint);
  }

  async close(): Promise<void> {
    await this.reader?.return?.();
    this.reader = null;
  }
}

function selectColumns(batch: RecordBatch, columns: number[]): RecordBatch {
  return batch.selectAt(columns);
}

/** The source connector of internal streams. */
export function internalSource(streams: InternalStreams): SourceConnector {
  return {
    async open(stream: StreamDefinition, options: SourceOpenOptions): Promise<SourceSplit> {
      const log = await streams.log(stream);
      const indexes = options.columns.map((c) => stream.columns.findIndex((s) => s.name === c.name));
      const all = indexes.length === stream.columns.length && indexes.every((x, i) => x === i);
      const { cursor, at } = SplitCursor.open(options.position, CHUNK_ROWS, options.split, options.splits);
      return new InternalSplit(log, cursor, all ? null : indexes, at);
    },
  };
}
