/**
 * The built-in Nexmark generator: events of one kind (person, auction or bid) of the
 * Nexmark sequence, generated straight into Arrow record batches.
 *
 * Every event of the sequence is a pure function of (seed, event number) (see model.ts
 * and random.ts), so a bid generator and a person generator with the same options
 * describe the same world: bids name auctions and people that exist (were generated at a
 * lower event number), whatever the batch size. A bounded run (`events`) covers events
 * 0 .. events-1 of the whole sequence, of which this generator emits its kind only.
 */
import { Int64, RecordBatch, Struct, TimestampMicrosecond, Utf8, makeData, type Schema } from 'apache-arrow';
import { SabotError, SqlState } from '../../errors.js';
import { arrowSchema, type ColumnSchema } from '../../runtime/arrow-types.js';
import { generateAuctions } from './auctions.js';
import { generateBids } from './bids.js';
import type { GeneratorContext, Generated } from './context.js';
import { countBefore, eventTime, nextEventOfKind } from './model.js';
import { generatePersons } from './persons.js';
import { seedKey } from './random.js';
import { nexmarkColumns, type NexmarkKind } from './schema.js';
import { nexmarkText } from './text.js';

export interface NexmarkGeneratorOptions {
  kind: NexmarkKind;
  /** Total events of the whole Nexmark sequence (all kinds); undefined = unbounded. */
  events?: number;
  /** Any safe integer; default 0. */
  seed?: number;
  /** Event time of event 0, µs since the Unix epoch; default 2024-01-01T00:00:00Z. */
  firstEventTime?: number;
  /** Event-time rate of the whole sequence: event n happens at firstEventTime + n * 1e6 / eventsPerSecond µs. Default 10,000. */
  eventsPerSecond?: number;
  /** Rows (of this generator's kind) per batch; default 4096. */
  batchSize?: number;
  /** The event number to start at (resuming a run); default 0. */
  startEvent?: number;
}

export const DEFAULT_FIRST_EVENT_TIME = Date.UTC(2024, 0, 1) * 1000;
export const DEFAULT_EVENTS_PER_SECOND = 10_000;
export const DEFAULT_BATCH_SIZE = 4096;
export const MAX_BATCH_SIZE = 1 << 20;
/** Event numbers stay below this (with room for look-ahead), and event times below 2^53 - TIME_MARGIN µs. */
const MAX_EVENT = 2 ** 53 - 2 ** 32;
const TIME_MARGIN = 1e13;
/** The watermark of a Nexmark stream trails the largest event time by 4 s. */
export const WATERMARK_DELAY = 4_000_000;

/** The columns of a Nexmark stream of `kind` as CREATE STREAM records them (nullable, as every connector column). */
export function nexmarkStreamColumns(kind: NexmarkKind): ColumnSchema[] {
  return nexmarkColumns[kind].map((c) => ({ name: c.name, type: c.type, nullable: true }));
}

const schemas = new Map<NexmarkKind, Schema>();

/** The Arrow schema of the batches of a Nexmark stream of `kind`. */
export function nexmarkArrowSchema(kind: NexmarkKind): Schema {
  let schema = schemas.get(kind);
  if (!schema) {
    schema = arrowSchema(nexmarkStreamColumns(kind));
    schemas.set(kind, schema);
  }
  return schema;
}

function invalid(message: string): SabotError {
  return new SabotError(SqlState.invalidParameterValue, message);
}

function integerOption(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`nexmark option "${name}" must be an integer between ${min} and ${max}, not ${String(value)}`);
  }
  return value;
}

export class NexmarkGenerator implements AsyncIterable<RecordBatch> {
  readonly kind: NexmarkKind;
  readonly events: number | undefined;
  readonly seed: number;
  readonly firstEventTime: number;
  readonly eventsPerSecond: number;
  readonly batchSize: number;
  readonly schema: Schema;
  private readonly context: GeneratorContext;
  private readonly struct: Struct;
  private readonly generate: (context: GeneratorContext, start: number, rows: number) => Generated;
  /** The next event number of the sequence to look at. */
  private next: number;
  /** The event number the run ends before: `events`, or for an unbounded run the last with a safe event time. */
  private readonly end: number;
  /** Largest date_time emitted, µs; before the first row, the time of the first event. */
  private maxTime: number;

