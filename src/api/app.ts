import { join } from 'node:path';
import { makeData, RecordBatch, Struct } from 'apache-arrow';
import pg from 'pg';
import type { StreamDefinition } from '../control/catalog/streams.js';
import type { JobStatus } from '../control/job-manager.js';
import { prepareDataflow, submitDataflow } from '../control/submit-dataflow.js';
import { SabotError, SqlState } from '../errors.js';
import { optimize } from '../optimizer/index.js';
import { planJobGraph } from '../optimizer/physical/index.js';
import type { JobGraph } from '../plan/job-graph.js';
import { arrowSchema, type ColumnSchema } from '../runtime/arrow-types.js';
import { sqlTypeOfField } from '../runtime/compute/arrow-sql-type.js';
import { RECORD_OUTPUT_COLUMNS, registerDataflowFunctions, type RecordFunction } from '../runtime/user-function.js';
import { SabotServer } from '../server.js';
import { stateTtlMicros } from '../sql/binder/dataflow-binder.js';
import { DEFAULT_FORMAT_SETTINGS } from '../types/text-format.js';
import { bindStreamDataflow, nexmarkStreamOptions, sourcesOf, sourceStreamName, userFunctionsOf } from './bind-stream.js';
import { callerModule } from './caller-module.js';
import { recordAgentStream, Stream, type DataflowSink, type SourceSpec } from './stream.js';

export interface AppOptions {
  /** The app's name; its data directory is ./sabot-data-<id> unless `dataDir` says otherwise (default 'app'). */
  id?: string;
  /** Where the SQLite catalog and internal streams live. */
  dataDir?: string;
  /** `postgresql://...`: keep the catalog in PostgreSQL (internal streams stay in the data directory). */
  catalog?: string;
  /** Where the app's SQL server listens, for psql and app.sql() (default 127.0.0.1, a free port). */
  host?: string;
  port?: number;
  /** Task slots of the in-process agent. */
  slots?: number;
}

export interface DataflowOptions {
  /**
   * The file: URL of the module defining the dataflow (`import.meta.url`), where agents
   * find its functions. By default the module that called app.dataflow().
   */
  module?: string;
  /** How long a join that nothing else bounds keeps rows, in event time ('1 hour'), as the SQL option state_ttl. */
  stateTtl?: string;
}

export interface StartOptions {
  /** Tasks per operator (default 1). */
  parallelism?: number;
}

/** What a dataflow's builder returns: a pipeline ending in toStream or toKafka, or a Stream whose rows the dataflow keeps. */
export type DataflowBuilder = () => Stream | DataflowSink;

let agentWarned = false;

/** A running dataflow's job. */
export class DataflowJob {
  /** @internal */
  constructor(private readonly app: App, readonly name: string, readonly jobId: string) {}

  /** The job as sabot.jobs has it (status pending ... running, completed, failed, canceled). */
  async status(): Promise<JobStatus> {
    const status = await (await this.app.server()).context.jobs.getJobStatus(this.jobId);
    if (!status) throw new SabotError(SqlState.undefinedObject, `job "${this.jobId}" does not exist`);
    return status;
  }

  /** Stops the dataflow as DROP DATAFLOW does: its job is canceled and its name released (its output stream stays). */
  async stop(): Promise<void> {
    await this.app.sql(`DROP DATAFLOW IF EXISTS ${quoteIdent(this.name)}`);
  }
}

/** A dataflow defined with app.dataflow(): planned and submitted by start(). */
export class Dataflow {
  /** @internal */
  constructor(private readonly app: App, readonly name: string, private readonly builder: DataflowBuilder, readonly module: string | null,
    private readonly stateTtl: number | null, private readonly output: { stream: string; columns: readonly ColumnSchema[] } | null) {}

  /** The job graph start() submits: the same JSON as CREATE DATAFLOW gives for the same dataflow. */
  async jobGraph(options: StartOptions = {}): Promise<JobGraph> {
    return (await this.plan(options)).graph;
  }

