import { SabotError, SqlState } from '../../errors.js';
import type { DropStatement } from '../../sql/ast.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';

/**
 * DROP STREAM and DROP DATAFLOW. A stream a dataflow reads or writes cannot be dropped
 * (2BP01) while that dataflow exists.
 */
export function planDrop(s: DropStatement, session: SessionContext): StatementPlan {
  const tag = s.object === 'stream' ? 'DROP STREAM' : 'DROP DATAFLOW';
  return {
    parameterTypes: [],
    columns: null,
    execute: async () => {
      const dropped: string[] = [];
      // A dataflow's job is canceled first (a durable workflow of its own), then its row goes.
      if (s.object === 'dataflow') {
        for (const name of s.names) {
          const [dataflow] = await session.catalog.select('dataflows', { name });
          const jobId = dataflow?.job_id as string | null | undefined;
          const job = jobId ? await session.jobs.getJobStatus(jobId) : undefined;
          if (job && !['canceled', 'completed', 'failed'].includes(job.status)) await session.jobs.cancelJob(job.jobId);
        }
      }
      await session.catalog.transaction(async (tx) => {
        for (const name of s.names) {
          if (s.object === 'stream') {
            const users = (await tx.select('dataflows')).filter((d) =>
              d.sink === name || String(d.sources).split(',').includes(name));
            if (users.length > 0) {
              throw new SabotError(SqlState.dependentObjectsStillExist, `cannot drop stream "${name}" because other objects depend on it`, {
                detail: users.map((d) => `dataflow ${String(d.name)} ${d.sink === name ? 'writes to' : 'reads from'} stream ${name}`).join('\n'),
                hint: 'Drop the dataflows first.',
              });
            }
          }
          const removed = await tx.delete(s.object === 'stream' ? 'streams' : 'dataflows', { name });
          if (removed > 0) dropped.push(name);
          if (removed === 0) {
            if (!s.ifExists) throw new SabotError(SqlState.undefinedObject, `${s.object} "${name}" does not exist`, { position: s.pos + 1 });
            session.notice(new SabotError(SqlState.successfulCompletion, `${s.object} "${name}" does not exist, skipping`, { severity: 'NOTICE' }));
          }
        }
      });
      for (const name of dropped) {
        const stream = s.object === 'stream' ? session.streams.get(name) : session.streams.result(name);
        if (s.object === 'stream') session.streams.remove(name);
        else session.streams.removeResult(name);
        if (stream?.connector === 'internal' || stream?.connector === 'result') await session.internalStreams.remove(stream);
      }
      return { kind: 'command', tag };
    },
  };
}
