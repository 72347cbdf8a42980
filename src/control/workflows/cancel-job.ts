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
      run: async ({ tx, input }) => {
        const tasks = await tx.select('tasks', { job_id: input.jobId });
        const perAgent = new Map<string, number>();
        for (const t of tasks) if (t.agent_id !== null) perAgent.set(t.agent_id as string, (perAgent.get(t.agent_id as string) ?? 0) + 1);
        for (const [agentId, n] of perAgent) {
          const [agent] = await tx.select('agents', { agent_id: agentId });
          if (agent) {
            await tx.update('agents', { agent_id: agentId },
              { available_slots: Math.min(agent.max_workers as number, (agent.available_slots as number) + n) });
          }
        }
        await tx.update('tasks', { job_id: input.jobId }, { state: 'canceled' });
      },
    },
    {
      name: 'mark_canceled',
      run: async ({ tx, input, now }) => {
        await tx.update('jobs', { job_id: input.jobId }, { status: 'canceled', completed_at: now });
      },
    },
  ],
};
