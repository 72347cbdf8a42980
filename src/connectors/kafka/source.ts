import type { StreamDefinition } from '../../control/catalog/streams.js';
import type { SourceBatch, SourceConnector, SourceOpenOptions, SourceSplit } from '../connector.js';
import { KafkaClient, type FetchedPartition, type OffsetSpec, type TopicLayout } from './client.js';
import { readRecords } from './record-batch-reader.js';
import { RecordDecoder } from './record-decoder.js';
import { kafkaOptions, type KafkaStreamOptions } from './stream-options.js';

/** Rows a batch gathers from records already on the broker before it is handed on. */
const BATCH_ROWS = 32_768;
/** How long a fetch waits on the broker for new records (then next() asks again). */
const LONG_POLL_MS = 500;
/** Fetch sizes: about 1 MB per response parses fastest with the client library. */
const FETCH = { maxBytes: 1 << 20, partitionMaxBytes: 256 << 10 };
/** How often a split looks for partitions added to its topic. */
const METADATA_REFRESH_MS = 10_000;
const RETRY_MS = { first: 200, max: 5_000 };

/**
 * The next offset of each partition a split reads: its position, as the JSON object
 * `{"<partition>": offset}`. Splits read disjoint partitions, so the positions of all
 * splits of a source can be merged into one object and handed to every split (after
 * a rescale each takes its own partitions' offsets from it).
 */
export type KafkaPosition = Record<string, number>;

function positionFrom(value: unknown): Map<number, number> {
  const out = new Map<number, number>();
  if (value && typeof value === 'object' && 'rescaled' in value) {
    // After ALTER DATAFLOW ... SET PARALLELISM: the old splits' positions, whose partitions never overlap.
    for (const old of (value as { rescaled: { positions: unknown[] } }).rescaled.positions) {
      for (const [p, o] of positionFrom(old)) out.set(p, o);
    }
  } else if (value && typeof value === 'object') {
    for (const [p, o] of Object.entries(value)) out.set(Number(p), Number(o));
  }
  return out;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** The promise's value, or null as soon as the signal aborts. */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | null> {
  if (signal.aborted) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const abort = () => resolve(null);
    signal.addEventListener('abort', abort, { once: true });
    promise.then((v) => { signal.removeEventListener('abort', abort); resolve(v); },
      (e) => { signal.removeEventListener('abort', abort); reject(e); });
  });
}

/**
 * One split of a Kafka source: the partitions p of the topic with p % splits == split.
 * Reads them with fetch requests of its own (no consumer group: the offsets are the
 * job's, handed in and out as positions), waits on the broker when there is nothing
 * new, and rides out a broker that goes away: it retries until the broker is back and
 * goes on from the offsets it has handed on, skipping nothing.
 */
class KafkaSplit implements SourceSplit {
  private layout: TopicLayout | null = null;
  private layoutAt = 0;
  private started: boolean;
  private retryMs = RETRY_MS.first;
  /** The offsets after the last batch handed on (positions run ahead while a batch gathers). */
  private handed: Map<number, number>;
  /** Aborted by close(): ends a flushMark() waiting for the broker. */
  private readonly closing = new AbortController();
  /** The partitions of the rows gathered for the next batch, as runs in row order. */
  private runs: { partition: string; rows: number }[] = [];

  constructor(private readonly client: KafkaClient, private readonly options: KafkaStreamOptions,
    private readonly split: number, private readonly splits: number,
    private readonly positions: Map<number, number>, private readonly decoder: RecordDecoder, resumed: boolean) {
    this.started = resumed;
    this.handed = new Map(positions);
  }

  private owns(partition: number): boolean {
    return partition % this.splits === this.split;
  }

  private ownPartitions(): number[] {
    return (this.layout?.leaders ?? []).map((_, p) => p).filter((p) => this.owns(p));
  }

  /** Looks up the topic's partitions (now and then, or when asked) and the start offsets of partitions new to the split. */
  private async refresh(force: boolean): Promise<void> {
    if (!force && this.layout && Date.now() - this.layoutAt < METADATA_REFRESH_MS) return;
    this.layout = await this.client.topic(this.options.topic, true);
    this.layoutAt = Date.now();
    const missing = this.ownPartitions().filter((p) => !this.positions.has(p));
    if (missing.length > 0) {
      // A split that has started reads partitions added later from their beginning.
      const spec: OffsetSpec = this.started ? 'earliest' : this.options.startup;
      for (const [p, offset] of await this.client.offsets(this.options.topic, missing, spec)) {
        this.positions.set(p, Number(offset));
        this.handed.set(p, Number(offset));
      }
    }
    this.started = true;
  }

