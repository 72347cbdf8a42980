import { SabotError, SqlState } from '../../errors.js';
import type { AlterDataflowStatement } from '../../sql/ast.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';

/**
 * ALTER DATAFLOW name PAUSE | RESUME | SET PARALLELISM = n: the job's pause, resume and
 * rescale workflows. A paused dataflow keeps its tasks and slots and its sources'
 * positions; input appended while it is paused is processed after RESUME. A rescale
 * replaces the tasks; the new source tasks go on from what the old ones read. (Dataflows
 * are stateless so far; stateful ones will carry their state through checkpoints.)
 */
export function planAlterDataflow(s: AlterDataflowStatement, session: SessionContext): StatementPlan {
  const action = s.action;
  if (action.kind === 'set-parallelism' && !(Number.isInteger(action.parallelism) && action.parallelism >= 1)) {
    throw new SabotError(SqlState.invalidParameterValue, 'parallelism must be a positive integer', { position: s.pos + 1 });
  }
  return {
    parameterTypes: [],
    columns: null,
    execute: async () => {
      const [dataflow] = await session.catalog.select('dataflows', { name: s.name });
      if (!dataflow) throw new SabotError(SqlState.undefinedObject, `dataflow "${s.name}" does not exist`, { position: s.pos + 1 });
      const jobId = dataflow.job_id as string | null;
      const job = jobId === null ? undefined : await session.jobs.getJobStatus(jobId);
      if (!job) throw new SabotError(SqlState.objectNotInPrerequisiteState, `dataflow "${s.name}" has no job`);
      if (action.kind === 'set-parallelism') {
        if (job.status !== 'running' && job.status !== 'paused') {
          throw new SabotError(SqlState.objectNotInPrerequisiteState, `cannot rescale dataflow "${s.name}": its job is ${job.status}`,
            { position: s.pos + 1 });
        }
        if (job.defaultParallelism !== action.parallelism) await session.jobs.rescaleJob(job.jobId, action.parallelism);
        return { kind: 'command', tag: 'ALTER DATAFLOW' };
      }
      const pause = action.kind === 'pause';
      const wanted = pause ? 'running' : 'paused';
      if (job.status === (pause ? 'paused' : 'running')) {
        session.notice(new SabotError(SqlState.successfulCompletion, `dataflow "${s.name}" is already ${job.status}`, { severity: 'NOTICE' }));
        return { kind: 'command', tag: 'ALTER DATAFLOW' };
      }
      if (job.status !== wanted) {
        throw new SabotError(SqlState.objectNotInPrerequisiteState,
          `cannot ${action.kind} dataflow "${s.name}": its job is ${job.status}`, { position: s.pos + 1 });
      }
      if (pause) await session.jobs.pauseJob(job.jobId);
      else await session.jobs.resumeJob(job.jobId);
      return { kind: 'command', tag: 'ALTER DATAFLOW' };
    },
  };
}
