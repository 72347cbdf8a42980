import { SabotError, SqlState } from '../../errors.js';
import { buildExecutionGraph, type ExecutionGraph } from '../../graph/execution-graph.js';
import type { JobGraph } from '../../plan/job-graph.js';
import type { CatalogAccess } from '../catalog/catalog-store.js';
import type { WorkflowDefinition } from './workflow-engine.js';

export interface SubmitJobInput {
  jobId: string;
  graph: JobGraph;
}

export const SUBMIT_JOB = 'submit_job';

async function setStatus(tx: CatalogAccess, jobId: string, status: string, extra: Record<string, unknown> = {}): Promise<void> {
  await tx.update('jobs', { job_id: jobId }, { status, ...extra });
}

/** Expands a job graph into its execution graph and records it: the graph, its tasks (created) and its edges. */
export async function recordExecutionGraph(tx: CatalogAccess, jobId: string, graph: JobGraph): Promise<ExecutionGraph> {
  const g = buildExecutionGraph(jobId, graph);
  await tx.insert('execution_graphs', {
    job_id: jobId, graph_json: JSON.stringify(g), total_tasks: g.tasks.length, total_operators: g.totalOperators,
  });
  for (const t of g.tasks) {
    await tx.insert('tasks', {
      task_id: t.taskId, job_id: jobId, operator_id: t.operatorId, operator_type: t.operatorType,
      operator_name: t.operatorName, task_index: t.taskIndex, parallelism: t.parallelism, state: 'created',
      rows_processed: 0n, bytes_processed: 0n, failure_count: 0,
    });
  }
  for (const e of g.edges) {
    await tx.insert('shuffle_edges', {
      job_id: jobId, upstream_operator_id: e.upstreamOperatorId, downstream_operator_id: e.downstreamOperatorId,
      edge_type: e.edgeType, partition_keys: e.partitionKeys && e.partitionKeys.join(','), num_partitions: e.numPartitions,
    });
  }
  return g;
}

/**
 * Assigns a job's tasks to the alive agents' slots and records each assignment. Slot
 * sharing: subtask i of every operator of the job shares one slot, so a job needs as
 * many slots as its largest parallelism, whatever its operator count.
 */
export async function assignTasks(tx: CatalogAccess, jobId: string, reason: 'initial_deploy' | 'rescale', now: number): Promise<void> {
  const [graphRow] = await tx.select('execution_graphs', { job_id: jobId });
  const g = JSON.parse(graphRow!.graph_json as string) as ExecutionGraph;
  const agents = (await tx.select('agents', { status: 'alive' })).filter((a) => (a.available_slots as number) > 0);
  const groups = new Map<number, ExecutionGraph['tasks']>();
  for (const t of g.tasks) groups.set(t.taskIndex, [...(groups.get(t.taskIndex) ?? []), t]);
  const free = agents.reduce((n, a) => n + (a.available_slots as number), 0);
  if (free < groups.size) {
    throw new SabotError(SqlState.insufficientResources, `not enough task slots: the job needs ${groups.size}, the alive agents have ${free} free`,
      { hint: 'Lower the parallelism, drop dataflows, or start more agents (sabot agent).', userFault: false, retryable: true });
  }
  const slots = agents.map((a) => ({ id: a.agent_id as string, left: a.available_slots as number, next: 0 }));
  const used = new Map<string, Set<number>>();
  for (const t of await tx.select('tasks')) {
    if (t.agent_id !== null && t.slot_id !== null && t.job_id !== jobId) {
      used.set(t.agent_id as string, (used.get(t.agent_id as string) ?? new Set()).add(t.slot_id as number));
    }
  }
  for (const group of groups.values()) {
    slots.sort((a, b) => b.left - a.left);
    const agent = slots[0]!;
    agent.left--;
    const taken = used.get(agent.id) ?? new Set<number>();
    while (taken.has(agent.next)) agent.next++;
    const slot = agent.next++;
    for (const t of group) {
      await tx.update('tasks', { task_id: t.taskId }, { agent_id: agent.id, slot_id: slot, state: 'scheduled' });
      await tx.insert('task_assignments', { job_id: jobId, task_id: t.taskId, agent_id: agent.id, assigned_at: now, reason });
    }
  }
  for (const a of slots) await tx.update('agents', { agent_id: a.id }, { available_slots: a.left });
}

/**
 * Job submission: record the job, optimize its DAG, compile the execution graph, assign
 * its tasks to agents' slots, deploy them, and mark the job running. Each step's catalog
 * writes commit with the step's record, so a crash between steps resumes cleanly.
 */
export const submitJob: WorkflowDefinition<SubmitJobInput> = {
  type: SUBMIT_JOB,
  jobId: (input) => input.jobId,
  steps: [
    {
      name: 'record_job',
      run: async ({ tx, input, now }) => {
        await tx.insert('jobs', {
          job_id: input.jobId, job_name: input.graph.name, status: 'pending',
          default_parallelism: input.graph.parallelism ?? 1,
          checkpoint_interval_ms: BigInt(input.graph.checkpointIntervalMs ?? 0),
          job_graph_json: JSON.stringify(input.graph), submitted_at: now, failure_count: 0,
        });
      },
    },
    {
      name: 'optimize',
      // The DAG as it will run: the planner ran the optimizer's rules (src/optimizer/) before submitting it.
      run: async ({ tx, input }) => setStatus(tx, input.jobId, 'optimizing', { optimized_dag_json: JSON.stringify(input.graph) }),
    },
    {
      name: 'compile',
      run: async ({ tx, input }) => {
        const g = await recordExecutionGraph(tx, input.jobId, input.graph);
        await setStatus(tx, input.jobId, 'compiling');
        return g.tasks.length;
      },
    },
    {
      name: 'assign_tasks',
      run: async ({ tx, input, now }) => {
        await assignTasks(tx, input.jobId, 'initial_deploy', now);
        await setStatus(tx, input.jobId, 'deploying');
      },
    },
    {
      name: 'deploy',
      run: async ({ tx, input, now }) => {
        await tx.update('tasks', { job_id: input.jobId }, { state: 'running', last_heartbeat: now });
        await setStatus(tx, input.jobId, 'running', { started_at: now });
      },
    },
  ],
  onFailure: async (tx, input, error) => {
    const [job] = await tx.select('jobs', { job_id: input.jobId });
    if (!job) return;
    await tx.update('jobs', { job_id: input.jobId }, {
      status: 'failed', error_message: error.message, failure_count: (job.failure_count as number) + 1, completed_at: Date.now() * 1000,
    });
  },
};
