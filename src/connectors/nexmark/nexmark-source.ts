import type { StreamDefinition } from '../../control/catalog/streams.js';
import { SabotError, SqlState } from '../../errors.js';
import type { SourceBatch, SourceConnector, SourceOpenOptions, SourceSplit } from '../connector.js';
import { SplitCursor } from '../split-cursor.js';
import { DEFAULT_EVENTS_PER_SECOND, NexmarkGenerator } from './generator.js';
import type { NexmarkKind } from './schema.js';

/** Events of the Nexmark sequence a split generates in a row before the next split's turn (with several splits). */
export const BLOCK_EVENTS = 50 * 8192;
/** Rows per batch in a dataflow: large enough to amortize per-batch work, small enough to stay in cache. */
export const DATAFLOW_BATCH_ROWS = 8192;

/** The largest `event_rate` (the generator's bound on events per second). */
const MAX_EVENT_RATE = 1e9;

/**
 * Events per second of event time of a Nexmark stream: `event_rate` (which only spreads
 * event times, without pacing), else a non-zero `rate`, else the generator's default.
 * Throws 22023 on an event_rate that is not an integer from 1 to 1e9.
 */
export function nexmarkEventRate(options: Record<string, string>): number {
  const eventRate = options.event_rate;
  if (eventRate !== undefined) {
    const n = Number(eventRate);
    if (!/^\d+$/.test(eventRate) || n < 1 || n > MAX_EVENT_RATE) {
      throw new SabotError(SqlState.invalidParameterValue,
        `option "event_rate" must be an integer between 1 and ${MAX_EVENT_RATE}, not "${eventRate}"`);
    }
    return n;
  }
  const rate = options.rate === undefined ? 0 : Number(options.rate);
  return rate > 0 ? rate : DEFAULT_EVENTS_PER_SECOND;
}

/**
 * A split of a Nexmark stream. The event sequence is cut into blocks of BLOCK_EVENTS;
 * split i of n generates blocks i, i+n, ... (one split: the whole sequence in order; see
 * split-cursor.ts, which also carries positions across a rescale).
 * The position is the number of the next event. Event times advance at nexmarkEventRate()
 * events per second; with `rate`, batches are also paced to the wall clock at that rate.
 */
class NexmarkSplit implements SourceSplit {
  private generator: NexmarkGenerator | null = null;
  private readonly total: number | undefined;
  private readonly rate: number | undefined;
  private readonly eventRate: number;
  private readonly startedAt = performance.now();
  private readonly startEvent: number;

  constructor(private readonly stream: StreamDefinition, private readonly cursor: SplitCursor, private readonly splits: number,
    private position: number, private readonly columns: number[] | null) {
    const o = stream.options;
    this.total = o.events === undefined ? undefined : Number(o.events);
    this.rate = o.rate === undefined || Number(o.rate) === 0 ? undefined : Number(o.rate);
    this.eventRate = nexmarkEventRate(o);
    this.startEvent = this.position;
  }

  private get exhausted(): boolean {
    return this.total !== undefined && this.position >= this.total;
  }

  async next(signal: AbortSignal): Promise<SourceBatch | null> {
    for (;;) {
      if (signal.aborted || this.exhausted) return null;
      if (this.generator === null) {
        const limit = this.cursor.limit(BigInt(this.position));
        const end = limit === null ? this.total : Math.min(Number(limit), this.total ?? Number(limit));
        const o = this.stream.options;
        this.generator = new NexmarkGenerator({
          kind: o.kind as NexmarkKind, events: end, startEvent: this.position, batchSize: DATAFLOW_BATCH_ROWS,
          seed: o.seed === undefined ? undefined : Number(o.seed), eventsPerSecond: this.eventRate,
        });
      }
      if (this.rate !== undefined) await this.pace(signal);
      if (signal.aborted) return null;
      const batch = this.generator.nextBatch();
      const watermark = this.generator.watermark();
      const nextEvent = this.generator.nextEvent;
      if (batch === null || this.generator.done) this.generator = null;
      this.position = Number(this.cursor.next(BigInt(nextEvent)));
      if (batch !== null) {
        return {
          batch: this.columns ? batch.selectAt(this.columns) : batch,
          position: this.cursor.position(BigInt(this.position)), watermark,
        };
      }
    }
  }

  /** Waits until the wall clock has caught up with the events generated at `rate`. */
  private async pace(signal: AbortSignal): Promise<void> {
    const due = this.startedAt + ((this.position - this.startEvent) / this.splits / this.rate!) * 1000;
    const wait = due - performance.now();
    if (wait <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  async flushMark(): Promise<unknown> {
    // A bounded run is appended all at once when it is created: FLUSH waits for its end.
    return this.total;
  }

  passed(mark: unknown): boolean {
    return mark === undefined || this.exhausted;
  }

  async close(): Promise<void> {
    this.generator = null;
  }
}

/** `connector = 'nexmark'`: the built-in generator as a dataflow source. */
export const nexmarkSource: SourceConnector = {
  async open(stream: StreamDefinition, options: SourceOpenOptions): Promise<SourceSplit> {
    const { cursor, at } = SplitCursor.open(options.position, BigInt(BLOCK_EVENTS), options.split, options.splits);
    const indexes = options.columns.map((c) => stream.columns.findIndex((s) => s.name === c.name));
    const all = indexes.length === stream.columns.length && indexes.every((x, i) => x === i);
    return new NexmarkSplit(stream, cursor, options.splits, Number(at), all ? null : indexes);
  },
};
