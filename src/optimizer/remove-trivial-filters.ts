import type { LogicalOperator } from '../plan/logical-plan.js';
import { bypass } from './plan-edit.js';
import type { Rule } from './rule.js';

function keepsEveryRow(op: LogicalOperator): boolean {
  return op.kind === 'filter' && op.predicate.kind === 'constant' && op.predicate.value === true;
}

/**
 * Removes a filter whose predicate is the constant TRUE (WHERE TRUE, or what constant
 * folding leaves of WHERE x > 0 OR TRUE): it keeps every row and outputs its input's
 * columns as they are, so its consumers may as well read its input.
 *
 * A filter that is constant FALSE or NULL keeps no row; it stays as it is, since the
 * dataflow still needs its source (there is no empty source to put in its place).
 */
export const removeTrivialFilters: Rule = {
  name: 'remove-trivial-filters',
  apply: (plan) => plan.operators.filter(keepsEveryRow).reduce((p, filter) => bypass(p, filter.id), plan),
};
