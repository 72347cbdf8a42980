import { createHash } from 'node:crypto';
import { SabotError, SqlState } from '../errors.js';

export const JOB_GRAPH_VERSION = 1;

export type EdgeType = 'forward' | 'hash' | 'broadcast' | 'rebalance';

export interface JobGraphOperator {
  id: string;
  /** Operator kind: source, filter, map, sink, ... */
  type: string;
  name: string;
  /** Subtasks of this operator; the job's default when absent. */
  parallelism?: number;
  /** Operator-specific settings (expressions, connector options, ...). */
  params?: Record<string, unknown>;
}

export interface JobGraphEdge {
  from: string;
  to: string;
  /** Chosen by the planner; when absent, forward if parallelism matches, else rebalance. */
  type?: EdgeType;
  /** Key columns of a hash edge, by name. */
  keys?: string[];
  /** The same key columns, by position in the upstream operator's output. */
  keyColumns?: number[];
  /** A forward edge run inside one task: the downstream operator is chained to its input. */
  chained?: boolean;
  /** Which input of the downstream operator the edge feeds (a join's right side is 1); 0 when absent. */
  input?: number;
}

/** The job graph JSON: a dataflow's operator DAG, serialized with a format version. */
export interface JobGraph {
  version: number;
  name: string;
  parallelism?: number;
  checkpointIntervalMs?: number;
  operators: JobGraphOperator[];
  edges: JobGraphEdge[];
}

function invalid(message: string): SabotError {
  return new SabotError(SqlState.invalidParameterValue, `invalid job graph: ${message}`);
}

/** Parses and checks a job graph: known version, unique operator ids, edges between them, no cycle. */
export function parseJobGraph(json: string | JobGraph): JobGraph {
  let g: JobGraph;
  try {
    g = typeof json === 'string' ? JSON.parse(json) : structuredClone(json);
  } catch (err) {
    throw invalid(`not JSON (${(err as Error).message})`);
  }
  if (g === null || typeof g !== 'object') throw invalid('not an object');
  if (g.version !== JOB_GRAPH_VERSION) throw invalid(`version ${String(g.version)} is not supported (expected ${JOB_GRAPH_VERSION})`);
  if (typeof g.name !== 'string' || g.name === '') throw invalid('a job needs a name');
  if (!Array.isArray(g.operators) || g.operators.length === 0) throw invalid('a job needs operators');
  if (!Array.isArray(g.edges)) throw invalid('edges must be a list');
  const ids = new Set<string>();
  for (const op of g.operators) {
    if (typeof op.id !== 'string' || ids.has(op.id)) throw invalid(`operator ids must be unique strings (${String(op.id)})`);
    if (op.parallelism !== undefined && !(Number.isInteger(op.parallelism) && op.parallelism >= 1)) {
      throw invalid(`parallelism of ${op.id} must be a positive integer`);
    }
    ids.add(op.id);
  }
  const next = new Map<string, string[]>();
  for (const e of g.edges) {
    if (!ids.has(e.from) || !ids.has(e.to)) throw invalid(`edge ${e.from} -> ${e.to} names an unknown operator`);
    if (e.type === 'hash' && !(Array.isArray(e.keys) && e.keys.length > 0)) throw invalid(`hash edge ${e.from} -> ${e.to} needs keys`);
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw invalid(`cycle through ${id}`);
    state.set(id, 'visiting');
    for (const n of next.get(id) ?? []) visit(n);
    state.set(id, 'done');
  };
  for (const id of ids) visit(id);
  return g;
}

/** A stable id for a job graph: the same graph always gets the same id. */
export function jobGraphId(g: JobGraph): string {
  return `job_${createHash('sha256').update(JSON.stringify(g)).digest('hex').slice(0, 16)}`;
}
