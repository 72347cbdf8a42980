import type { JobInput } from './cancel-job.js';
import type { WorkflowDefinition } from './workflow-engine.js';

export const PAUSE_JOB = 'pause_job';
export const RESUME_JOB = 'resume_job';

/** ALTER DATAFLOW ... PAUSE: the job keeps its tasks and slots but stops taking input. */
export const pauseJob: WorkflowDefinition<JobInput> = {
  type: PAUSE_JOB,
  jobId: (input) => input.jobId,
  steps: [{ name: 'mark_paused', run: async ({ tx, input }) => { await tx.update('jobs', { job_id: input.jobId }, { status: 'paused' }); } }],
};

/** ALTER DATAFLOW ... RESUME: a paused job runs again. */
export const resumeJob: WorkflowDefinition<JobInput> = {
  type: RESUME_JOB,
  jobId: (input) => input.jobId,
  steps: [{ name: 'mark_running', run: async ({ tx, input }) => { await tx.update('jobs', { job_id: input.jobId }, { status: 'running' }); } }],
};
