import { SabotError, SqlState } from '../errors.js';
import type { BoundExpression } from './expression.js';
import { childrenOf } from './expression-tree.js';

function containsSetReturning(e: BoundExpression): boolean {
  return (e.kind === 'call' && e.fn.setReturning === true) || childrenOf(e).some(containsSetReturning);
}

/**
 * Where a select list's set-returning function is (generate_series, ...): the index of
 * the one item that is such a call, or -1. Such a call elsewhere (inside an expression,
 * in WHERE), or two of them, is refused: each output row must come from one input row
 * and one value of one function.
 */
export function setReturningItem(items: readonly BoundExpression[], where: BoundExpression | null, pos: number): number {
  if (where && containsSetReturning(where)) {
    throw new SabotError(SqlState.featureNotSupported, 'set-returning functions are not allowed in WHERE', { position: pos + 1 });
  }
  let found = -1;
  items.forEach((e, i) => {
    const whole = e.kind === 'call' && e.fn.setReturning === true;
    if (whole ? e.args.some(containsSetReturning) : containsSetReturning(e)) {
      throw new SabotError(SqlState.featureNotSupported, 'a set-returning function is supported only as a whole item of the select list',
        { position: pos + 1, hint: 'Compute on its values in an outer query or a second dataflow.' });
    }
    if (!whole) return;
    if (found >= 0) {
      throw new SabotError(SqlState.featureNotSupported, 'only one set-returning function per select list is supported', { position: pos + 1 });
    }
    found = i;
  });
  return found;
}
