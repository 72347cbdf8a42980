import type { EdgeType, JobGraph } from '../plan/job-graph.js';

/** One subtask of one operator. */
export interface ExecutionTask {
  taskId: string;
  operatorId: string;
  operatorType: string;
  operatorName: string;
  taskIndex: number;
  parallelism: number;
}

/** How records cross from one operator's tasks to the next one's. */
export interface ExecutionEdge {
  upstreamOperatorId: string;
  downstreamOperatorId: string;
  edgeType: EdgeType;
  partitionKeys: string[] | null;
  numPartitions: number;
}

export interface ExecutionGraph {
  jobId: string;
  tasks: ExecutionTask[];
  edges: ExecutionEdge[];
  totalOperators: number;
}

/**
 * Expands a job graph into tasks (operator x parallelism) and typed edges. An edge the
 * planner left untyped is forward when both sides have the same parallelism (task i
 * feeds task i) and rebalance otherwise.
 */
export function buildExecutionGraph(jobId: string, graph: JobGraph): ExecutionGraph {
  const defaultParallelism = graph.parallelism ?? 1;
  const parallelism = new Map(graph.operators.map((op) => [op.id, op.parallelism ?? defaultParallelism]));
  const tasks = graph.operators.flatMap((op) => {
    const p = parallelism.get(op.id)!;
    return Array.from({ length: p }, (_, i): ExecutionTask => ({
      taskId: `${jobId}:${op.id}:${i}`, operatorId: op.id, operatorType: op.type, operatorName: op.name,
      taskIndex: i, parallelism: p,
    }));
  });
  const edges = graph.edges.map((e): ExecutionEdge => {
    const up = parallelism.get(e.from)!;
    const down = parallelism.get(e.to)!;
    return {
      upstreamOperatorId: e.from, downstreamOperatorId: e.to,
      edgeType: e.type ?? (up === down ? 'forward' : 'rebalance'),
      partitionKeys: e.keys && e.keys.length > 0 ? e.keys : null,
      numPartitions: down,
    };
  });
  return { jobId, tasks, edges, totalOperators: graph.operators.length };
}
