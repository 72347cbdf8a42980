import { keptResult } from '../connectors/internal/kept-result.js';
import type { InternalStreams } from '../connectors/internal/internal-streams.js';
import { SabotError, SqlState } from '../errors.js';
import type { JobGraph } from '../plan/job-graph.js';
import { inputsOf, type LogicalPlan } from '../plan/logical-plan.js';
import type { CatalogStore } from './catalog/catalog-store.js';
import type { StreamCatalog } from './catalog/stream-catalog.js';
import type { StreamDefinition } from './catalog/streams.js';
import type { JobManager } from './job-manager.js';

/** What submitting a dataflow needs of the server: the catalog, the JobManager, the streams, and an agent to check the job graph with. */
export interface DataflowServices {
  readonly catalog: CatalogStore;
  readonly jobs: JobManager;
  readonly streams: StreamCatalog;
  readonly internalStreams: InternalStreams;
  readonly agent: { checkRunnable(graph: JobGraph): void };
}

/** A dataflow ready to submit: its optimized plan, its job graph, and what it reads and writes. */
export interface PreparedDataflow {
  name: string;
  graph: JobGraph;
  sources: string[];
  /** The stream it writes; null when it keeps its result. */
  sink: string | null;
  /** The kept result, queryable by the dataflow's name. */
  kept: StreamDefinition | null;
}

/** Checks that an agent can run the job graph (0A000 otherwise) and notes what the dataflow reads and writes. */
export function prepareDataflow(services: DataflowServices, name: string, plan: LogicalPlan, graph: JobGraph): PreparedDataflow {
  services.agent.checkRunnable(graph);
  const sources = plan.operators.flatMap((op) => (op.kind === 'source' ? [op.stream] : []));
  const sink = plan.operators.find((op) => op.kind === 'sink' && inputsOf(op).length > 0);
  const kept = sink?.kind === 'sink' && sink.stream === null ? keptResult(name, sink.columns, sink.upsertKeys) : null;
  return { name, graph, sources, sink: sink?.kind === 'sink' ? sink.stream : null, kept };
}

export interface DataflowRecord {
  /** What sabot.dataflows.sql_text shows: the SQL, or where a TypeScript dataflow is defined. */
  text: string;
  /** µs since the epoch. */
  createdAt: number;
  /** A dataflow of the same name is left as it is (null is returned) instead of an error. */
  ifNotExists?: boolean;
  /** The statement position errors point at. */
  position?: number;
}

/**
 * Records a dataflow in sabot.dataflows and submits its job through the JobManager's
 * durable workflow (CREATE DATAFLOW, and App dataflows' start()). Returns the job id;
 * null when a dataflow of that name exists and `ifNotExists` is set. The name is claimed
 * first, so a dataflow of the same name created at the same time fails before it runs;
 * when the submission fails, the name is released.
 */
export async function submitDataflow(services: DataflowServices, d: PreparedDataflow, record: DataflowRecord): Promise<string | null> {
  const { catalog } = services;
  const position = record.position;
  const [existing] = await catalog.select('dataflows', { name: d.name });
  if (existing) {
    if (record.ifNotExists) return null;
    throw new SabotError(SqlState.duplicateObject, `dataflow "${d.name}" already exists`, { position });
  }
  if (d.kept && services.streams.get(d.name)) {
    throw new SabotError(SqlState.duplicateTable, `relation "${d.name}" already exists`,
      { position, detail: `A stream is named ${d.name}; the result of this dataflow would be read by that name.` });
  }
  const created = await catalog.insert('dataflows', {
    name: d.name, sql_text: record.text, sink: d.sink, sources: d.sources.join(','), job_id: null, created_at: record.createdAt,
  });
  if (!created) throw new SabotError(SqlState.duplicateObject, `dataflow "${d.name}" already exists`, { position });
  try {
    if (d.kept) {
      await services.internalStreams.remove(d.kept);
      services.streams.addResult(d.kept);
    }
    const jobId = await services.jobs.submitJob(d.graph);
    await catalog.update('dataflows', { name: d.name }, { job_id: jobId });
    return jobId;
  } catch (err) {
    await catalog.delete('dataflows', { name: d.name });
    if (d.kept) services.streams.removeResult(d.kept.name);
    throw err;
  }
}
