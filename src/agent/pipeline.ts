import type { RecordBatch } from 'apache-arrow';
import type { RejectedRecord, SinkWriter, SourceBatch, SourceSplit } from '../connectors/connector.js';
import type { CatalogAccess, CatalogStore } from '../control/catalog/catalog-store.js';
import type { ChainRejection } from '../runtime/operator-chain.js';

/** A round ends after this many rows, or this long after its first batch, whichever comes first. */
const ROUND_ROWS = 262_144;
const ROUND_MS = 50;
/** How long a round waits for one more batch once it has some, before writing what it has. */
const ROUND_IDLE_MS = 5;
/**
 * Into keyed operators, a round also ends once the split's watermark has moved this far
 * (µs of event time): the operators close windows and expire rows when the watermark
 * that follows a round arrives, so what they hold grows with the event time a round
 * spans (a round of 262,144 Nexmark persons spans 13 M events).
 */
const ROUND_EVENT_TIME = 10_000_000;

/** What a pipeline records about one of its tasks, accumulated across the job's pipelines. */
export interface TaskCounter {
  taskId: string;
  operatorId: string;
  rows: bigint;
  rejected: bigint;
}

/** How a pipeline runs its chain over a batch (inline, or over the morsel pool). */
export type ChainRunner = (batch: RecordBatch) => Promise<{ batch: RecordBatch; rejected: ChainRejection[] }> | { batch: RecordBatch; rejected: ChainRejection[] };

export interface PipelineTasks {
  source: TaskCounter;
  /** The tasks of the chained operators and of the sink: each counts the rows that left it. */
  downstream: TaskCounter[];
}

export interface PipelineOptions {
  jobId: string;
  /** Name of the stream read, for dead letters. */
  sourceName: string;
  split: SourceSplit;
  /** Where the split was opened (null: its beginning). */
  position: unknown;
  sink: SinkWriter;
  runChain: ChainRunner;
  tasks: PipelineTasks;
  /** Runs writes of a round (positions, counters, dead letters) in one catalog transaction. */
  commit: (write: (tx: CatalogAccess, now: number) => Promise<void>) => Promise<void>;
  signal: AbortSignal;
  /**
   * Where the split's event-time progress goes when the sink is an exchange into keyed
   * operators: the watermark after each round, and the end of a bounded split.
   */
  progress?: { watermark(wm: number): Promise<void>; end(): Promise<void>; ready?(): Promise<void> };
  /** Counters of tasks that run elsewhere in the job (keyed operators), recorded with each round. */
  alsoRecord?: readonly TaskCounter[];
}

interface FlushWaiter {
  mark: unknown;
  resolve: () => void;
}

const TIMEOUT = Symbol('timeout');

/** Tests kill the process at a point of a round (SABOT_CRASH_IN_ROUND=before-write|after-write) to check what a restart makes of it. */
function crashHook(point: string): void {
  if (process.env.SABOT_CRASH_IN_ROUND === point) process.kill(process.pid, 'SIGKILL');
}

const NO_PENDING = { pending_json: null, sink_mark: null, pending_at: null };

/** The tag a pipeline's writes carry: a nonzero 32-bit FNV-1a hash of its source task's id. */
function writerTag(taskId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < taskId.length; i++) h = Math.imul(h ^ taskId.charCodeAt(i), 0x01000193);
  return (h >>> 0) || 1;
}

async function savePosition(tx: CatalogAccess, taskId: string, jobId: string, position: unknown, now: number,
  pending: Record<string, unknown>): Promise<void> {
  const row = { job_id: jobId, position_json: JSON.stringify(position), updated_at: now, ...pending };
  if (!await tx.insert('source_positions', { task_id: taskId, ...row })) await tx.update('source_positions', { task_id: taskId }, row);
}

/**
 * Where a source task resumes: its recorded position, or, when a round was in flight into
 * a transactional sink at a crash, that round's end if the sink holds its write. Settles
 * the record (dead letters of a round that did not land are removed: it runs again).
 */
