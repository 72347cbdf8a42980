import { SabotError, SqlState } from '../../errors.js';
import { comparatorFor } from '../../functions/comparison.js';
import { Types, type SqlType } from '../../types/sql-type.js';
import type { Expression, FunctionCall } from '../ast.js';

/**
 * Recognizing aggregate calls in a select list, and matching expressions by shape: what
 * GROUP BY needs, interactively (frontend/handlers/aggregation.ts) and in dataflows.
 */

export type AggregateName = 'count' | 'sum' | 'avg' | 'min' | 'max';

export const aggregateNames = new Set(['count', 'sum', 'avg', 'min', 'max']);

export function isAggregateCall(e: Expression): e is FunctionCall {
  return e.kind === 'function' && e.over === null && aggregateNames.has(e.name[e.name.length - 1]!);
}

/** Child expressions of a node (subqueries excluded: they have their own scope). */
export function childExpressions(e: Expression): Expression[] {
  const out: Expression[] = [];
  for (const value of Object.values(e)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v === null || typeof v !== 'object') continue;
      if ('kind' in v && 'pos' in v && v.kind !== 'query') out.push(v as Expression);
      else if ('when' in v && 'then' in v) out.push(v.when as Expression, v.then as Expression);
    }
  }
  return out;
}

/** Whether an expression calls an aggregate function. */
export function containsAggregate(e: Expression): boolean {
  return isAggregateCall(e) || childExpressions(e).some(containsAggregate);
}

/** A structural key of an expression, positions ignored: GROUP BY a + 1 matches SELECT a + 1. */
export function expressionShape(e: Expression): string {
  return JSON.stringify(e, (k, v) => (k === 'pos' ? undefined : v));
}

/** Replaces subtrees for which `replace` returns a node, copying only what changes. */
export function rewriteExpression(e: Expression, replace: (e: Expression) => Expression | undefined): Expression {
  const r = replace(e);
  if (r) return r;
  const copy: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(e)) {
    const map = (v: unknown): unknown => {
      if (v === null || typeof v !== 'object') return v;
      if ('kind' in v && 'pos' in v && v.kind !== 'query') return rewriteExpression(v as Expression, replace);
      if ('when' in v && 'then' in v) return { when: rewriteExpression(v.when as Expression, replace), then: rewriteExpression(v.then as Expression, replace) };
      return v;
    };
    copy[k] = Array.isArray(value) ? value.map(map) : map(value);
  }
  return copy as unknown as Expression;
}

export function aggregateResultType(name: AggregateName, arg: SqlType | undefined, pos: number): SqlType {
  if (name === 'count') return Types.int8;
  const t = arg!;
  if (name === 'min' || name === 'max') {
    if (!comparatorFor(t)) throw new SabotError(SqlState.undefinedFunction, `function ${name}(${t.name}) does not exist`, { position: pos + 1 });
    return t;
  }
  switch (t.kind) {
    case 'int2': case 'int4': return name === 'sum' ? Types.int8 : Types.numeric;
    case 'int8': case 'numeric': return Types.numeric;
    case 'float4': case 'float8': return Types.float8;
    case 'interval': return Types.interval;
    default: throw new SabotError(SqlState.undefinedFunction, `function ${name}(${t.name}) does not exist`, { position: pos + 1 });
  }
}

