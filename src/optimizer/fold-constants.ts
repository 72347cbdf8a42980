import type { BoundExpression } from '../plan/expression.js';
import { evaluateScalar } from '../plan/evaluate.js';
import type { LogicalOperator } from '../plan/logical-plan.js';
import { isPromise } from '../plan/maybe.js';
import { dataflowEvalContext } from '../runtime/operator-chain.js';
import { castVolatility } from './cast-volatility.js';
import { childrenOf, withChildren } from '../plan/expression-tree.js';
import { mapOperators } from './plan-edit.js';
import type { Rule } from './rule.js';

/** The context dataflows evaluate in, so a folded constant is the value every row would have computed. */
const DATAFLOW_CONTEXT = { params: [], context: dataflowEvalContext(new AbortController().signal) };

function constant(type: BoundExpression['type'], value: unknown): BoundExpression {
  return { kind: 'constant', type, value };
}

function isConstant(e: BoundExpression, value: unknown): boolean {
  return e.kind === 'constant' && e.value === value;
}

/** `by` in place of `e`, unless that would change the expression's type (then `e` stays). */
function replaced(e: BoundExpression, by: BoundExpression): BoundExpression {
  return by.type.kind === e.type.kind ? by : e;
}

/** Whether the expression gives the same value whenever its operands do (not now(), clock_timestamp()). */
function isImmutable(e: BoundExpression): boolean {
  switch (e.kind) {
    case 'parameter': case 'column': return false;
    // A set-returning call stands for many rows, not one value.
    case 'call': return e.fn.volatility === 'immutable' && e.fn.setReturning !== true;
    case 'cast': return castVolatility(e.expr.type, e.type) === 'immutable';
    case 'constant': case 'and': case 'or': case 'not': case 'is-null': case 'in-list': case 'case': case 'coalesce': return true;
  }
}

/** The constant an expression over constants evaluates to, or null when evaluating it fails. */
function evaluated(e: BoundExpression): BoundExpression | null {
  try {
    const value = evaluateScalar(e, [], DATAFLOW_CONTEXT);
    return isPromise(value) ? null : constant(e.type, value);
  } catch {
    // 1 / 0: left for run time, where each row fails into the dead letters.
    return null;
  }
}

/** AND (absorbing FALSE) or OR (absorbing TRUE) without the operands that cannot change its value. */
function junction(e: Extract<BoundExpression, { kind: 'and' | 'or' }>, absorbing: boolean): BoundExpression {
  if (e.args.some((a) => isConstant(a, absorbing))) return constant(e.type, absorbing);
  const args = e.args.filter((a) => !isConstant(a, !absorbing));
  if (args.length === e.args.length) return e;
  if (args.length === 0) return constant(e.type, !absorbing);
  return args.length === 1 ? replaced(e, args[0]!) : { ...e, args };
}

/** CASE without the WHENs never taken (constant FALSE or NULL), ending at a WHEN that is constant TRUE. */
function simplerCase(e: Extract<BoundExpression, { kind: 'case' }>): BoundExpression {
  const whens: typeof e.whens = [];
  let otherwise = e.else;
  for (const w of e.whens) {
    if (isConstant(w.when, true)) {
      otherwise = w.then;
      break;
    }
    if (w.when.kind !== 'constant') whens.push(w);
  }
  if (whens.length === e.whens.length) return e;
  return whens.length === 0 ? replaced(e, otherwise) : { ...e, whens, else: otherwise };
}

/** COALESCE without NULL constants, ending at its first non-NULL constant. */
function simplerCoalesce(e: Extract<BoundExpression, { kind: 'coalesce' }>): BoundExpression {
  const args: BoundExpression[] = [];
  for (const a of e.args) {
    if (isConstant(a, null)) continue;
    args.push(a);
    if (a.kind === 'constant') break;
  }
  if (args.length === e.args.length) return e;
  if (args.length === 0) return constant(e.type, null);
  return args.length === 1 ? replaced(e, args[0]!) : { ...e, args };
}

/** The rewrites that need only some operands to be constant. */
function simplerShape(e: BoundExpression): BoundExpression {
  switch (e.kind) {
    case 'and': return junction(e, false);
    case 'or': return junction(e, true);
    case 'not': return e.arg.kind === 'not' ? replaced(e, e.arg.arg) : e;
    case 'case': return simplerCase(e);
    case 'coalesce': return simplerCoalesce(e);
    case 'constant': case 'parameter': case 'column': case 'call': case 'cast': case 'is-null': case 'in-list': return e;
  }
}

/** The expression folded and simplified bottom up; the same object when nothing changed. */
function simplify(e: BoundExpression): BoundExpression {
  const s = withChildren(e, childrenOf(e).map(simplify));
  if (s.kind !== 'constant' && isImmutable(s) && childrenOf(s).every((c) => c.kind === 'constant')) {
    const folded = evaluated(s);
    if (folded) return folded;
  }
  return simplerShape(s);
}

function simplifyOperator(op: LogicalOperator): LogicalOperator {
  switch (op.kind) {
    case 'filter': {
      const predicate = simplify(op.predicate);
      return predicate === op.predicate ? op : { ...op, predicate };
    }
    case 'project': case 'flat-map': {
      const exprs = op.exprs.map(simplify);
      return exprs.every((e, i) => e === op.exprs[i]) ? op : { ...op, exprs };
    }
    case 'join': {
      if (op.condition === null) return op;
      const condition = simplify(op.condition);
      return condition === op.condition ? op : { ...op, condition };
    }
    case 'source': case 'union': case 'map': case 'aggregate': case 'window': case 'top-n': case 'sink': return op;
  }
}

/**
 * Constant folding and simplification of filter predicates and projected expressions,
 * as Postgres's planner does them:
 * - an immutable function call, cast, AND, OR, NOT, IS NULL, IN, CASE or COALESCE of
 *   constants becomes the constant it evaluates to, with the expression's type. Stable
 *   and volatile calls (now(), clock_timestamp()) and casts that read the session (text
 *   to timestamptz) stay, to run as the rows flow. An evaluation that fails (1 / 0)
 *   stays too: planning does not fail, each row fails at run time into the dead letters.
 * - x AND TRUE → x, x AND FALSE → FALSE, x OR FALSE → x, x OR TRUE → TRUE, NOT NOT x → x;
 *   CASE drops the WHENs that are constant FALSE or NULL and ends at one that is
 *   constant TRUE; COALESCE drops NULL constants and ends at its first non-NULL constant.
 * Safe: each rewrite gives every row the same value under SQL's three-valued logic. Like
 * Postgres's, the rewrites that drop an operand (x AND FALSE) drop whatever error or
 * volatile call evaluating it would have had, as a short circuit may.
 */
export const foldConstants: Rule = {
  name: 'fold-constants',
  apply: (plan) => mapOperators(plan, simplifyOperator),
};
