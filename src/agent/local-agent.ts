import type { RecordBatch } from 'apache-arrow';
import type { InternalStreams } from '../connectors/internal/internal-streams.js';
import type { CatalogStore } from '../control/catalog/catalog-store.js';
import type { StreamCatalog } from '../control/catalog/stream-catalog.js';
import { SabotError, SqlState, toSabotError } from '../errors.js';
import type { EvalContext, FunctionRegistry } from '../functions/scalar-function.js';
import type { JobGraph, JobGraphOperator } from '../plan/job-graph.js';
import { compileChain, dataflowEvalContext, operatorColumns, type ChainStage } from '../runtime/operator-chain.js';

export interface AgentContext {
  catalog: CatalogStore;
  functions: FunctionRegistry;
  streams: StreamCatalog;
  internalStreams: InternalStreams;
}

interface RunningJob {
  jobId: string;
  source: string;
  /** Rows of the source stream read and written through, durably recorded as the source task's rows_processed. */
  position: bigint;
  abort: AbortController;
  done: Promise<void>;
  waiters: (() => void)[];
}

/** The job graphs the agent runs for now: one internal source, filters and projections, one internal sink. */
export function checkRunnable(graph: JobGraph, streams: StreamCatalog): void {
  const fail = (what: string) => {
    throw new SabotError(SqlState.featureNotSupported, `dataflows with ${what} cannot run yet`,
      { hint: 'Dataflows that read one internal stream, filter and project, and insert into an internal stream run now.' });
  };
  if ((graph.parallelism ?? 1) !== 1 || graph.operators.some((o) => (o.parallelism ?? 1) !== 1)) fail('parallelism above 1');
  for (const op of graph.operators) {
    const p = op.params ?? {};
    if (op.type === 'union') fail('UNION ALL');
    if (op.type === 'source' && p.connector !== 'internal') fail(`a ${String(p.connector)} source`);
    if (op.type === 'sink' && (p.stream === null || streams.get(p.stream as string)?.connector !== 'internal')) fail('a kept result or a non-internal sink');
  }
}

/**
 * The in-process agent: runs the tasks of deployed jobs over Arrow batches. A job reads
 * its source stream's log from the position its source task durably recorded, runs the
 * compiled filter and projection kernels, appends to the sink stream's log, then records
 * the new position, so a restart resumes where the last append ended.
 */
export class LocalAgent {
  private readonly jobs = new Map<string, RunningJob>();

  constructor(private readonly ctx: AgentContext) {}

  /** Starts (or, after a restart, resumes) a job. */
  async run(jobId: string, graph: JobGraph): Promise<void> {
    if (this.jobs.has(jobId)) return;
    const ops = graph.operators;
    const sourceOp = ops.find((o) => o.type === 'source')!;
    const sinkOp = ops.find((o) => o.type === 'sink')!;
    const source = this.ctx.streams.get(sourceOp.params!.stream as string);
    const sink = this.ctx.streams.get(sinkOp.params!.stream as string);
    if (!source || !sink) throw new SabotError(SqlState.undefinedTable, `a stream of job ${jobId} no longer exists`);
    const abort = new AbortController();
    const evalContext = dataflowEvalContext(abort.signal);
    const stages = this.compile(graph, evalContext);
    const [sourceTask] = await this.ctx.catalog.select('tasks', { job_id: jobId, operator_id: sourceOp.id });
    const job: RunningJob = {
      jobId, source: source.name, position: (sourceTask?.rows_processed as bigint | undefined) ?? 0n, abort, waiters: [],
      done: Promise.resolve(),
    };
    this.jobs.set(jobId, job);
    const sourceLog = await this.ctx.internalStreams.log(source);
    const sinkLog = await this.ctx.internalStreams.log(sink);
    job.done = (async () => {
      try {
        while (!abort.signal.aborted) {
          if (sourceLog.end <= job.position) {
            this.wake(job);
            await sourceLog.waitFor(job.position + 1n, abort.signal).catch(() => undefined);
            continue;
          }
          const end = sourceLog.end;
          const out: RecordBatch[] = [];
          let rows = 0;
          for await (const { batch } of sourceLog.read(job.position, end)) {
            let b = batch;
            for (const stage of stages) b = stage(b);
            if (b.numRows > 0) out.push(b);
            rows += b.numRows;
          }
          if (out.length > 0) await sinkLog.append(out);
          const read = end - job.position;
          job.position = end;
          await this.record(jobId, graph, job.position, read, BigInt(rows));
          this.wake(job);
        }
      } catch (err) {
        if (abort.signal.aborted) return;
        const e = toSabotError(err);
        await this.ctx.catalog.transaction(async (tx) => {
          await tx.update('tasks', { job_id: jobId }, { state: 'failed', error_message: e.message });
          await tx.update('jobs', { job_id: jobId }, { status: 'failed', error_message: e.message, completed_at: Date.now() * 1000 });
        }).catch(() => undefined);
        this.jobs.delete(jobId);
        this.wake(job);
      }
    })();
  }

  /** The filter/project operators between the source and the sink, compiled into stages. */
  private compile(graph: JobGraph, evalContext: EvalContext): ChainStage[] {
    const byId = new Map(graph.operators.map((o) => [o.id, o]));
    const next = new Map(graph.edges.map((e) => [e.from, e.to]));
    const source = graph.operators.find((o) => o.type === 'source')!;
    const chain: JobGraphOperator[] = [];
    for (let id = next.get(source.id); id !== undefined && byId.get(id)!.type !== 'sink'; id = next.get(id)) chain.push(byId.get(id)!);
    return compileChain(chain, operatorColumns(source), this.ctx.functions, evalContext).stages;
  }

  private async record(jobId: string, graph: JobGraph, position: bigint, read: bigint, written: bigint): Promise<void> {
    const now = Date.now() * 1000;
    await this.ctx.catalog.transaction(async (tx) => {
      for (const op of graph.operators) {
        const [task] = await tx.select('tasks', { job_id: jobId, operator_id: op.id });
        if (!task) continue;
        const rows = op.type === 'source' ? position : (task.rows_processed as bigint) + (op.type === 'sink' ? written : read);
        await tx.update('tasks', { task_id: task.task_id }, { rows_processed: rows, last_heartbeat: now });
      }
    });
  }

  private wake(job: RunningJob): void {
    const waiters = job.waiters;
    job.waiters = [];
    for (const w of waiters) w();
  }

  /** FLUSH: resolves once every running job has passed what its source held when called. */
  async flush(): Promise<void> {
    await Promise.all([...this.jobs.values()].map(async (job) => {
      const source = this.ctx.streams.get(job.source);
      if (!source) return;
      const target = (await this.ctx.internalStreams.log(source)).end;
      while (job.position < target && this.jobs.has(job.jobId)) {
        await new Promise<void>((resolve) => job.waiters.push(resolve));
      }
    }));
  }

  async stop(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (!job) return;
    this.jobs.delete(jobId);
    job.abort.abort();
    await job.done;
    this.wake(job);
  }

  async close(): Promise<void> {
    await Promise.all([...this.jobs.keys()].map((id) => this.stop(id)));
  }
}
