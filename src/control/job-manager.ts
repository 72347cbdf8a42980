import { join } from 'node:path';
import { SabotError, SqlState } from '../errors.js';
import { jobGraphId, parseJobGraph, type JobGraph } from '../plan/job-graph.js';
import type { AgentEndpoint } from './agent-endpoint.js';
import type { CatalogStore } from './catalog/catalog-store.js';
import { openCatalog } from './catalog/open-catalog.js';
import type { CatalogRow } from './catalog/schema.js';
import { CANCEL_JOB, cancelJob, type JobInput } from './workflows/cancel-job.js';
import { PAUSE_JOB, pauseJob, RESUME_JOB, resumeJob } from './workflows/pause-job.js';
import { KEYED_OPERATORS } from '../optimizer/physical/graph-rule.js';
import { RESCALE_JOB, rescaleJob, type RescaleJobInput } from './workflows/rescale-job.js';
import { SUBMIT_JOB, submitJob, type SubmitJobInput } from './workflows/submit-job.js';
import { crashHookFromEnv, WorkflowEngine, type StepHook } from './workflows/workflow-engine.js';

export interface JobManagerOptions {
  /** `postgresql://...`: keep the catalog in PostgreSQL (the DBOS database of the seed design). */
  dbosUrl?: string;
  /** Data directory of the SQLite catalog when no dbosUrl is given (default ./sabot-data). */
  dataDir?: string;
  /** An open catalog to use (the server passes its own). */
  store?: CatalogStore;
  /** Called after every workflow step commits (tests use it to crash on purpose). */
  afterStep?: StepHook;
}

/** A job as getJobStatus and listJobs report it. */
export interface JobStatus {
  jobId: string;
  jobName: string;
  status: string;
  defaultParallelism: number;
  submittedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  errorMessage: string | null;
  failureCount: number;
}

const TERMINAL = new Set(['canceled', 'failed', 'completed']);

function toStatus(row: CatalogRow): JobStatus {
  const date = (v: unknown) => (v === null ? null : new Date(Math.floor((v as number) / 1000)));
  return {
    jobId: row.job_id as string,
    jobName: row.job_name as string,
    status: row.status as string,
    defaultParallelism: row.default_parallelism as number,
    submittedAt: date(row.submitted_at)!,
    startedAt: date(row.started_at),
    completedAt: date(row.completed_at),
    errorMessage: row.error_message as string | null,
    failureCount: row.failure_count as number,
  };
}

/**
 * Submits, cancels, pauses and resumes jobs through durable workflows over the catalog.
 * `new JobManager()` keeps its catalog in SQLite under ./sabot-data; with `dbosUrl` it
 * uses PostgreSQL. Unfinished workflows resume the first time it is used.
 */
export class JobManager {
  private readonly ready: Promise<{ store: CatalogStore; engine: WorkflowEngine }>;
  private readonly ownsStore: boolean;
  private readonly agents = new Map<string, AgentEndpoint>();

  constructor(options: JobManagerOptions = {}) {
    this.ownsStore = options.store === undefined;
    this.ready = (async () => {
      const store = options.store ?? await openCatalog({ catalog: options.dbosUrl, dataDir: options.dataDir ?? join('.', 'sabot-data') });
      const engine = new WorkflowEngine(store, options.afterStep ?? crashHookFromEnv());
      engine.register(submitJob);
      engine.register(cancelJob);
      engine.register(pauseJob);
      engine.register(resumeJob);
      engine.register(rescaleJob);
      await engine.resumeAll();
      return { store, engine };
    })();
    // The first call reports a failure to open; an unobserved rejection must not crash the process.
    this.ready.catch(() => undefined);
  }

  /** Tells the JobManager how to reach an agent (the server attaches its in-process agent). */
  attachAgent(agentId: string, endpoint: AgentEndpoint): void {
    this.agents.set(agentId, endpoint);
  }

  /** The endpoints of the agents holding tasks of a job. */
  private async agentsOf(jobId: string): Promise<AgentEndpoint[]> {
    const { store } = await this.ready;
    const ids = new Set((await store.select('tasks', { job_id: jobId })).map((t) => t.agent_id as string | null));
    return [...ids].flatMap((id) => (id !== null && this.agents.has(id) ? [this.agents.get(id)!] : []));
  }

  /** Resolves once the catalog is open and interrupted workflows have run to their end. */
  async start(): Promise<void> {
    await this.ready;
  }

  /**
   * Submits a job graph (JSON text or object) and returns its job id once the job runs.
   * The same graph submitted again while its job is live returns the same job.
   */
  async submitJob(jobGraphJson: string | JobGraph): Promise<string> {
    const { store, engine } = await this.ready;
    const graph = parseJobGraph(jobGraphJson);
    const base = jobGraphId(graph);
    // A graph whose earlier job has ended gets a new job, numbered after the ended ones.
    let jobId = base;
    for (let n = 2; ; n++) {
      const [job] = await store.select('jobs', { job_id: jobId });
      if (!job || !TERMINAL.has(job.status as string)) break;
      jobId = `${base}_${n}`;
    }
    const input: SubmitJobInput = { jobId, graph };
    await engine.run(SUBMIT_JOB, `${SUBMIT_JOB}:${jobId}`, input);
    for (const agent of await this.agentsOf(jobId)) await agent.deploy(jobId);
    return jobId;
  }

  async getJobStatus(jobId: string): Promise<JobStatus | undefined> {
    const { store } = await this.ready;
    const [row] = await store.select('jobs', { job_id: jobId });
    return row && toStatus(row);
  }

  async listJobs(): Promise<JobStatus[]> {
    const { store } = await this.ready;
    return (await store.select('jobs')).map(toStatus).sort((a, b) => a.submittedAt.getTime() - b.submittedAt.getTime());
  }

