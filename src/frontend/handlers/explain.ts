import { SabotError, SqlState } from '../../errors.js';
import { buildExecutionGraph } from '../../graph/execution-graph.js';
import { jobGraphId } from '../../plan/job-graph.js';
import { explainLogical, toJobGraph } from '../../plan/logical-plan.js';
import type { ExplainStatement } from '../../sql/ast.js';
import { bindDataflow } from '../../sql/binder/dataflow-binder.js';
import { Types } from '../../types/sql-type.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';

/**
 * EXPLAIN [LOGICAL | PHYSICAL] [(FORMAT JSON)] CREATE DATAFLOW ...: the operator tree,
 * or the tasks and edges it expands to, or the job graph JSON. One text row per line,
 * in a column named QUERY PLAN as Postgres has it.
 */
export function planExplain(s: ExplainStatement, session: SessionContext): StatementPlan {
  if (s.target.kind === 'dataflow') {
    throw new SabotError(SqlState.undefinedObject, `dataflow "${s.target.name}" does not exist`, { position: s.pos + 1 });
  }
  const statement = s.target.statement;
  const parallelism = Number(statement.options.find((o) => o.name === 'parallelism')?.value ?? 1);
  if (!(Number.isInteger(parallelism) && parallelism >= 1)) {
    throw new SabotError(SqlState.invalidParameterValue, 'parallelism must be a positive integer', { position: statement.pos + 1 });
  }
  const plan = bindDataflow(statement, { streams: session.streams.all(), functions: session.functions, format: session.settings.format });
  const graph = toJobGraph(plan, { parallelism });
  let lines: string[];
  if (s.format === 'json') {
    lines = [JSON.stringify(graph, null, 2)];
  } else if (s.mode === 'logical') {
    lines = explainLogical(plan);
  } else {
    const execution = buildExecutionGraph(jobGraphId(graph), graph);
    const tasksPer = new Map<string, number>();
    for (const t of execution.tasks) tasksPer.set(t.operatorId, (tasksPer.get(t.operatorId) ?? 0) + 1);
    lines = [
      ...graph.operators.map((op) => `${op.id}: ${op.name} [parallelism ${tasksPer.get(op.id)}]`),
      ...execution.edges.map((e) => `${e.upstreamOperatorId} -> ${e.downstreamOperatorId}: ${e.edgeType}${e.partitionKeys ? ` (${e.partitionKeys.join(', ')})` : ''}`),
    ];
  }
  return {
    parameterTypes: [],
    columns: [{ name: 'QUERY PLAN', type: Types.text }],
    execute: () => ({ kind: 'rows', rows: lines.map((l) => [l]), tag: 'EXPLAIN', fixedTag: true }),
  };
}