  /**
   * Plans the dataflow (its builder runs now) and submits its job through the JobManager,
   * as CREATE DATAFLOW does; resolves once the job runs on the app's agent.
   */
  async start(options: StartOptions = {}): Promise<DataflowJob> {
    const { plan, graph } = await this.plan(options);
    const context = (await this.app.server()).context;
    const prepared = prepareDataflow(context, this.name, plan, graph);
    const jobId = await submitDataflow(context, prepared, {
      text: `-- TypeScript dataflow ${this.name} of ${this.module ?? 'no module'}`, createdAt: Date.now() * 1000,
    });
    return new DataflowJob(this.app, this.name, jobId!);
  }

  private async plan(options: StartOptions) {
    const parallelism = options.parallelism ?? 1;
    if (!(Number.isInteger(parallelism) && parallelism >= 1)) throw new SabotError(SqlState.invalidParameterValue, 'parallelism must be a positive integer');
    const root = this.builder();
    for (const source of sourcesOf(root)) await this.app.createSource(source);
    if (this.output) await this.app.createStream(this.output.stream, this.output.columns);
    const context = (await this.app.server()).context;
    const bound = bindStreamDataflow(this.name, root,
      { streams: context.streams.all(), functions: context.functions, format: DEFAULT_FORMAT_SETTINGS, stateTtl: this.stateTtl }, this.module);
    const plan = optimize(bound);
    return { plan, graph: planJobGraph(plan, { parallelism }) };
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * An in-process Sabot: a catalog (SQLite in the data directory, or PostgreSQL), an agent
 * that runs dataflows' tasks, and an SQL server on a local port (app.sql(), or psql) -
 * local mode is distributed mode with one agent. It starts on first use.
 *
 *   const app = new App({ id: 'local' });
 *   app.dataflow('fraud_detection', () =>
 *     Stream.fromKafka('transactions')
 *       .filter((b) => pc.greater(b.getChild('amount')!, 10000))
 *       .toKafka('fraud_alerts'));
 *   const job = await app.dataflows.fraud_detection.start({ parallelism: 4 });
 *
 * Dataflows with JavaScript functions must be defined in a module file: agents import
 * that module to find the functions (its top level must define the dataflows again when
 * imported; keep side effects such as start() out of modules other agents import).
 */
export class App {
  readonly id: string;
  /** The dataflows defined so far, by name. */
  readonly dataflows: Record<string, Dataflow> = Object.create(null) as Record<string, Dataflow>;
  private started: Promise<SabotServer> | null = null;
  private client: Promise<pg.Client> | null = null;

  constructor(private readonly options: AppOptions = {}) {
    this.id = options.id ?? 'app';
  }

  /**
   * Defines a dataflow: `builder` returns the pipeline, and runs each time the dataflow
   * is planned (and on agents, to find its functions): it must build the same pipeline
   * with the same functions each time.
   */
  dataflow(name: string, builder: DataflowBuilder, options: DataflowOptions = {}): Dataflow {
    return this.define(name, builder, options.module ?? callerModule(this.dataflow), options.stateTtl, null);
  }

  /**
   * @deprecated Use app.dataflow() with Stream.fromStream(topic).map(...): batch
   * functions over Arrow columns instead of a generator per row.
   *
   * A Faust-style agent: `fn` runs for each row of stream `topic`, as a plain object
   * (column name to value: numbers, strings, booleans, bigint for BIGINT, Date for
   * timestamps and dates), and every value it yields becomes a row of the internal
   * stream `options.output` (default `<topic>_agent`), created if missing, with one
   * JSONB column `value`. Returns the dataflow `agent_<topic>` it becomes; start() it.
   */
  agent(topic: string, fn: RecordFunction, options: { output?: string; module?: string } = {}): Dataflow {
    if (!agentWarned) {
      agentWarned = true;
      process.emitWarning('app.agent() is deprecated: use app.dataflow() with Stream batch functions', 'DeprecationWarning');
    }
    const output = options.output ?? `${topic}_agent`;
    return this.define(`agent_${topic}`, () => recordAgentStream(Stream.fromStream(topic), fn).toStream(output),
      options.module ?? callerModule(this.agent), undefined, { stream: output, columns: RECORD_OUTPUT_COLUMNS });
  }

  private define(name: string, builder: DataflowBuilder, module: string | null, stateTtl: string | undefined,
    output: { stream: string; columns: readonly ColumnSchema[] } | null): Dataflow {
    if (name in this.dataflows) throw new SabotError(SqlState.duplicateObject, `dataflow "${name}" is already defined in this app`);
    if (module !== null) registerDataflowFunctions(module, name, () => userFunctionsOf(builder()));
    const dataflow = new Dataflow(this, name, builder, module, stateTtlMicros(stateTtl, 0), output);
    this.dataflows[name] = dataflow;
    return dataflow;
  }

  /** Starts the catalog, the agent (which resumes the dataflows whose jobs run) and the SQL server, once. */
  async start(): Promise<void> {
    await this.server();
  }

  /** @internal */
  server(): Promise<SabotServer> {
    if (this.started === null) {
      const started = SabotServer.start({
        host: this.options.host ?? '127.0.0.1',
        port: this.options.port ?? 0,
        dataDir: this.options.dataDir ?? join('.', `sabot-data-${this.id}`),
        catalog: this.options.catalog,
        slots: this.options.slots,
      });
      // A start that failed (a port in use, a catalog out of reach) is tried again next time.
      started.catch(() => { if (this.started === started) this.started = null; });
      this.started = started;
    }
    return this.started;
  }

  /** The port of the app's SQL server (after start()). */
  async port(): Promise<number> {
    return (await this.server()).port;
  }

  /** Runs SQL on the app's server (CREATE STREAM, INSERT, SELECT, FLUSH, ...); the rows as objects. */
  async sql<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]> {
    if (this.client === null) {
      const client = (async () => {
        const c = new pg.Client({ host: this.options.host ?? '127.0.0.1', port: await this.port(), user: 'sabot', database: 'sabot' });
        await c.connect();
        return c;
      })();
      client.catch(() => { if (this.client === client) this.client = null; });
      this.client = client;
    }
    const result = await (await this.client).query(text, values);
    return result.rows as T[];
  }

  /** Stops the app's server and agent; running dataflows resume when an app on the same data directory starts. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) await (await client).end();
    const started = this.started;
    this.started = null;
    if (started) await (await started).stop();
  }

  /** @internal Creates a stream unless it exists. */
  async createStream(name: string, columns: readonly ColumnSchema[]): Promise<void> {
    const list = columns.map((c) => `${quoteIdent(c.name)} ${c.type.name}`).join(', ');
    await this.sql(`CREATE STREAM IF NOT EXISTS ${quoteIdent(name)} (${list})`);
  }

  /** @internal The stream a Nexmark or batches source reads, made when it does not exist yet. */
  async createSource(source: SourceSpec): Promise<void> {
    const name = sourceStreamName(source);
    const context = (await this.server()).context;
    if (source.kind === 'stream' || context.streams.get(name)) return;
    if (source.kind === 'nexmark') {
      const options = Object.entries(nexmarkStreamOptions(source.options)).map(([k, v]) => `${k} = ${quoteLiteral(v)}`).join(', ');
      await this.sql(`CREATE STREAM IF NOT EXISTS ${quoteIdent(name)} WITH (${options})`);
      return;
    }
    const first = source.batches[0];
    if (!first) throw new SabotError(SqlState.invalidParameterValue, 'Stream.fromBatches needs at least one batch');
    await this.createStream(name, first.schema.fields.map((f) => ({ name: f.name, type: sqlTypeOfField(f), nullable: true })));
    const stream = context.streams.get(name)!;
    const log = await context.internalStreams.log(stream);
    await log.append(source.batches.map((b) => conformingBatch(b, stream)));
  }
}

/** A batch with the stream's schema (its columns of the same Arrow types). */
function conformingBatch(batch: RecordBatch, stream: StreamDefinition): RecordBatch {
  const schema = arrowSchema(stream.columns);
  const fields = batch.schema.fields;
  if (fields.length !== schema.fields.length || fields.some((f, i) => f.type.typeId !== schema.fields[i]!.type.typeId)) {
    throw new SabotError(SqlState.datatypeMismatch, 'Stream.fromBatches: every batch must have the columns of the first');
  }
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children: batch.data.children }));
}