  /** Cancels a job: its agents stop its tasks, then the tasks end and give back their slots. */
  async cancelJob(jobId: string): Promise<void> {
    await this.jobWorkflow(CANCEL_JOB, jobId, (s) => s !== 'canceled', 'it is already canceled', async () => {
      for (const agent of await this.agentsOf(jobId)) await agent.stop(jobId);
    });
  }

  /** Pauses a running job: its agents stop its tasks at a recorded position; the tasks keep their slots. */
  async pauseJob(jobId: string): Promise<void> {
    await this.jobWorkflow(PAUSE_JOB, jobId, (s) => s === 'running', 'only a running job can be paused', async () => {
      for (const agent of await this.agentsOf(jobId)) await agent.stop(jobId);
    });
  }

  /** Resumes a paused job from where its tasks stopped. */
  async resumeJob(jobId: string): Promise<void> {
    await this.jobWorkflow(RESUME_JOB, jobId, (s) => s === 'paused', 'only a paused job can be resumed');
    for (const agent of await this.agentsOf(jobId)) await agent.deploy(jobId);
  }

  /**
   * Rescales a running or paused job to `parallelism` tasks per operator: its agents stop
   * its tasks, the rescale workflow replaces them (sources carry over what they read), and
   * a running job is deployed again. Refused, with the job untouched, when the agents lack
   * the slots or a source is still catching up after the previous rescale.
   */
  async rescaleJob(jobId: string, parallelism: number): Promise<void> {
    const { store, engine } = await this.ready;
    if (!(Number.isInteger(parallelism) && parallelism >= 1)) {
      throw new SabotError(SqlState.invalidParameterValue, 'parallelism must be a positive integer');
    }
    const [job] = await store.select('jobs', { job_id: jobId });
    if (!job) throw new SabotError(SqlState.undefinedObject, `job "${jobId}" does not exist`);
    const runs = await store.select('workflow_state', { job_id: jobId, workflow_type: RESCALE_JOB });
    const unfinished = runs.find((r) => r.status === 'running');
    if (!unfinished) {
      const status = job.status as string;
      if (status !== 'running' && status !== 'paused') {
        throw new SabotError(SqlState.objectNotInPrerequisiteState, `cannot rescale job "${jobId}": it is ${status}`);
      }
      const keyed = parseJobGraph(job.job_graph_json as string).operators.filter((o) => KEYED_OPERATORS.has(o.type));
      if (keyed.length > 0) {
        throw new SabotError(SqlState.featureNotSupported, `cannot rescale job "${jobId}": its ${keyed[0]!.type} operator keeps state, which cannot move between tasks yet`,
          { hint: 'Drop the dataflow and create it again WITH (parallelism = n); it reads its sources from the start.' });
      }
      const positions = await store.select('source_positions', { job_id: jobId });
      if (positions.some((p) => (p.position_json as string).includes('"rescaled"'))) {
        throw new SabotError(SqlState.objectInUse, `cannot rescale job "${jobId}" yet: its sources are still catching up after the last rescale`,
          { hint: 'Try again once its sources have read past where the old tasks stopped.', userFault: false, retryable: true });
      }
      const tasks = await store.select('tasks', { job_id: jobId });
      const held = new Set(tasks.filter((t) => t.agent_id !== null).map((t) => `${String(t.agent_id)}/${String(t.slot_id)}`)).size;
      const free = (await store.select('agents', { status: 'alive' })).reduce((n, a) => n + (a.available_slots as number), 0);
      if (free + held < parallelism) {
        throw new SabotError(SqlState.insufficientResources, `not enough task slots: parallelism ${parallelism} needs ${parallelism}, the alive agents have ${free + held} for this job`,
          { hint: 'Lower the parallelism, drop dataflows, or start more agents (sabot agent).', userFault: false, retryable: true });
      }
    }
    const input: RescaleJobInput = { jobId, parallelism, resumeAs: job.status === 'paused' ? 'paused' : 'running' };
    if (unfinished) Object.assign(input, JSON.parse(unfinished.input_json as string) as RescaleJobInput);
    for (const agent of await this.agentsOf(jobId)) await agent.stop(jobId);
    await engine.run(RESCALE_JOB, (unfinished?.workflow_id as string | undefined) ?? `${RESCALE_JOB}:${jobId}:${runs.length + 1}`, input);
    if (input.resumeAs === 'running') for (const agent of await this.agentsOf(jobId)) await agent.deploy(jobId);
  }

  /**
   * Runs a one-job workflow. Its id counts the earlier runs of that kind for the job, so a
   * retry after a crash joins the interrupted run and a later request starts a new one.
   */
  private async jobWorkflow(type: string, jobId: string, allowed: (status: string) => boolean, why: string,
    before?: () => Promise<void>): Promise<void> {
    const { store, engine } = await this.ready;
    const [job] = await store.select('jobs', { job_id: jobId });
    if (!job) throw new SabotError(SqlState.undefinedObject, `job "${jobId}" does not exist`);
    const runs = (await store.select('workflow_state', { job_id: jobId, workflow_type: type }));
    const unfinished = runs.find((r) => r.status === 'running');
    if (!unfinished && !allowed(job.status as string)) {
      throw new SabotError(SqlState.objectNotInPrerequisiteState, `cannot ${type.replace('_job', '')} job "${jobId}": ${why} (status ${String(job.status)})`);
    }
    const input: JobInput = { jobId };
    await before?.();
    await engine.run(type, (unfinished?.workflow_id as string | undefined) ?? `${type}:${jobId}:${runs.length + 1}`, input);
  }

  async close(): Promise<void> {
    const { store } = await this.ready;
    if (this.ownsStore) await store.close();
  }
}
