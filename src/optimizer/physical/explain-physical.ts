import { buildExecutionGraph } from '../../graph/execution-graph.js';
import { jobGraphId, type JobGraph } from '../../plan/job-graph.js';

/**
 * EXPLAIN PHYSICAL: each operator with its parallelism (and how it runs: a two-phase
 * aggregate's partial step), then each edge with its type, its hash keys, and whether it
 * is chained into the task before it.
 */
export function explainPhysical(graph: JobGraph): string[] {
  const execution = buildExecutionGraph(jobGraphId(graph), graph);
  const tasksPer = new Map<string, number>();
  for (const t of execution.tasks) tasksPer.set(t.operatorId, (tasksPer.get(t.operatorId) ?? 0) + 1);
  return [
    ...graph.operators.map((op) => {
      const notes = [`parallelism ${tasksPer.get(op.id)}`];
      if (op.params?.twoPhase === true) notes.push('two-phase: partial aggregate before the exchange');
      return `${op.id}: ${op.name} [${notes.join(', ')}]`;
    }),
    ...execution.edges.map((e, i) => {
      const keys = e.partitionKeys ? ` (${e.partitionKeys.join(', ')})` : '';
      return `${e.upstreamOperatorId} -> ${e.downstreamOperatorId}: ${e.edgeType}${keys}${graph.edges[i]!.chained ? ' chained' : ''}`;
    }),
  ];
}
