import type { LogicalPlan } from '../plan/logical-plan.js';
import { foldConstants } from './fold-constants.js';
import { mergeProjections } from './merge-projections.js';
import { pruneSourceColumns } from './prune-source-columns.js';
import { pushDownPredicates } from './push-down-predicates.js';
import { removeTrivialFilters } from './remove-trivial-filters.js';
import type { Rule } from './rule.js';

/**
 * The rules in the order they run: folding first, as it makes trivial filters and
 * simpler projections; pushdown once the trivial filters are gone, and before merging,
 * as a filter moved from between two projections lets them merge; merging before
 * pruning, so pruning sees what the merged projection reads.
 */
const RULES: readonly Rule[] = [foldConstants, removeTrivialFilters, pushDownPredicates, mergeProjections, pruneSourceColumns];

/** More rounds than any plan needs: each rule leaves little for another round to do. */
const MAX_ROUNDS = 10;

/** The plan rewritten by every rule, round after round, until a round changes nothing. */
export function optimize(plan: LogicalPlan): LogicalPlan {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = RULES.reduce((p, rule) => rule.apply(p), plan);
    if (next === plan) break;
    plan = next;
  }
  return plan;
}
