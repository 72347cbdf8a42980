import type { JobGraph } from '../../plan/job-graph.js';
import { toJobGraph, type LogicalPlan } from '../../plan/logical-plan.js';
import { chainOperators } from './chain-operators.js';
import type { GraphRule } from './graph-rule.js';
import { keyedExchanges } from './keyed-exchanges.js';
import { twoPhaseAggregation } from './two-phase-aggregation.js';

/** Keyed exchanges first: they fix which operators run as one task, which chaining needs to know. */
const GRAPH_RULES: readonly GraphRule[] = [keyedExchanges, twoPhaseAggregation, chainOperators];

/** The job graph of an optimized logical plan: operators, parallelism, and typed edges. */
export function planJobGraph(plan: LogicalPlan, options: { parallelism?: number; checkpointIntervalMs?: number } = {}): JobGraph {
  return GRAPH_RULES.reduce((g, rule) => rule.apply(g), toJobGraph(plan, options));
}
