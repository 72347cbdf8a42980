import type { BoundExpression } from './expression.js';

type Column = Extract<BoundExpression, { kind: 'column' }>;

/** The direct subexpressions of an expression, in evaluation order (a CASE's WHEN before its THEN). */
export function childrenOf(e: BoundExpression): BoundExpression[] {
  switch (e.kind) {
    case 'constant': case 'parameter': case 'column': return [];
    case 'call': case 'and': case 'or': case 'coalesce': return e.args;
    case 'cast': return [e.expr];
    case 'not': case 'is-null': return [e.arg];
    case 'in-list': return [e.arg, ...e.list];
    case 'case': return [...e.whens.flatMap((w) => [w.when, w.then]), e.else];
  }
}

/**
 * The expression with its children replaced by `children` (in the order of childrenOf);
 * the same object when every child is the same, so callers can tell that nothing changed.
 */
export function withChildren(e: BoundExpression, children: BoundExpression[]): BoundExpression {
  if (childrenOf(e).every((c, i) => c === children[i])) return e;
  switch (e.kind) {
    case 'constant': case 'parameter': case 'column': return e;
    case 'call': case 'and': case 'or': case 'coalesce': return { ...e, args: children };
    case 'cast': return { ...e, expr: children[0]! };
    case 'not': case 'is-null': return { ...e, arg: children[0]! };
    case 'in-list': return { ...e, arg: children[0]!, list: children.slice(1) };
    case 'case': return {
      ...e,
      whens: e.whens.map((_, i) => ({ when: children[2 * i]!, then: children[2 * i + 1]! })),
      else: children[children.length - 1]!,
    };
  }
}

/** Replaces every column reference by what `replace` makes of it. */
export function replaceColumns(e: BoundExpression, replace: (c: Column) => BoundExpression): BoundExpression {
  if (e.kind === 'column') return replace(e);
  return withChildren(e, childrenOf(e).map((c) => replaceColumns(c, replace)));
}

/** The indexes of the input columns an expression reads (once per reference). */
export function columnsRead(e: BoundExpression): number[] {
  return e.kind === 'column' ? [e.index] : childrenOf(e).flatMap(columnsRead);
}

/** Does the expression call a volatile function (one whose every call counts: clock_timestamp, set_config, pg_sleep)? */
export function isVolatile(e: BoundExpression): boolean {
  return (e.kind === 'call' && e.fn.volatility === 'volatile') || childrenOf(e).some(isVolatile);
}
