import { checkRunnable } from '../../agent/local-agent.js';
import { SabotError, SqlState } from '../../errors.js';
import { inputsOf, toJobGraph } from '../../plan/logical-plan.js';
import type { CreateDataflowStatement } from '../../sql/ast.js';
import { bindDataflow } from '../../sql/binder/dataflow-binder.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';

/**
 * CREATE DATAFLOW: plans the query, submits the job through the JobManager's durable
 * workflow, records the dataflow, and has the agent start running it.
 */
export function planCreateDataflow(s: CreateDataflowStatement, session: SessionContext, source: string): StatementPlan {
  const parallelism = Number(s.options.find((o) => o.name === 'parallelism')?.value ?? 1);
  if (!(Number.isInteger(parallelism) && parallelism >= 1)) {
    throw new SabotError(SqlState.invalidParameterValue, 'parallelism must be a positive integer', { position: s.pos + 1 });
  }
  const plan = bindDataflow(s, { streams: session.streams.all(), functions: session.functions, format: session.settings.format });
  const graph = toJobGraph(plan, { parallelism });
  checkRunnable(graph, session.streams);
  const sources = plan.operators.flatMap((op) => (op.kind === 'source' ? [op.stream] : []));
  const sink = plan.operators.find((op) => op.kind === 'sink' && inputsOf(op).length > 0);
  return {
    parameterTypes: [],
    columns: null,
    execute: async (_params, ctx) => {
      const [existing] = await session.catalog.select('dataflows', { name: s.name });
      if (existing) {
        if (s.ifNotExists) {
          session.notice(new SabotError(SqlState.duplicateObject, `dataflow "${s.name}" already exists, skipping`, { severity: 'NOTICE' }));
          return { kind: 'command', tag: 'CREATE DATAFLOW' };
        }
        throw new SabotError(SqlState.duplicateObject, `dataflow "${s.name}" already exists`, { position: s.pos + 1 });
      }
      const jobId = await session.jobs.submitJob(graph);
      const created = await session.catalog.insert('dataflows', {
        name: s.name, sql_text: source.slice(s.pos, s.bodyEnd), sink: sink?.kind === 'sink' ? sink.stream : null,
        sources: sources.join(','), job_id: jobId, created_at: ctx.statementStart,
      });
      if (!created) {
        await session.jobs.cancelJob(jobId);
        throw new SabotError(SqlState.duplicateObject, `dataflow "${s.name}" already exists`, { position: s.pos + 1 });
      }
      await session.agent.run(jobId, graph);
      return { kind: 'command', tag: 'CREATE DATAFLOW' };
    },
  };
}
