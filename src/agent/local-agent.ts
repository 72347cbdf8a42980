import type { Connectors } from '../connectors/registry.js';
import { keptResult } from '../connectors/internal/kept-result.js';
import type { AgentEndpoint } from '../control/agent-endpoint.js';
import { endTasks } from '../control/agents.js';
import type { CatalogAccess, CatalogStore } from '../control/catalog/catalog-store.js';
import type { StreamCatalog } from '../control/catalog/stream-catalog.js';
import type { StreamDefinition } from '../control/catalog/streams.js';
import { SabotError, SqlState, toSabotError } from '../errors.js';
import type { FunctionRegistry } from '../functions/scalar-function.js';
import { parseJobGraph, type JobGraph, type JobGraphOperator } from '../plan/job-graph.js';
import { operatorColumns } from '../runtime/operator-chain.js';
import { adaptiveChainRunner } from './chain-runner.js';
import { pipelinePaths } from './job-layout.js';
import { MorselPool, type PreparedChain } from './morsel-pool.js';
import { Pipeline, resumePosition, type TaskCounter } from './pipeline.js';

export interface AgentContext {
  agentId: string;
  catalog: CatalogStore;
  functions: FunctionRegistry;
  streams: StreamCatalog;
  connectors: Connectors;
}

interface RunningJob {
  abort: AbortController;
  pipelines: Pipeline[];
  done: Promise<void>;
}

/**
 * The in-process agent. It runs the tasks the JobManager assigned to it: per source split
 * a pipeline of the chained operators into the sink, from the position the split
 * recorded. Large batches of costly chains are split over the morsel pool's worker threads. When every pipeline of a job ends (bounded sources), the job completes; when
 * one fails, the job fails with its error. Rows that fail in an operator become dead letters.
 */
export class LocalAgent implements AgentEndpoint {
  private readonly jobs = new Map<string, RunningJob>();
  /** Worker threads for large batches, started with the first job. */
  private morsels: MorselPool | null = null;

  constructor(private readonly ctx: AgentContext) {}

  /** Starts (or, after a restart or a resume, resumes) this agent's tasks of a running job. */
  async deploy(jobId: string): Promise<void> {
    if (this.jobs.has(jobId)) return;
    const { catalog } = this.ctx;
    const [job] = await catalog.select('jobs', { job_id: jobId });
    if (!job || job.status !== 'running') return;
    const graph = parseJobGraph(job.job_graph_json as string);
    const tasks = (await catalog.select('tasks', { job_id: jobId })).filter((t) => t.agent_id === this.ctx.agentId);
    if (tasks.length === 0) return;
    const counters = new Map<string, TaskCounter>();
    const counter = (op: JobGraphOperator, index: number): TaskCounter | undefined => {
      const t = tasks.find((x) => x.operator_id === op.id && x.task_index === index);
      if (!t) return undefined;
      let c = counters.get(t.task_id as string);
      if (!c) {
        c = { taskId: t.task_id as string, operatorId: op.id, rows: t.rows_processed as bigint, rejected: t.rows_rejected as bigint };
        counters.set(c.taskId, c);
      }
      return c;
    };
    const abort = new AbortController();
    const startedAt = (job.started_at as number | null) ?? Date.now() * 1000;
    const morsels = this.morsels ??= new MorselPool();
    const chains: PreparedChain[] = [];
    const commit = (write: (tx: CatalogAccess, now: number) => Promise<void>) => catalog.transaction((tx) => write(tx, Date.now() * 1000));
    const pipelines: Pipeline[] = [];
    /** Splits and sinks opened, closed again if the job cannot start. */
    const opened: { close(): Promise<void> }[] = [];
    const parallelism = graph.parallelism ?? 1;
    try {
      for (const path of pipelinePaths(graph)) {
        const sourceStream = this.stream(path.source);
        const sinkStream = this.stream(path.sink, graph);
        const chain = morsels.prepare(path.chain, operatorColumns(path.source), startedAt);
        chains.push(chain);
        for (let split = 0; split < parallelism; split++) {
          const source = counter(path.source, split);
          if (!source) continue;
          const downstream = [...path.through, path.sink].map((op) => counter(op, split)).filter((c): c is TaskCounter => c !== undefined);
          const sink = await this.ctx.connectors.sink(sinkStream.connector).open(sinkStream);
          opened.push(sink);
          const position = await resumePosition(catalog, source.taskId, sink);
          const sourceSplit = await this.ctx.connectors.source(sourceStream.connector).open(sourceStream, {
            split, splits: parallelism, position, columns: operatorColumns(path.source),
          });
          opened.push(sourceSplit);
          pipelines.push(new Pipeline({
            jobId, sourceName: sourceStream.name, signal: abort.signal, commit, tasks: { source, downstream }, position, sink,
            split: sourceSplit, runChain: adaptiveChainRunner(morsels, chain),
          }));
        }
      }
    } catch (err) {
      abort.abort();
      await Promise.all(opened.map((o) => o.close().catch(() => undefined)));
      for (const chain of chains) morsels.release(chain);
      await this.fail(jobId, toSabotError(err));
      return;
    }
    const running: RunningJob = { abort, pipelines, done: Promise.resolve() };
    this.jobs.set(jobId, running);
    running.done = (async () => {
      let error: SabotError | undefined;
      const ends = await Promise.all(pipelines.map((p) => p.run().catch((err: unknown) => {
        error ??= toSabotError(err);
        abort.abort();
        return false;
      })));
      if (this.jobs.get(jobId) === running) this.jobs.delete(jobId);
      for (const chain of chains) morsels.release(chain);
      if (error) await this.fail(jobId, error);
      else if (ends.every((ended) => ended)) await this.complete(jobId);
    })();
  }

