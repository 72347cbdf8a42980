import type { RecordBatch } from 'apache-arrow';
import type { UserFunctionMode } from '../plan/logical-plan.js';
import type { FilterFunction, FlatMapFunction, MapFunction, RecordFunction, UserFunction } from '../runtime/user-function.js';

/** Options of the built-in Nexmark generator (see connector = 'nexmark' in the README). */
export interface NexmarkOptions {
  kind: 'bid' | 'auction' | 'person';
  /** Events of the whole sequence: a bounded, deterministic run; unbounded when absent. */
  events?: number;
  /** Events per second, paced to the wall clock. */
  rate?: number;
  seed?: number;
}

/** An event-time window; sizes are SQL intervals ('10 seconds', '1 minute'); `on` names a timestamp column. */
export type WindowOptions =
  | { kind: 'tumble'; on: string; size: string }
  | { kind: 'hop'; on: string; slide: string; size: string }
  | { kind: 'session'; on: string; gap: string };

export type SourceSpec =
  /** A stream of the catalog (fromStream), or one that must be a Kafka stream (fromKafka). */
  | { kind: 'stream'; name: string; kafka: boolean }
  | { kind: 'nexmark'; options: NexmarkOptions }
  | { kind: 'batches'; batches: readonly RecordBatch[] };

/** What a Stream is: a tree of the operations asked for, bound into logical operators when its dataflow starts. */
export type StreamNode =
  | { kind: 'source'; source: SourceSpec }
  | { kind: 'filter'; input: StreamNode; predicate: string }
  | { kind: 'function'; input: StreamNode; mode: UserFunctionMode; fn: UserFunction }
  | { kind: 'select'; input: StreamNode; items: readonly string[] }
  | { kind: 'window'; input: StreamNode; window: WindowOptions }
  | { kind: 'aggregate'; input: StreamNode; keys: readonly string[]; aggregates: readonly string[] }
  | { kind: 'join'; left: StreamNode; right: StreamNode; on: string; type: 'inner' | 'left' }
  | { kind: 'union'; left: StreamNode; right: StreamNode };

/** The inputs of a node, in the order they are bound (left before right). */
export function nodeInputs(node: StreamNode): StreamNode[] {
  switch (node.kind) {
    case 'source': return [];
    case 'join': case 'union': return [node.left, node.right];
    default: return [node.input];
  }
}

/** Where a dataflow's rows go: a stream of the catalog (toStream, toKafka). */
export class DataflowSink {
  /** @internal */
  constructor(readonly input: StreamNode, readonly stream: string, readonly kafka: boolean) {}
}

/**
 * A stream of rows in Arrow RecordBatches, described operation by operation: each
 * method returns a new Stream. A dataflow's builder (App.dataflow) returns one ending in
 * toStream or toKafka (or a Stream, whose rows the dataflow then keeps as its result).
 * It becomes the same logical operators as the SQL saying the same thing: filter and
 * select take SQL expressions bound as SQL binds them; keyBy, window, aggregate, join
 * and union build SQL's GROUP BY, window, join and UNION ALL operators.
 *
 * filter, map and flatMap also take JavaScript functions over whole batches. Agents run
 * them by importing the module that defined the dataflow, so that module must be a file
 * they can import (not a REPL), and the builder must pass the same functions in the
 * same order each time it runs. Functions are synchronous and must not keep state
 * between batches (a dataflow's tasks each run their own copy).
 */
export class Stream {
  /** @internal */
  constructor(readonly node: StreamNode) {}

  /** The rows of a stream of the catalog (CREATE STREAM). */
  static fromStream(name: string): Stream {
    return new Stream({ kind: 'source', source: { kind: 'stream', name, kafka: false } });
  }

  /** The rows of a Kafka stream of the catalog (CREATE STREAM ... WITH (connector = 'kafka', ...)). */
  static fromKafka(stream: string): Stream {
    return new Stream({ kind: 'source', source: { kind: 'stream', name: stream, kafka: true } });
  }

  /**
   * Nexmark events from the built-in generator. The App creates a Nexmark stream of
   * these options, named nexmark_<kind>_<hash of the options>, when the dataflow starts.
   */
  static fromNexmark(options: NexmarkOptions): Stream {
    return new Stream({ kind: 'source', source: { kind: 'nexmark', options: { ...options } } });
  }

  /**
   * These batches (all of one schema), in order. The App appends them to an internal
   * stream named batches_<hash of their contents> when the dataflow starts (once: the
   * same batches name the same stream).
   */
  static fromBatches(batches: readonly RecordBatch[]): Stream {
    return new Stream({ kind: 'source', source: { kind: 'batches', batches: [...batches] } });
  }

