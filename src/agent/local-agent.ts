import type { Connectors } from '../connectors/registry.js';
import { keptResultOfSink } from '../connectors/internal/kept-result.js';
import type { AgentEndpoint } from '../control/agent-endpoint.js';
import { endTasks } from '../control/agents.js';
import type { CatalogAccess, CatalogStore } from '../control/catalog/catalog-store.js';
import type { StreamCatalog } from '../control/catalog/stream-catalog.js';
import type { StreamDefinition } from '../control/catalog/streams.js';
import { SabotError, SqlState, toSabotError } from '../errors.js';
import type { EvalContext, FunctionRegistry } from '../functions/scalar-function.js';
import { parseJobGraph, type JobGraph, type JobGraphOperator } from '../plan/job-graph.js';
import { dataflowEvalContext, operatorColumns } from '../runtime/operator-chain.js';
import { createStatefulOperator, exchangeStep, receiveStep } from '../runtime/stateful/index.js';
import { callsUserFunctions, userFunctionChain } from '../runtime/user-function.js';
import type { ColumnSchema } from '../runtime/arrow-types.js';
import type { SinkWriter } from '../connectors/connector.js';
import type { InternalStreams } from '../connectors/internal/internal-streams.js';
import { adaptiveChainRunner } from './chain-runner.js';
import { jobSegments, parallelismOf, type Segment } from './job-layout.js';
import { StatefulTask } from './stateful-task.js';
import { ExchangeOutput, SinkOutput, type TaskOutput } from './task-output.js';
import { withWatermark } from './watermarked-split.js';
import { MorselPool, type PreparedChain } from './morsel-pool.js';
import { Pipeline, resumePosition, type ChainRunner, type TaskCounter } from './pipeline.js';

export interface AgentContext {
  agentId: string;
  internalStreams: InternalStreams;
  catalog: CatalogStore;
  functions: FunctionRegistry;
  streams: StreamCatalog;
  connectors: Connectors;
}

/**
 * Whether an operator's results close with event time (windows, window and interval
 * joins): rows behind the watermark would come too late for it. Operators without
 * windows take every event.
 */
function closesByTime(op: JobGraphOperator): boolean {
  const p = op.params ?? {};
  switch (op.type) {
    case 'aggregate': return p.window !== null || p.closeAt !== null;
    case 'top-n': return p.windowEnd !== null;
    case 'join': return (p.bound as { kind: string }).kind !== 'regular';
    default: return false;
  }
}

/** How the upstream tasks of each keyed operator's inputs are numbered as its channels. */
interface ExchangeChannels {
  /** Per input of operator `id`, how many tasks send into it. */
  perInput(id: string, inputs: number): number[];
  /** The channel of task 0 of `segment` at the input it feeds (task i is that + i). */
  offset(segment: Segment): number;
}

function exchangeChannels(graph: JobGraph, segments: readonly Segment[]): ExchangeChannels {
  const offsets = new Map<Segment, number>();
  const totals = new Map<string, number>();
  for (const s of segments) {
    if (s.output.kind !== 'exchange') continue;
    const key = `${s.output.to.id}/${s.output.input}`;
    const at = totals.get(key) ?? 0;
    offsets.set(s, at);
    totals.set(key, at + parallelismOf(graph, s.head));
  }
  return {
    perInput: (id, inputs) => Array.from({ length: inputs }, (_, k) => totals.get(`${id}/${k}`) ?? 0),
    offset: (segment) => offsets.get(segment) ?? 0,
  };
}