  /** Refuses (0A000) a job graph this agent cannot run: an operator or connector it lacks. */
  checkRunnable(graph: JobGraph): void {
    for (const path of pipelinePaths(graph)) {
      const source = this.stream(path.source);
      if (!this.ctx.connectors.canRead(source.connector)) {
        throw new SabotError(SqlState.featureNotSupported, `dataflows cannot read ${source.connector} streams yet`);
      }
      const sink = this.stream(path.sink, graph);
      if (!this.ctx.connectors.canWrite(sink.connector)) {
        throw new SabotError(SqlState.featureNotSupported, `dataflows cannot write into ${sink.connector} streams`);
      }
    }
  }

  /** The stream an operator reads or writes; a sink without one keeps the dataflow's result. */
  private stream(op: JobGraphOperator, graph?: JobGraph): StreamDefinition {
    const name = op.params!.stream as string | null;
    if (name === null && graph) return keptResult(graph.name, operatorColumns(op));
    const stream = this.ctx.streams.get(name!);
    if (!stream) throw new SabotError(SqlState.undefinedTable, `stream "${name}" no longer exists`);
    return stream;
  }

  private async complete(jobId: string): Promise<void> {
    await this.ctx.catalog.transaction(async (tx) => {
      const now = Date.now() * 1000;
      await endTasks(tx, jobId, 'finished', now);
      await tx.update('jobs', { job_id: jobId, status: 'running' }, { status: 'completed', completed_at: now });
    }).catch(() => undefined);
  }

  private async fail(jobId: string, error: SabotError): Promise<void> {
    await this.ctx.catalog.transaction(async (tx) => {
      const now = Date.now() * 1000;
      const [job] = await tx.select('jobs', { job_id: jobId });
      if (job?.status !== 'running') return;
      await endTasks(tx, jobId, 'failed', now);
      await tx.update('tasks', { job_id: jobId, state: 'failed' }, { error_message: error.message });
      await tx.update('jobs', { job_id: jobId }, {
        status: 'failed', error_message: error.message, completed_at: now, failure_count: (job.failure_count as number) + 1,
      });
    }).catch(() => undefined);
  }

  /** At start-up: resumes every running job with tasks on this agent. */
  async recover(): Promise<void> {
    const jobIds = new Set((await this.ctx.catalog.select('tasks', { agent_id: this.ctx.agentId })).map((t) => t.job_id as string));
    for (const jobId of jobIds) await this.deploy(jobId);
  }

  /** FLUSH: resolves once every running pipeline has written what its source held when called. */
  async flush(): Promise<void> {
    await Promise.all([...this.jobs.values()].flatMap((job) => job.pipelines.map((p) => p.flush())));
  }

  async stop(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (!job) return;
    this.jobs.delete(jobId);
    job.abort.abort();
    await job.done;
  }

  async close(): Promise<void> {
    await Promise.all([...this.jobs.keys()].map((id) => this.stop(id)));
    await this.morsels?.close();
    this.morsels = null;
  }
}