export async function resumePosition(catalog: CatalogStore, taskId: string, sink: SinkWriter): Promise<unknown> {
  const [row] = await catalog.select('source_positions', { task_id: taskId });
  if (!row) return null;
  if (row.pending_json === null) return JSON.parse(row.position_json as string) as unknown;
  const landed = sink.transactional !== undefined && await sink.transactional.wroteSince(row.sink_mark as string, writerTag(taskId));
  const position = landed ? row.pending_json as string : row.position_json as string;
  await catalog.transaction(async (tx) => {
    if (!landed) await tx.delete('dead_letters', { job_id: row.job_id, recorded_at: row.pending_at });
    await tx.update('source_positions', { task_id: taskId }, { position_json: position, ...NO_PENDING });
  });
  return JSON.parse(position) as unknown;
}

function positionText(position: unknown): string {
  if (position === null) return '0';
  return typeof position === 'string' || typeof position === 'number' ? String(position) : JSON.stringify(position);
}

/**
 * One source split, the chained stateless operators and the sink, run in rounds: take the
 * batches the split has (up to a round's size), run the chain, write the sink, then record
 * the split's position, the tasks' counters and the rejected rows in one transaction. A
 * restart resumes at the recorded position; a crash between the sink write and the record
 * repeats that round's rows (at least once).
 */
export class Pipeline {
  /** Batches taken from the split and not yet written and recorded. */
  private unwritten = 0;
  private waiters: FlushWaiter[] = [];
  private ended = false;
  /** The split's position after the last batch taken into a round. */
  private position: unknown;
  /** The split's event-time watermark after the last batch taken (µs). */
  private watermark = -Infinity;

  constructor(private readonly o: PipelineOptions) {
    this.position = o.position;
  }

  private take(): Promise<SourceBatch | null> {
    return this.o.split.next(this.o.signal).then((r) => {
      if (r !== null) this.unwritten++;
      return r;
    });
  }

  /** Runs until the split ends (resolves true) or the signal aborts (resolves false). */
  async run(): Promise<boolean> {
    try {
      let pending: Promise<SourceBatch | null> | null = this.take();
      for (;;) {
        const taken: SourceBatch[] = [];
        let rows = 0;
        let exhausted = false;
        const started = performance.now();
        let from = this.watermark;
        for (;;) {
          let r: SourceBatch | null | typeof TIMEOUT;
          if (taken.length === 0) {
            r = await pending!;
          } else {
            let timer: NodeJS.Timeout | undefined;
            const wait = Math.max(0, Math.min(ROUND_IDLE_MS, ROUND_MS - (performance.now() - started)));
            r = await Promise.race([pending!, new Promise<typeof TIMEOUT>((resolve) => { timer = setTimeout(resolve, wait, TIMEOUT); })]);
            clearTimeout(timer);
          }
          if (r === TIMEOUT) break;
          pending = null;
          if (r === null) {
            exhausted = true;
            break;
          }
          taken.push(r);
          rows += r.batch.numRows;
          pending = this.take();
          if (rows >= ROUND_ROWS || performance.now() - started >= ROUND_MS) break;
          if (this.o.progress && r.watermark !== undefined) {
            if (from === -Infinity) from = r.watermark;
            else if (r.watermark - from >= ROUND_EVENT_TIME) break;
          }
        }
        if (taken.length > 0) await this.round(taken);
        if (exhausted) {
          if (!this.o.signal.aborted) await this.o.progress?.end();
          this.ended = true;
          return !this.o.signal.aborted;
        }
        // Let connections and other dataflows run between rounds.
        await new Promise<void>((resolve) => setImmediate(resolve));
        // Wait while this split is ahead in event time of the other inputs of the keyed operators it feeds.
        if (this.o.progress?.ready) await this.aligned(this.o.progress.ready());
      }
    } finally {
      this.ended = true;
      this.wakeAll();
      await Promise.all([this.o.split.close(), this.o.sink.close()]);
    }
  }

  /** Waits for `ready`, or for the signal to abort. */
  private async aligned(ready: Promise<void>): Promise<void> {
    const signal = this.o.signal;
    if (signal.aborted) return;
    let onAbort: (() => void) | undefined;
    await Promise.race([ready, new Promise<void>((resolve) => {
      onAbort = resolve;
      signal.addEventListener('abort', onAbort, { once: true });
    })]);
    signal.removeEventListener('abort', onAbort!);
  }

