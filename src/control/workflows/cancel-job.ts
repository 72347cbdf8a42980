import { endTasks } from '../agents.js';
import type { WorkflowDefinition } from './workflow-engine.js';

export interface JobInput {
  jobId: string;
}

export const CANCEL_JOB = 'cancel_job';

/** Cancel (DROP DATAFLOW): the job and its tasks go canceling, then canceled, and their slots return. */
export const cancelJob: WorkflowDefinition<JobInput> = {
  type: CANCEL_JOB,
  jobId: (input) => input.jobId,
  steps: [
    {
      name: 'mark_canceling',
      run: async ({ tx, input }) => {
        await tx.update('jobs', { job_id: input.jobId }, { status: 'canceling' });
        await tx.update('tasks', { job_id: input.jobId }, { state: 'canceling' });
      },
    },
    {
      name: 'release_slots',
      run: async ({ tx, input, now }) => endTasks(tx, input.jobId, 'canceled', now),
    },
    {
      name: 'mark_canceled',
      run: async ({ tx, input, now }) => {
        await tx.update('jobs', { job_id: input.jobId }, { status: 'canceled', completed_at: now });
      },
    },
  ],
};
