import { castValue } from '../functions/cast.js';
import type { EvalContext } from '../functions/scalar-function.js';
import { comparatorFor } from '../functions/comparison.js';
import { isPromise, whenAll, type Maybe } from './maybe.js';
import type { BoundExpression } from './expression.js';

/** What evaluating an expression for one row needs besides the row. */
export interface ScalarScope {
  readonly params: readonly unknown[];
  readonly context: EvalContext;
}

/**
 * Evaluates a bound expression for one row. It stays synchronous unless a function
 * returns a Promise (pg_sleep), so the common case costs no microtask. Batches of rows
 * go through the compiled kernels of the runtime instead.
 */
export function evaluateScalar(e: BoundExpression, row: readonly unknown[], scope: ScalarScope): Maybe<unknown> {
  switch (e.kind) {
    case 'constant':
      return e.value;
    case 'parameter':
      return scope.params[e.index] ?? null;
    case 'column':
      return row[e.index] ?? null;
    case 'call': {
      const args = e.args.map((a) => evaluateScalar(a, row, scope));
      return whenAll(args, (vals) => {
        if (e.fn.strict && vals.includes(null)) return null;
        return e.fn.impl(vals, scope.context);
      });
    }
    case 'cast':
      return whenAll([evaluateScalar(e.expr, row, scope)], ([v]) => castValue(v, e.expr.type, e.type, scope.context.format));
    case 'and':
      return logical(e.args, row, scope, false);
    case 'or':
      return logical(e.args, row, scope, true);
    case 'not':
      return whenAll([evaluateScalar(e.arg, row, scope)], ([v]) => (v === null ? null : !v));
    case 'is-null':
      return whenAll([evaluateScalar(e.arg, row, scope)], ([v]) => (v === null) !== e.negated);
    case 'in-list':
      return whenAll([evaluateScalar(e.arg, row, scope), ...e.list.map((x) => evaluateScalar(x, row, scope))], (vals) => {
        const [x, ...list] = vals;
        if (x === null) return null;
        const cmp = comparatorFor(e.arg.type)!;
        let sawNull = false;
        for (const y of list) {
          if (y === null) sawNull = true;
          else if (cmp(x, y) === 0) return !e.negated;
        }
        return sawNull ? null : e.negated;
      });
    case 'case':
      return caseOf(e, 0, row, scope);
    case 'coalesce':
      return coalesceOf(e.args, 0, row, scope);
  }
}

/** SQL three-valued AND (stopAt = false) and OR (stopAt = true), left to right. */
function logical(args: BoundExpression[], row: readonly unknown[], scope: ScalarScope, stopAt: boolean): Maybe<unknown> {
  let sawNull = false;
  for (let i = 0; i < args.length; i++) {
    const v = evaluateScalar(args[i]!, row, scope);
    if (isPromise(v)) {
      return v.then((r) => {
        if (r === stopAt) return stopAt;
        const rest = logical(args.slice(i + 1), row, scope, stopAt);
        return whenAll([rest], ([x]) => (x === stopAt ? stopAt : sawNull || r === null || x === null ? null : !stopAt));
      });
    }
    if (v === stopAt) return stopAt;
    if (v === null) sawNull = true;
  }
  return sawNull ? null : !stopAt;
}

function caseOf(e: Extract<BoundExpression, { kind: 'case' }>, i: number, row: readonly unknown[], scope: ScalarScope): Maybe<unknown> {
  for (; i < e.whens.length; i++) {
    const w = e.whens[i]!;
    const c = evaluateScalar(w.when, row, scope);
    if (isPromise(c)) {
      const next = i + 1;
      return c.then((r) => (r === true ? evaluateScalar(w.then, row, scope) : caseOf(e, next, row, scope)));
    }
    if (c === true) return evaluateScalar(w.then, row, scope);
  }
  return evaluateScalar(e.else, row, scope);
}

function coalesceOf(args: BoundExpression[], i: number, row: readonly unknown[], scope: ScalarScope): Maybe<unknown> {
  for (; i < args.length; i++) {
    const v = evaluateScalar(args[i]!, row, scope);
    if (isPromise(v)) {
      const next = i + 1;
      return v.then((r) => (r !== null ? r : coalesceOf(args, next, row, scope)));
    }
    if (v !== null) return v;
  }
  return null;
}

/** Evaluates several expressions for one row, in order. */
export function evaluateAll(exprs: readonly BoundExpression[], row: readonly unknown[], scope: ScalarScope): Maybe<unknown[]> {
  return whenAll(exprs.map((e) => evaluateScalar(e, row, scope)), (values) => values);
}
