import { Types, type SqlType } from '../../types/sql-type.js';

/** A column of a catalog table. */
export interface CatalogColumn {
  name: string;
  type: SqlType;
  nullable?: boolean;
  /** The schema version that added the column (1 when absent). */
  since?: number;
  /** SQL literal filling the column in existing rows when a later version adds it NOT NULL. */
  default?: string;
}

/** A catalog table: its columns and primary key. Both store dialects create it from this. */
export interface CatalogTable {
  name: string;
  columns: CatalogColumn[];
  primaryKey: string[];
  /** Tables users can read as `sabot.<name>`; the rest are the control plane's own. */
  system: boolean;
  /** The schema version that added the table (1 when absent). */
  since?: number;
}

const col = (name: string, type: SqlType, nullable = false, added?: { since: number; default?: string }): CatalogColumn =>
  ({ name, type, nullable, ...added });
const text = Types.text;
const int4 = Types.int4;
const int8 = Types.int8;
const ts = Types.timestamptz;

/**
 * The catalog: every stream, dataflow, job, task, agent, checkpoint and workflow step is a
 * row here (DESIGN.md, "System tables"). Column names are a contract with users.
 */
export const catalogTables = [
  {
    name: 'streams', system: true, primaryKey: ['name'],
    columns: [col('name', text), col('connector', text), col('schema_json', text), col('options_json', text), col('created_at', ts)],
  },
  {
    name: 'dataflows', system: true, primaryKey: ['name'],
    columns: [
      col('name', text), col('sql_text', text), col('sink', text, true), col('sources', text), col('job_id', text, true),
      col('created_at', ts),
    ],
  },
  {
    name: 'jobs', system: true, primaryKey: ['job_id'],
    columns: [
      col('job_id', text), col('job_name', text), col('status', text), col('default_parallelism', int4),
      col('checkpoint_interval_ms', int8), col('job_graph_json', text), col('optimized_dag_json', text, true),
      col('submitted_at', ts), col('started_at', ts, true), col('completed_at', ts, true), col('error_message', text, true),
      col('failure_count', int4),
    ],
  },
  {
    name: 'execution_graphs', system: true, primaryKey: ['job_id'],
    columns: [col('job_id', text), col('graph_json', text), col('total_tasks', int4), col('total_operators', int4)],
  },
  {
    name: 'tasks', system: true, primaryKey: ['task_id'],
    columns: [
      col('task_id', text), col('job_id', text), col('operator_id', text), col('operator_type', text), col('operator_name', text),
      col('task_index', int4), col('parallelism', int4), col('agent_id', text, true), col('slot_id', int4, true), col('state', text),
      col('rows_processed', int8), col('bytes_processed', int8), col('failure_count', int4), col('last_heartbeat', ts, true),
      col('error_message', text, true), col('rows_rejected', int8, false, { since: 2, default: '0' }),
    ],
  },
  {
    name: 'agents', system: true, primaryKey: ['agent_id'],
    columns: [
      col('agent_id', text), col('host', text), col('port', int4), col('status', text), col('max_workers', int4),
      col('available_slots', int4), col('last_heartbeat', ts, true), col('registered_at', ts),
    ],
  },
  {
    name: 'task_assignments', system: true, primaryKey: ['job_id', 'task_id', 'assigned_at'],
    columns: [col('job_id', text), col('task_id', text), col('agent_id', text), col('assigned_at', ts), col('reason', text)],
  },
  {
    name: 'shuffle_edges', system: true, primaryKey: ['job_id', 'upstream_operator_id', 'downstream_operator_id'],
    columns: [
      col('job_id', text), col('upstream_operator_id', text), col('downstream_operator_id', text), col('edge_type', text),
      col('partition_keys', text, true), col('num_partitions', int4),
    ],
  },
  {
    name: 'workflow_state', system: true, primaryKey: ['workflow_id'],
    columns: [
      col('workflow_id', text), col('workflow_type', text), col('job_id', text, true), col('current_step', text, true),
      col('completed_steps', int4), col('status', text), col('error_message', text, true), col('input_json', text),
      col('created_at', ts), col('updated_at', ts),
    ],
  },
  {
    name: 'workflow_steps', system: false, primaryKey: ['workflow_id', 'step_index'],
    columns: [col('workflow_id', text), col('step_index', int4), col('step_name', text), col('output_json', text, true), col('completed_at', ts)],
  },
  {
    name: 'checkpoints', system: true, primaryKey: ['job_id', 'checkpoint_id'],
    columns: [
      col('job_id', text), col('checkpoint_id', int8), col('status', text), col('started_at', ts), col('completed_at', ts, true),
      col('bytes', int8),
    ],
  },
  {
    name: 'dead_letters', system: true, primaryKey: ['job_id', 'source', 'offset', 'recorded_at'],
    columns: [
      col('job_id', text), col('source', text), col('reason', text), col('payload', text, true), col('offset', text),
      col('recorded_at', ts),
    ],
  },
  {
    // Where each source task resumes reading (Kafka offsets per partition, rows of a log, ...).
    name: 'source_positions', system: true, primaryKey: ['task_id'], since: 2,
    columns: [
      col('task_id', text), col('job_id', text), col('position_json', text), col('updated_at', ts),
      // A round in flight into a sink that tags its writes: where it ends, the sink's mark before it, when it began.
      col('pending_json', text, true), col('sink_mark', text, true), col('pending_at', ts, true),
    ],
  },
] as const satisfies readonly CatalogTable[];

export type CatalogTableName = (typeof catalogTables)[number]['name'];

const byName = new Map<string, CatalogTable>(catalogTables.map((t) => [t.name, t]));

export function catalogTable(name: string): CatalogTable | undefined {
  return byName.get(name);
}

/** A row of a catalog table: column name to value (in the in-memory form of its type). */
export type CatalogRow = Record<string, unknown>;
