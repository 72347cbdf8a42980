import { SabotError, SqlState } from '../../errors.js';
import { explainPhysical } from '../../optimizer/physical/explain-physical.js';
import { explainLogical } from '../../plan/logical-plan.js';
import { planDataflow } from './plan-dataflow.js';
import type { CreateDataflowStatement, ExplainStatement } from '../../sql/ast.js';
import { parseStatement } from '../../sql/parser.js';
import { Types } from '../../types/sql-type.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';

/**
 * EXPLAIN [LOGICAL | PHYSICAL] [(FORMAT JSON)] CREATE DATAFLOW ... | DATAFLOW name: the operator tree,
 * or the tasks and edges it expands to, or the job graph JSON. One text row per line,
 * in a column named QUERY PLAN as Postgres has it.
 */
export function planExplain(s: ExplainStatement, session: SessionContext): StatementPlan {
  if (s.target.kind === 'dataflow') return explainDataflow(s, s.target.name, session);
  const lines = explainLines(s, s.target.statement, session);
  return {
    parameterTypes: [],
    columns: [{ name: 'QUERY PLAN', type: Types.text }],
    execute: () => ({ kind: 'rows', rows: lines.map((l) => [l]), tag: 'EXPLAIN', fixedTag: true }),
  };
}

/**
 * EXPLAIN DATAFLOW name: the plan of a dataflow that exists, from the statement that
 * created it (its streams cannot have changed since); PHYSICAL adds where each of its
 * tasks runs now, in what state, and how many rows it has processed.
 */
function explainDataflow(s: ExplainStatement, name: string, session: SessionContext): StatementPlan {
  return {
    parameterTypes: [],
    columns: [{ name: 'QUERY PLAN', type: Types.text }],
    execute: async () => {
      const [dataflow] = await session.catalog.select('dataflows', { name });
      if (!dataflow) throw new SabotError(SqlState.undefinedObject, `dataflow "${name}" does not exist`, { position: s.pos + 1 });
      const parsed = parseStatement(dataflow.sql_text as string);
      if (parsed?.statement.kind !== 'create-dataflow') {
        throw new SabotError(SqlState.internalError, `dataflow "${name}" has no CREATE DATAFLOW statement recorded`);
      }
      const lines = explainLines(s, parsed.statement, session);
      if (s.mode === 'physical' && s.format === 'text' && dataflow.job_id !== null) {
        const [job] = await session.catalog.select('jobs', { job_id: dataflow.job_id });
        lines.push(`job: ${String(job?.status)}`);
        const tasks = await session.catalog.select('tasks', { job_id: dataflow.job_id });
        tasks.sort((a, b) => String(a.task_id).localeCompare(String(b.task_id)));
        for (const t of tasks) {
          lines.push(`  task ${String(t.operator_id)}[${String(t.task_index)}] on agent ${String(t.agent_id)} slot ${String(t.slot_id)}: `
            + `${String(t.state)}, ${String(t.rows_processed)} rows, ${String(t.rows_rejected)} rejected`);
        }
      }
      return { kind: 'rows', rows: lines.map((l) => [l]), tag: 'EXPLAIN', fixedTag: true };
    },
  };
}

function explainLines(s: ExplainStatement, statement: CreateDataflowStatement, session: SessionContext): string[] {
  const { plan, graph } = planDataflow(statement, session);
  let lines: string[];
  if (s.format === 'json') {
    lines = [JSON.stringify(graph, null, 2)];
  } else if (s.mode === 'logical') {
    lines = explainLogical(plan);
  } else {
    lines = explainPhysical(graph);
  }
  return lines;
}