/** A source pipeline's view of an exchange: it writes rounds into it like into a sink. */
function exchangeWriter(output: TaskOutput): SinkWriter {
  return { write: (batches) => output.write(batches), close: async () => undefined };
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
    /** Splits, sinks and outputs opened, closed again if the job cannot start. */
    const opened: { close(): Promise<void> }[] = [];
    const segments = jobSegments(graph);
    const keyed = segments.filter((s) => s.head.type !== 'source');
    /** Counters of the keyed operators' tasks, recorded with every round of the sources. */
    const keyedCounters: TaskCounter[] = [];
    /** The keyed tasks' outputs, closed when the job's pipelines are done (a source pipeline closes its own sink). */
    const keyedOutputs: TaskOutput[] = [];
    const statefulTasks: StatefulTask[] = [];
    try {
      const evalContext = dataflowEvalContext(abort.signal, startedAt);
      // State lives in memory until checkpoints: a job with keyed operators replays its
      // sources from the start, and its kept result is rebuilt from nothing.
      if (keyed.length > 0) {
        const sink = segments.find((s) => s.output.kind === 'sink')!.output as Extract<Segment['output'], { kind: 'sink' }>;
        if (sink.sink.params!.stream === null) await this.ctx.internalStreams.remove(keptResultOfSink(graph.name, sink.sink));
      }
      const channels = exchangeChannels(graph, segments);
      const keyedTasks = new Map<string, StatefulTask[]>();
      // Keyed segments from the last to the first, so each one's targets exist.
      const order = new Map(graph.operators.map((o, i) => [o.id, i]));
      for (const segment of [...keyed].sort((a, b) => order.get(b.head.id)! - order.get(a.head.id)!)) {
        const head = segment.head;
        const inputs = graph.edges.filter((e) => e.to === head.id).sort((a, b) => (a.input ?? 0) - (b.input ?? 0))
          .map((e) => operatorColumns(graph.operators.find((o) => o.id === e.from)!));
        const runChain = await this.chainRunner(segment.chain, operatorColumns(head), morsels, chains, startedAt, evalContext);
        const list: StatefulTask[] = [];
        for (let i = 0; i < parallelismOf(graph, head); i++) {
          const own = counter(head, i);
          if (!own) throw new SabotError(SqlState.featureNotSupported, 'a keyed operator split over several agents cannot run yet');
          keyedCounters.push(own);
          const downstream = [...segment.through, ...(segment.output.kind === 'sink' ? [segment.output.sink] : [])]
            .map((op) => counter(op, i)).filter((c): c is TaskCounter => c !== undefined);
          keyedCounters.push(...downstream);
          const output = await this.output(graph, segment, i, keyedTasks, channels);
          opened.push(output);
          keyedOutputs.push(output);
          list.push(new StatefulTask({
            operator: createStatefulOperator(head, inputs, this.ctx.functions, evalContext),
            receiveSteps: inputs.map((columns) => receiveStep(head, columns)),
            channels: channels.perInput(head.id, inputs.length),
            runChain, output, counter: own, downstream,
            reject: (rejected) => commit(async (tx, now) => {
              for (const x of rejected) {
                await tx.insert('dead_letters', {
                  job_id: jobId, source: head.id, reason: `${x.reason} (SQLSTATE ${x.sqlstate}) in ${x.operator}`, payload: x.payload,
                  offset: null, recorded_at: now,
                });
              }
            }),
          }));
        }
        keyedTasks.set(head.id, list);
        statefulTasks.push(...list);
      }
      for (const segment of segments.filter((s) => s.head.type === 'source')) {
        const sourceStream = this.stream(segment.head);
        const columns = operatorColumns(segment.head);
        const runChain = await this.chainRunner(segment.chain, columns, morsels, chains, startedAt, evalContext);
        for (let split = 0; split < parallelismOf(graph, segment.head); split++) {
          const source = counter(segment.head, split);
          if (!source) continue;
          const downstream = [...segment.through, ...(segment.output.kind === 'sink' ? [segment.output.sink] : [])]
            .map((op) => counter(op, split)).filter((c): c is TaskCounter => c !== undefined);
          const output = await this.output(graph, segment, split, keyedTasks, channels);
          opened.push(output);
          const sink = output instanceof SinkOutput ? output.writer : exchangeWriter(output);
          const position = keyed.length > 0 ? null : await resumePosition(catalog, source.taskId, sink);
          const opening = await this.ctx.connectors.source(sourceStream.connector).open(sourceStream, {
            split, splits: parallelismOf(graph, segment.head), position, columns,
          });
          opened.push(opening);
          const sourceSplit = keyed.length > 0
            ? withWatermark(opening, sourceStream, columns, this.ctx.functions, evalContext, {
              dropLate: graph.operators.some(closesByTime),
              downstream: output instanceof ExchangeOutput ? () => output.eventTime() : () => -Infinity,
            })
            : opening;
          pipelines.push(new Pipeline({
            jobId, sourceName: sourceStream.name, signal: abort.signal, commit, tasks: { source, downstream }, position, sink,
            split: sourceSplit, runChain,
            progress: output instanceof SinkOutput ? undefined : output, alsoRecord: keyedCounters,
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
      // The keyed operators' outputs (sinks) close once every source has ended or stopped.
      for (const t of statefulTasks) t.stop();
      await Promise.all(keyedOutputs.map((o) => o.close().catch(() => undefined)));
      if (this.jobs.get(jobId) === running) this.jobs.delete(jobId);
      for (const chain of chains) morsels.release(chain);
      if (error) await this.fail(jobId, error);
      else if (ends.every((ended) => ended)) await this.complete(jobId, keyedCounters);
    })();
  }

  /**
   * How a segment's chain runs: over the morsel pool, or, when it calls user functions of
   * the TypeScript API, on this thread (their module is loaded here, not in the workers).
   */
  private async chainRunner(operators: JobGraphOperator[], columns: ColumnSchema[], morsels: MorselPool, chains: PreparedChain[],
    startedAt: number, evalContext: EvalContext): Promise<ChainRunner> {
    if (callsUserFunctions(operators)) return userFunctionChain(operators, columns, this.ctx.functions, evalContext);
    const chain = morsels.prepare(operators, columns, startedAt);
    chains.push(chain);
    return adaptiveChainRunner(morsels, chain);
  }

  /** Where task `index` of a segment writes: its own sink, or the exchange into the next keyed operator's tasks. */
  private async output(graph: JobGraph, segment: Segment, index: number, keyedTasks: Map<string, StatefulTask[]>,
    channels: ExchangeChannels): Promise<TaskOutput> {
    const out = segment.output;
    if (out.kind === 'sink') {
      const stream = this.stream(out.sink, graph);
      const upsertKeys = out.sink.params!.upsertKeys as number[] | null | undefined;
      const names = upsertKeys ? upsertKeys.map((k) => stream.columns[k]!.name) : undefined;
      return new SinkOutput(await this.ctx.connectors.sink(stream.connector).open(stream, names ? { upsertKeys: names } : {}));
    }
    const from = segment.through.length > 0 ? segment.through[segment.through.length - 1]! : segment.head;
    const step = exchangeStep(out.to, operatorColumns(from), out.edge.keyColumns ?? []);
    return new ExchangeOutput(keyedTasks.get(out.to.id)!, out.input, channels.offset(segment) + index, out.edge.type ?? 'forward', step.keys, step.step);
  }

  /** Refuses (0A000) a job graph this agent cannot run: an operator or connector it lacks. */
  checkRunnable(graph: JobGraph): void {
    for (const segment of jobSegments(graph)) {
      if (segment.head.type === 'source') {
        const source = this.stream(segment.head);
        if (!this.ctx.connectors.canRead(source.connector)) {
          throw new SabotError(SqlState.featureNotSupported, `dataflows cannot read ${source.connector} streams yet`);
        }
      }
      if (segment.output.kind === 'sink') {
        const sink = this.stream(segment.output.sink, graph);
        if (!this.ctx.connectors.canWrite(sink.connector)) {
          throw new SabotError(SqlState.featureNotSupported, `dataflows cannot write into ${sink.connector} streams`);
        }
      }
    }
  }

  /** The stream an operator reads or writes; a sink without one keeps the dataflow's result. */
  private stream(op: JobGraphOperator, graph?: JobGraph): StreamDefinition {
    const name = op.params!.stream as string | null;
    if (name === null && graph) return keptResultOfSink(graph.name, op);
    const stream = this.ctx.streams.get(name!);
    if (!stream) throw new SabotError(SqlState.undefinedTable, `stream "${name}" no longer exists`);
    return stream;
  }

  private async complete(jobId: string, counters: readonly TaskCounter[]): Promise<void> {
    await this.ctx.catalog.transaction(async (tx) => {
      const now = Date.now() * 1000;
      for (const t of counters) await tx.update('tasks', { task_id: t.taskId }, { rows_processed: t.rows, rows_rejected: t.rejected, last_heartbeat: now });
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
