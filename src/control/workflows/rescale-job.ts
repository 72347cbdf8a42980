import type { JobGraph } from '../../plan/job-graph.js';
import { endTasks } from '../agents.js';
import type { CatalogAccess } from '../catalog/catalog-store.js';
import { assignTasks, recordExecutionGraph } from './submit-job.js';
import type { WorkflowDefinition } from './workflow-engine.js';

export interface RescaleJobInput {
  jobId: string;
  parallelism: number;
  /** The status the job returns to: a paused job stays paused. */
  resumeAs: 'running' | 'paused';
}

export const RESCALE_JOB = 'rescale_job';

/**
 * The position each new source task starts from: the positions of the old tasks of its
 * source, in task order, for the source connector to carry over (split-cursor.ts; Kafka
 * merges partition offsets), so nothing is read twice or skipped.
 */
function rescaledPositions(old: { index: number; position: unknown }[]): string {
  const positions = old.sort((a, b) => a.index - b.index).map((p) => p.position);
  return JSON.stringify({ rescaled: { splits: positions.length, positions } });
}

async function clearExecution(tx: CatalogAccess, jobId: string): Promise<void> {
  for (const table of ['source_positions', 'tasks', 'shuffle_edges', 'execution_graphs'] as const) await tx.delete(table, { job_id: jobId });
}

/**
 * ALTER DATAFLOW ... SET PARALLELISM (the job's agents have stopped its tasks first): the
 * job graph gets the new parallelism, the old tasks end and give back their slots, new
 * tasks are compiled and assigned (reason `rescale`), each new source task starting from
 * what the old ones had read; then the job is running (or paused) again.
 */
export const rescaleJob: WorkflowDefinition<RescaleJobInput> = {
  type: RESCALE_JOB,
  jobId: (input) => input.jobId,
  steps: [
    {
      name: 'mark_rescaling',
      run: async ({ tx, input }) => { await tx.update('jobs', { job_id: input.jobId }, { status: 'rescaling' }); },
    },
    {
      name: 'recompile',
      run: async ({ tx, input, now }) => {
        const [job] = await tx.select('jobs', { job_id: input.jobId });
        const graph = { ...JSON.parse(job!.job_graph_json as string) as JobGraph, parallelism: input.parallelism };
        const tasks = await tx.select('tasks', { job_id: input.jobId });
        const positions = new Map((await tx.select('source_positions', { job_id: input.jobId }))
          .map((p) => [p.task_id as string, JSON.parse(p.position_json as string) as unknown]));
        const oldBySource = new Map<string, { index: number; position: unknown }[]>();
        for (const t of tasks.filter((x) => x.operator_type === 'source')) {
          const list = oldBySource.get(t.operator_id as string) ?? [];
          list.push({ index: t.task_index as number, position: positions.get(t.task_id as string) ?? null });
          oldBySource.set(t.operator_id as string, list);
        }
        await endTasks(tx, input.jobId, 'canceled', now);
        await clearExecution(tx, input.jobId);
        await tx.update('jobs', { job_id: input.jobId }, {
          job_graph_json: JSON.stringify(graph), optimized_dag_json: JSON.stringify(graph), default_parallelism: input.parallelism,
        });
        const g = await recordExecutionGraph(tx, input.jobId, graph);
        for (const t of g.tasks.filter((x) => x.operatorType === 'source')) {
          const old = oldBySource.get(t.operatorId) ?? [];
          if (old.every((o) => o.position === null)) continue;
          await tx.insert('source_positions', { task_id: t.taskId, job_id: input.jobId, position_json: rescaledPositions(old), updated_at: now });
        }
      },
    },
    {
      name: 'assign_tasks',
      run: async ({ tx, input, now }) => assignTasks(tx, input.jobId, 'rescale', now),
    },
    {
      name: 'mark_running',
      run: async ({ tx, input, now }) => {
        await tx.update('tasks', { job_id: input.jobId }, { state: 'running', last_heartbeat: now });
        await tx.update('jobs', { job_id: input.jobId }, { status: input.resumeAs });
      },
    },
  ],
  onFailure: async (tx, input, error) => {
    const [job] = await tx.select('jobs', { job_id: input.jobId });
    if (!job) return;
    await tx.update('jobs', { job_id: input.jobId }, {
      status: 'failed', error_message: `rescale failed: ${error.message}`, failure_count: (job.failure_count as number) + 1,
      completed_at: Date.now() * 1000,
    });
  },
};
