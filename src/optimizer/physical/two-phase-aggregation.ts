import type { GraphRule } from './graph-rule.js';

/**
 * Two-phase aggregation: an aggregate's rows are first combined per key (and window
 * slice) within each batch in the task before the hash exchange (a partial aggregate),
 * so one row per key and batch crosses the shuffle instead of every input row; the
 * aggregate's own tasks merge the partial rows. Marks each aggregate `twoPhase`; the
 * agent runs the partial step at the end of the upstream task's chain. Safe: every
 * aggregate state (count, sum, min, max, avg as sum and count, DISTINCT as a set of
 * values) merges exactly. Not for an aggregate over an updating result: its rows replace
 * each other, so each must reach it on its own.
 */
export const twoPhaseAggregation: GraphRule = {
  name: 'two-phase-aggregation',
  apply(graph) {
    return {
      ...graph,
      operators: graph.operators.map((o) => (o.type === 'aggregate' && !o.params?.replacing ? { ...o, params: { ...o.params, twoPhase: true } } : o)),
    };
  },
};