  async next(signal: AbortSignal): Promise<SourceBatch | null> {
    let waitMs = LONG_POLL_MS;
    for (;;) {
      if (signal.aborted) return null;
      let fetched: FetchedPartition[][] | null;
      try {
        await this.refresh(false);
        const byLeader = new Map<number, { partition: number; offset: bigint }[]>();
        for (const p of this.ownPartitions()) {
          const leader = this.layout!.leaders[p]!;
          if (!byLeader.has(leader)) byLeader.set(leader, []);
          byLeader.get(leader)!.push({ partition: p, offset: BigInt(this.positions.get(p)!) });
        }
        if (byLeader.size === 0) { // no topic yet, or no partition for this split
          await sleep(LONG_POLL_MS, signal);
          if (this.decoder.size > 0) return this.batch();
          continue;
        }
        fetched = await unlessAborted(Promise.all([...byLeader].map(([leader, from]) =>
          this.client.fetch(this.layout!, leader, from, { maxWaitMs: waitMs, ...FETCH }))), signal);
        if (fetched === null) return null;
        this.retryMs = RETRY_MS.first;
      } catch {
        // The broker is unreachable or moved the partitions: hand on what was gathered, then
        // wait and ask again, from the same offsets.
        if (this.decoder.size > 0 || this.decoder.hasRejected) return this.batch();
        await this.backOff(signal);
        continue;
      }
      let records = false;
      let errors = false;
      for (const part of fetched.flat()) {
        if (part.error !== null) { errors = true; await this.partitionError(part).catch(() => {}); continue; }
        if (!part.records) continue;
        const from = this.positions.get(part.partition)!;
        const rowsBefore = this.decoder.size;
        const next = readRecords(part.records, from, (bytes, ks, ke, vs, ve, offset, ts) =>
          this.decoder.add(part.partition, bytes, ks, ke, vs, ve, offset, ts));
        this.addRun(String(part.partition), this.decoder.size - rowsBefore);
        if (next > from) records = true;
        this.positions.set(part.partition, next);
      }
      // Gather what is already there into a fuller batch; hand it on once nothing more is waiting.
      if (records && this.decoder.size < BATCH_ROWS) { waitMs = 0; continue; }
      if (this.decoder.size > 0 || this.decoder.hasRejected) return this.batch();
      if (errors) await this.backOff(signal); // the broker answers at once with an error: do not spin
      waitMs = LONG_POLL_MS;
    }
  }

  private async backOff(signal: AbortSignal): Promise<void> {
    await sleep(this.retryMs, signal);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MS.max);
    this.layoutAt = 0;
  }

  private async partitionError(part: FetchedPartition): Promise<void> {
    this.layoutAt = 0; // a moved leader, a recreated topic, ...: look again
    if (part.error === 'OFFSET_OUT_OF_RANGE') {
      // Retention removed records not yet read, or the topic was recreated: go on from what exists.
      const [earliest, latest] = await Promise.all(['earliest' as const, 'latest' as const].map((spec) =>
        this.client.offsets(this.options.topic, [part.partition], spec).then((m) => Number(m.get(part.partition)))));
      const at = this.positions.get(part.partition)!;
      this.positions.set(part.partition, at < earliest! ? earliest! : Math.min(at, latest!));
    }
  }

  /** Rows decoded from `partition` since the last run: they extend its run, or start one. */
  private addRun(partition: string, rows: number): void {
    if (rows === 0) return;
    const last = this.runs[this.runs.length - 1];
    if (last?.partition === partition) last.rows += rows;
    else this.runs.push({ partition, rows });
  }

  private batch(): SourceBatch {
    const { batch, rejected } = this.decoder.take();
    this.handed = new Map(this.positions);
    const partitionRuns = this.runs;
    this.runs = [];
    const partitions = [...this.positions.keys()].map(String);
    return { batch, position: this.position(), partitionRuns, partitions, ...(rejected.length > 0 ? { rejected } : {}) };
  }

  private position(): KafkaPosition {
    const out: KafkaPosition = {};
    for (const [p, o] of [...this.positions].sort((a, b) => a[0] - b[0])) out[String(p)] = o;
    return out;
  }

  /**
   * The end offset of each of the split's partitions now: `{"<partition>": end}`. While
   * the broker is away it waits and asks again, as next() does (a FLUSH waits for the
   * broker rather than fails); once the split closes there is nothing to wait for.
   */
  async flushMark(): Promise<unknown> {
    let retryMs = RETRY_MS.first;
    for (;;) {
      try {
        await this.refresh(true);
        const ends = await this.client.offsets(this.options.topic, this.ownPartitions(), 'latest');
        const mark: KafkaPosition = {};
        for (const [p, end] of ends) mark[String(p)] = Number(end);
        return mark;
      } catch {
        await sleep(retryMs, this.closing.signal);
        if (this.closing.signal.aborted) return undefined;
        retryMs = Math.min(retryMs * 2, RETRY_MS.max);
      }
    }
  }

  passed(mark: unknown): boolean {
    for (const [p, end] of positionFrom(mark)) {
      if (this.owns(p) && (this.handed.get(p) ?? 0) < end) return false;
    }
    return true;
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.client.close();
  }
}

/**
 * The Kafka source: `open` gives split `split` of `splits`, reading `columns` (a subset
 * of the stream's) from `position` (a KafkaPosition) or, when null, from the stream's
 * scan_startup_mode. Kafka errors never reach the caller: the split waits them out.
 */
export const kafkaSource: SourceConnector = {
  async open(stream: StreamDefinition, open: SourceOpenOptions): Promise<SourceSplit> {
    const options = kafkaOptions(stream);
    const positions = new Map([...positionFrom(open.position)].filter(([p]) => p % open.splits === open.split));
    const decoder = new RecordDecoder(stream, options, open.columns);
    return new KafkaSplit(new KafkaClient(options.bootstrapServers), options, open.split, open.splits, positions, decoder,
      open.position !== null && open.position !== undefined);
  },
};
