import type { JobGraphEdge, JobGraphOperator } from '../../plan/job-graph.js';
import { operatorColumns } from '../../runtime/operator-chain.js';
import { type GraphRule, KEYED_OPERATORS } from './graph-rule.js';

/** The key columns (positions in the input) of a keyed operator's input `input`. */
function keysOf(op: JobGraphOperator, input: number): number[] {
  const p = op.params!;
  switch (op.type) {
    case 'aggregate': case 'top-n': return p.keys as number[];
    case 'join': return (input === 0 ? p.leftKeys : p.rightKeys) as number[];
    default: return [];
  }
}

/**
 * Keyed exchanges: every edge into a keyed stateful operator (aggregate, join, top-n)
 * becomes a hash edge on the operator's key, so all rows of a key meet in one task. Also
 * when both sides have the same parallelism: a forward edge there would leave a key split
 * across the upstream tasks. A keyed operator without keys (a global aggregate, a top-n
 * over everything) runs as one task, fed by rebalance edges.
 */
export const keyedExchanges: GraphRule = {
  name: 'keyed-exchanges',
  apply(graph) {
    const byId = new Map(graph.operators.map((o) => [o.id, o]));
    const global = new Set(graph.operators.filter((o) => KEYED_OPERATORS.has(o.type) && keysOf(o, 0).length === 0).map((o) => o.id));
    // What a single task feeds, up to the next keyed operator, runs as one task too.
    for (const o of graph.operators) {
      if (KEYED_OPERATORS.has(o.type)) continue;
      if (graph.edges.some((e) => e.to === o.id && global.has(e.from))) global.add(o.id);
    }
    const operators = graph.operators.map((o) => (global.has(o.id) ? { ...o, parallelism: 1 } : o));
    const edges = graph.edges.map((e): JobGraphEdge => {
      const to = byId.get(e.to)!;
      if (!KEYED_OPERATORS.has(to.type)) return e;
      if (global.has(to.id)) return { ...e, type: 'rebalance' };
      const keyColumns = keysOf(to, e.input ?? 0);
      const columns = operatorColumns(byId.get(e.from)!);
      return { ...e, type: 'hash', keys: keyColumns.map((k) => columns[k]!.name), keyColumns };
    });
    return { ...graph, operators, edges };
  },
};
