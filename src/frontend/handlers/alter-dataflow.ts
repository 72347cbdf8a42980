import { SabotError, SqlState } from '../../errors.js';
import type { AlterDataflowStatement } from '../../sql/ast.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';

/**
 * ALTER DATAFLOW name PAUSE | RESUME: the job's pause and resume workflows. A paused
 * dataflow keeps its tasks and slots and its sources' positions; input appended while it
 * is paused is processed after RESUME. SET PARALLELISM needs the positions and state of
 * every task carried to a new set of tasks, which comes with checkpoints: 0A000 until then.
 */
export function planAlterDataflow(s: AlterDataflowStatement, session: SessionContext): StatementPlan {
  if (s.action.kind === 'set-parallelism') {
    throw new SabotError(SqlState.featureNotSupported, 'ALTER DATAFLOW ... SET PARALLELISM is not supported yet',
      { position: s.pos + 1, hint: 'DROP the dataflow and CREATE it again WITH (parallelism = n).' });
  }
  const action = s.action.kind;
  return {
    parameterTypes: [],
    columns: null,
    execute: async () => {
      const [dataflow] = await session.catalog.select('dataflows', { name: s.name });
      if (!dataflow) throw new SabotError(SqlState.undefinedObject, `dataflow "${s.name}" does not exist`, { position: s.pos + 1 });
      const jobId = dataflow.job_id as string | null;
      const job = jobId === null ? undefined : await session.jobs.getJobStatus(jobId);
      if (!job) throw new SabotError(SqlState.objectNotInPrerequisiteState, `dataflow "${s.name}" has no job`);
      const wanted = action === 'pause' ? 'running' : 'paused';
      if (job.status === (action === 'pause' ? 'paused' : 'running')) {
        session.notice(new SabotError(SqlState.successfulCompletion, `dataflow "${s.name}" is already ${job.status}`, { severity: 'NOTICE' }));
        return { kind: 'command', tag: 'ALTER DATAFLOW' };
      }
      if (job.status !== wanted) {
        throw new SabotError(SqlState.objectNotInPrerequisiteState,
          `cannot ${action} dataflow "${s.name}": its job is ${job.status}`, { position: s.pos + 1 });
      }
      if (action === 'pause') await session.jobs.pauseJob(job.jobId);
      else await session.jobs.resumeJob(job.jobId);
      return { kind: 'command', tag: 'ALTER DATAFLOW' };
    },
  };
}