  private async round(taken: SourceBatch[]): Promise<void> {
    const out: RecordBatch[] = [];
    const rejected: { record: RejectedRecord; position: unknown }[] = [];
    let read = 0;
    let written = 0;
    let previous = this.position;
    const rejectedBy = new Map<string, number>();
    const count = (operator: string) => rejectedBy.set(operator, (rejectedBy.get(operator) ?? 0) + 1);
    for (const t of taken) {
      read += t.batch.numRows;
      for (const record of t.rejected ?? []) {
        rejected.push({ record, position: positionText(previous) });
        count(this.o.tasks.source.operatorId);
      }
      const r = await this.o.runChain(t.batch);
      for (const x of r.rejected) count(x.operator);
      if (r.batch.numRows > 0) out.push(r.batch);
      written += r.batch.numRows;
      // Rows of one batch share its start position; #k tells them apart.
      r.rejected.forEach((x, k) => rejected.push({
        record: { source: this.o.sourceName, reason: `${x.reason} (SQLSTATE ${x.sqlstate}) in ${x.operator}`, payload: x.payload, offset: null },
        position: `${positionText(previous)}#${k}`,
      }));
      previous = t.position;
      if (t.watermark !== undefined && t.watermark > this.watermark) this.watermark = t.watermark;
    }
    const tasks = this.o.tasks;
    const next = taken[taken.length - 1]!.position;
    const deadLetters = async (tx: CatalogAccess, now: number) => {
      for (const { record, position: at } of rejected) {
        await tx.insert('dead_letters', {
          job_id: this.o.jobId, source: record.source, reason: record.reason, payload: record.payload,
          offset: record.offset !== null ? record.offset.toString() : String(at), recorded_at: now,
        });
      }
    };
    const transactional = this.o.sink.transactional;
    let recorded = false;
    if (transactional && out.length > 0) {
      // The round's end is recorded as pending before the tagged write; a restart asks the
      // sink whether the write landed, and takes the pending position only if it did.
      const mark = await transactional.mark();
      await this.o.commit(async (tx, now) => {
        await savePosition(tx, tasks.source.taskId, this.o.jobId, this.position, now,
          { pending_json: JSON.stringify(next), sink_mark: mark, pending_at: now });
        await deadLetters(tx, now);
      });
      recorded = true;
      crashHook('before-write');
      await this.o.sink.write(out, writerTag(tasks.source.taskId));
      crashHook('after-write');
    } else {
      await this.o.sink.write(out);
    }
    tasks.source.rows += BigInt(read);
    for (const t of tasks.downstream) {
      t.rows += BigInt(written);
      t.rejected += BigInt(rejectedBy.get(t.operatorId) ?? 0);
    }
    tasks.source.rejected += BigInt(rejectedBy.get(tasks.source.operatorId) ?? 0);
    this.position = next;
    await this.o.commit(async (tx, now) => {
      await savePosition(tx, tasks.source.taskId, this.o.jobId, next, now, NO_PENDING);
      for (const t of [tasks.source, ...tasks.downstream, ...this.o.alsoRecord ?? []]) {
        await tx.update('tasks', { task_id: t.taskId }, { rows_processed: t.rows, rows_rejected: t.rejected, last_heartbeat: now });
      }
      if (!recorded) await deadLetters(tx, now);
    });
    await this.o.progress?.watermark(this.watermark);
    this.unwritten -= taken.length;
    this.wakePassed();
  }

  /** Resolves once every row the split holds now has been written and recorded (or the pipeline ended). */
  async flush(): Promise<void> {
    if (this.ended) return;
    const mark = await this.o.split.flushMark();
    if (this.ended || (this.unwritten === 0 && this.o.split.passed(mark))) return;
    await new Promise<void>((resolve) => this.waiters.push({ mark, resolve }));
  }

  private wakePassed(): void {
    if (this.unwritten !== 0) return;
    const keep: FlushWaiter[] = [];
    for (const w of this.waiters) {
      if (this.o.split.passed(w.mark)) w.resolve();
      else keep.push(w);
    }
    this.waiters = keep;
  }

  private wakeAll(): void {
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }
}
