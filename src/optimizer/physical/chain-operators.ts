import type { JobGraph, JobGraphEdge } from '../../plan/job-graph.js';
import { CHAINABLE_OPERATORS, type GraphRule } from './graph-rule.js';

/**
 * Chaining: a stateless operator (filter, project, flat map, window assigner, user
 * function) whose input runs at the same parallelism is chained into its input's task:
 * its edge becomes a chained forward edge, so rows pass between them as a function call
 * on the same batch, never through a queue. A UNION ALL chains the same way into each of
 * its inputs, and the sink into whatever feeds it.
 */
export const chainOperators: GraphRule = {
  name: 'chain-operators',
  apply(graph: JobGraph) {
    const parallelism = new Map(graph.operators.map((o) => [o.id, o.parallelism ?? graph.parallelism ?? 1]));
    const type = new Map(graph.operators.map((o) => [o.id, o.type]));
    const edges = graph.edges.map((e): JobGraphEdge => {
      const to = type.get(e.to)!;
      const chainable = CHAINABLE_OPERATORS.has(to) || to === 'union' || to === 'sink';
      if (!chainable || e.type === 'hash' || parallelism.get(e.from) !== parallelism.get(e.to)) return e;
      return { ...e, type: 'forward', chained: true };
    });
    return { ...graph, edges };
  },
};
