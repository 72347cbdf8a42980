import { prepareDataflow, submitDataflow } from '../../control/submit-dataflow.js';
import { SabotError, SqlState } from '../../errors.js';
import type { CreateDataflowStatement } from '../../sql/ast.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';
import { planDataflow } from './plan-dataflow.js';

/**
 * CREATE DATAFLOW: plans the query and submits the job through the JobManager's durable
 * workflow, which deploys its tasks to the agent; then records the dataflow.
 */
export function planCreateDataflow(s: CreateDataflowStatement, session: SessionContext, source: string): StatementPlan {
  const { plan, graph } = planDataflow(s, session);
  const dataflow = prepareDataflow(session, s.name, plan, graph);
  return {
    parameterTypes: [],
    columns: null,
    execute: async (_params, ctx) => {
      const jobId = await submitDataflow(session, dataflow,
        { text: source.slice(s.pos, s.bodyEnd), createdAt: ctx.statementStart, ifNotExists: s.ifNotExists, position: s.pos + 1 });
      if (jobId === null) {
        session.notice(new SabotError(SqlState.duplicateObject, `dataflow "${s.name}" already exists, skipping`, { severity: 'NOTICE' }));
      }
      return { kind: 'command', tag: 'CREATE DATAFLOW' };
    },
  };
}