  /**
   * The rows where `predicate` holds: an SQL predicate (`'auction % 123 = 0'`, a WHERE
   * clause), or a function returning a boolean Vector for a batch (compute.greater, ...).
   */
  filter(predicate: string | FilterFunction): Stream {
    return typeof predicate === 'string'
      ? new Stream({ kind: 'filter', input: this.node, predicate })
      : new Stream({ kind: 'function', input: this.node, mode: 'filter', fn: predicate });
  }

  /**
   * A batch for each batch. The output columns are those the function returns when the
   * dataflow is planned, when it is called once with an empty batch; every batch it
   * returns must have them.
   */
  map(fn: MapFunction): Stream {
    return new Stream({ kind: 'function', input: this.node, mode: 'map', fn });
  }

  /** Any number of batches for each batch; their columns are those of the batches it returns for an empty batch (the input's when none). */
  flatMap(fn: FlatMapFunction): Stream {
    return new Stream({ kind: 'function', input: this.node, mode: 'flat-map', fn });
  }

  /** A projection, as a select list: column names or SQL expressions with AS (`'price * 0.908 AS price'`), or '*'. */
  select(...items: string[]): Stream {
    return new Stream({ kind: 'select', input: this.node, items });
  }

  /**
   * Event-time windows, as TUMBLE, HOP and SESSION in FROM: the rows gain window_start
   * and window_end. Followed by aggregate, one result per key and window, emitted once
   * the watermark passes the window's end; followed by anything else, a row per window a
   * row falls in (tumble and hop).
   */
  window(window: WindowOptions): Stream {
    return new Stream({ kind: 'window', input: this.node, window });
  }

  /** Groups by these keys (column names or SQL expressions) for aggregate. */
  keyBy(...keys: string[]): KeyedStream {
    return new KeyedStream(this.node, keys);
  }

  /** Aggregates over all rows (per window after window()): SQL aggregate calls such as 'count(*) AS bids', 'max(price) AS top'. */
  aggregate(...aggregates: string[]): Stream {
    return new KeyedStream(this.node, []).aggregate(...aggregates);
  }

  /**
   * The pairs of rows of this stream and `other` for which `on` holds, an SQL condition
   * with an equality between the two sides (`'bids.auction = auctions.id'`; columns are
   * qualified by their stream's name). The output has this stream's columns, then the
   * other's. A left join keeps this stream's rows without a match, padded with NULLs.
   */
  join(other: Stream, on: string, options: { type?: 'inner' | 'left' } = {}): Stream {
    return new Stream({ kind: 'join', left: this.node, right: other.node, on, type: options.type ?? 'inner' });
  }

  /** The rows of this stream and of the others (UNION ALL): the same number of columns, of the same types. */
  union(...others: Stream[]): Stream {
    return others.reduce<Stream>((left, right) => new Stream({ kind: 'union', left: left.node, right: right.node }), this);
  }

  /** Writes the rows into a stream of the catalog, column by column in order (as INSERT INTO stream SELECT ...). */
  toStream(name: string): DataflowSink {
    return new DataflowSink(this.node, name, false);
  }

  /** Writes the rows into a Kafka stream of the catalog. */
  toKafka(stream: string): DataflowSink {
    return new DataflowSink(this.node, stream, true);
  }
}

/** A stream grouped by keys: aggregate gives one row per key (per window, after window()). */
export class KeyedStream {
  /** @internal */
  constructor(private readonly input: StreamNode, private readonly keys: readonly string[]) {}

  /** Windows of the keyed rows: see Stream.window. */
  window(window: WindowOptions): KeyedStream {
    return new KeyedStream({ kind: 'window', input: this.input, window }, this.keys);
  }

  /**
   * One row per key: the keys, then window_start and window_end when windowed, then the
   * aggregates ('count(*) AS bids', 'sum(price) AS volume'). Windowed, a window's rows
   * come once its end passes the watermark; unwindowed, the result is updated by key.
   */
  aggregate(...aggregates: string[]): Stream {
    return new Stream({ kind: 'aggregate', input: this.input, keys: this.keys, aggregates });
  }
}

/** A record agent (app.agent): an async generator per row, as a user function node. */
export function recordAgentStream(input: Stream, fn: RecordFunction): Stream {
  return new Stream({ kind: 'function', input: input.node, mode: 'records', fn });
}