  constructor(options: NexmarkGeneratorOptions) {
    if (typeof options !== 'object' || options === null) throw invalid('nexmark options must be an object');
    const kind = options.kind;
    if (kind !== 'bid' && kind !== 'auction' && kind !== 'person') {
      throw invalid(`nexmark kind must be bid, auction or person, not "${String(kind)}"`);
    }
    this.kind = kind;
    this.events = options.events === undefined ? undefined : integerOption('events', options.events, 0, Number.MAX_SAFE_INTEGER);
    this.seed = options.seed === undefined ? 0 : integerOption('seed', options.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    // Event times stay well inside the safe integer range (about 250 years either side of 1970).
    this.firstEventTime = options.firstEventTime === undefined ? DEFAULT_FIRST_EVENT_TIME
      : integerOption('firstEventTime', options.firstEventTime, -8e15, 8e15);
    this.eventsPerSecond = options.eventsPerSecond === undefined ? DEFAULT_EVENTS_PER_SECOND
      : integerOption('eventsPerSecond', options.eventsPerSecond, 1, 1e9);
    this.batchSize = options.batchSize === undefined ? DEFAULT_BATCH_SIZE : integerOption('batchSize', options.batchSize, 1, MAX_BATCH_SIZE);
    const start = options.startEvent === undefined ? 0
      : integerOption('startEvent', options.startEvent, 0, this.events ?? Number.MAX_SAFE_INTEGER);
    // Event numbers and times (with a margin for auctions' expiry) must stay safe integers.
    this.end = Math.min(MAX_EVENT, Math.floor(((Number.MAX_SAFE_INTEGER - TIME_MARGIN - this.firstEventTime) / 1e6) * this.eventsPerSecond));
    if (this.events !== undefined && this.events > this.end) {
      throw invalid(`nexmark option "events" must be at most ${this.end} with this firstEventTime and eventsPerSecond`);
    }
    if (this.events !== undefined) this.end = this.events;
    this.schema = nexmarkArrowSchema(kind);
    this.struct = new Struct(this.schema.fields);
    this.context = {
      key: seedKey(this.seed),
      text: nexmarkText(),
      firstEventTime: this.firstEventTime,
      eventsPerSecond: this.eventsPerSecond,
      types: { int64: new Int64(), timestamp: new TimestampMicrosecond(), utf8: new Utf8() },
      scratch: new Int32Array(0),
    };
    this.generate = kind === 'bid' ? generateBids : kind === 'auction' ? generateAuctions : generatePersons;
    this.next = nextEventOfKind(kind, start);
    this.maxTime = eventTime(this.firstEventTime, this.eventsPerSecond, start);
  }

  /** True once every event of a bounded run has been emitted (nextBatch() returns null). */
  get done(): boolean {
    return this.next >= this.end;
  }

  /** The event number the next batch starts at or after: where a resumed run would start. */
  get nextEvent(): number {
    return Math.min(this.next, this.end);
  }

  /** Rows of this kind still to come (for an unbounded run, until event times near 2^53 µs). */
  get remaining(): number {
    return Math.max(0, countBefore(this.kind, this.end) - countBefore(this.kind, this.next));
  }

  /**
   * The watermark, µs: 4 s behind the largest date_time emitted so far (before the first
   * batch, 4 s behind the time of the starting event).
   */
  watermark(): number {
    return this.maxTime - WATERMARK_DELAY;
  }

  /** The next batch of at most batchSize rows, or null once a bounded run is done. */
  nextBatch(): RecordBatch | null {
    const rows = Math.min(this.batchSize, this.remaining);
    if (rows <= 0) return null;
    const { columns, next, lastTime } = this.generate(this.context, this.next, rows);
    this.next = next;
    this.maxTime = lastTime;
    return new RecordBatch(this.schema, makeData({ type: this.struct, length: rows, nullCount: 0, children: columns }));
  }

  /** Yields batches until a bounded run ends, letting I/O run between batches. */
  async *[Symbol.asyncIterator](): AsyncGenerator<RecordBatch, void, undefined> {
    for (;;) {
      const batch = this.nextBatch();
      if (batch === null) return;
      yield batch;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
