import type { BoundExpression } from '../plan/expression.js';
import type { LogicalOperator, LogicalPlan } from '../plan/logical-plan.js';
import { childrenOf, isVolatile, replaceColumns } from '../plan/expression-tree.js';
import { bypass, consumersOf, mapOperators } from './plan-edit.js';
import type { Rule } from './rule.js';

type Project = Extract<LogicalOperator, { kind: 'project' }>;

interface Uses {
  count: number;
  /** Some use is where evaluation may stop before reaching it (a later AND operand, a CASE branch). */
  conditional: boolean;
}

function mayStopEarly(e: BoundExpression): boolean {
  switch (e.kind) {
    case 'and': case 'or': case 'case': case 'coalesce': return true;
    case 'constant': case 'parameter': case 'column': case 'call': case 'cast': case 'not': case 'is-null': case 'in-list': return false;
  }
}

function addUses(e: BoundExpression, uses: Map<number, Uses>, conditional: boolean): void {
  if (e.kind === 'column') {
    const u = uses.get(e.index) ?? { count: 0, conditional: false };
    uses.set(e.index, { count: u.count + 1, conditional: u.conditional || conditional });
  }
  for (const c of childrenOf(e)) addUses(c, uses, conditional || mayStopEarly(e));
}

/**
 * The outer projection's expressions over the inner projection's input, or null when
 * that would call a volatile inner expression more or less often than once per row.
 */
function substituted(outer: Project, inner: Project): BoundExpression[] | null {
  const uses = new Map<number, Uses>();
  for (const e of outer.exprs) addUses(e, uses, false);
  const callsOnce = (i: number) => uses.get(i)?.count === 1 && !uses.get(i)!.conditional;
  if (!inner.exprs.every((e, i) => !isVolatile(e) || callsOnce(i))) return null;
  return outer.exprs.map((e) => replaceColumns(e, (c) => inner.exprs[c.index]!));
}

/**
 * Merges a projection over a projection into one, the inner expressions substituted for
 * the columns the outer one reads: SELECT's projection and INSERT's shaping projection
 * (casts to the sink's types) then run as one, in the same loop.
 *
 * Safe: each outer expression computes the same value from the same input row. It is not
 * done when the inner projection feeds other operators too, nor when an inner expression
 * that is volatile (clock_timestamp(), set_config()) would be dropped, duplicated or only reached
 * on some rows. As in Postgres, an inner expression the outer one does not read is
 * dropped, and with it any error it would have raised.
 */
export const mergeProjections: Rule = {
  name: 'merge-projections',
  apply(plan: LogicalPlan): LogicalPlan {
    let result = plan;
    for (const { id } of plan.operators) {
      const outer = result.operators.find((op) => op.id === id);
      if (outer?.kind !== 'project') continue;
      const inner = result.operators.find((op) => op.id === outer.input);
      if (inner?.kind !== 'project' || consumersOf(result, inner.id).length !== 1) continue;
      const exprs = substituted(outer, inner);
      if (!exprs) continue;
      result = bypass(mapOperators(result, (op) => (op === outer ? { ...outer, exprs } : op)), inner.id);
    }
    return result;
  },
};
