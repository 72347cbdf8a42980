import { keptResult } from '../../connectors/internal/kept-result.js';
import { SabotError, SqlState } from '../../errors.js';
import { inputsOf } from '../../plan/logical-plan.js';
import type { CreateDataflowStatement } from '../../sql/ast.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';
import { planDataflow } from './plan-dataflow.js';

/**
 * CREATE DATAFLOW: plans the query and submits the job through the JobManager's durable
 * workflow, which deploys its tasks to the agent; then records the dataflow.
 */
export function planCreateDataflow(s: CreateDataflowStatement, session: SessionContext, source: string): StatementPlan {
  const { plan, graph } = planDataflow(s, session);
  session.agent.checkRunnable(graph);
  const sources = plan.operators.flatMap((op) => (op.kind === 'source' ? [op.stream] : []));
  const sink = plan.operators.find((op) => op.kind === 'sink' && inputsOf(op).length > 0);
  const kept = sink?.kind === 'sink' && sink.stream === null ? keptResult(s.name, sink.columns, sink.upsertKeys) : null;
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
      if (kept && session.streams.get(s.name)) {
        throw new SabotError(SqlState.duplicateTable, `relation "${s.name}" already exists`,
          { position: s.pos + 1, detail: `A stream is named ${s.name}; the result of this dataflow would be read by that name.` });
      }
      // The name is claimed first, so a dataflow of the same name created at the same time fails before it runs.
      const created = await session.catalog.insert('dataflows', {
        name: s.name, sql_text: source.slice(s.pos, s.bodyEnd), sink: sink?.kind === 'sink' ? sink.stream : null,
        sources: sources.join(','), job_id: null, created_at: ctx.statementStart,
      });
      if (!created) throw new SabotError(SqlState.duplicateObject, `dataflow "${s.name}" already exists`, { position: s.pos + 1 });
      try {
        if (kept) {
          await session.internalStreams.remove(kept);
          session.streams.addResult(kept);
        }
        const jobId = await session.jobs.submitJob(graph);
        await session.catalog.update('dataflows', { name: s.name }, { job_id: jobId });
      } catch (err) {
        await session.catalog.delete('dataflows', { name: s.name });
        if (kept) session.streams.removeResult(kept.name);
        throw err;
      }
      return { kind: 'command', tag: 'CREATE DATAFLOW' };
    },
  };
}
