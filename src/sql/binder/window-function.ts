import { SabotError, SqlState } from '../../errors.js';
import type { WindowSpec } from '../../plan/logical-plan.js';
import { Interval } from '../../types/interval.js';
import type { BoundExpression } from '../../plan/expression.js';
import type { SqlType } from '../../types/sql-type.js';
import type { Expression, TableFunctionRef } from '../ast.js';

/** A constant, positive interval argument without months, in µs. */
function micros(e: Expression | undefined, bind: (e: Expression) => BoundExpression, what: string, pos: number): number {
  if (e === undefined) throw new SabotError(SqlState.syntaxError, `missing ${what}`, { position: pos + 1 });
  const bound = bind(e);
  const value = bound.kind === 'constant' ? bound.value : undefined;
  if (!(value instanceof Interval) || value.months !== 0 || value.totalMicros() <= 0) {
    throw new SabotError(SqlState.invalidParameterValue, `the ${what} must be a positive constant interval of days or less, such as INTERVAL '10' SECOND`,
      { position: e.pos + 1 });
  }
  return value.totalMicros();
}

/**
 * The window of TUMBLE(s, ts, size), HOP(s, ts, slide, size) or SESSION(s, ts, gap) over
 * the columns of stream s; `bind` binds its constant interval arguments.
 */
export function windowFunction(item: TableFunctionRef, columns: readonly { name: string; type: SqlType }[],
  bind: (e: Expression) => BoundExpression): WindowSpec {
  const name = item.name.toLowerCase();
  const arity = { tumble: 3, hop: 4, session: 3 }[name];
  if (arity === undefined) {
    throw new SabotError(SqlState.undefinedFunction, `function ${item.name} does not exist`,
      { position: item.pos + 1, hint: 'The functions FROM takes are TUMBLE, HOP and SESSION.' });
  }
  if (item.args.length !== arity) {
    throw new SabotError(SqlState.undefinedFunction, `${name.toUpperCase()} takes ${arity} arguments`, { position: item.pos + 1 });
  }
  const timeArg = item.args[1]!;
  const time = timeArg.kind === 'column' ? columns.findIndex((c) => c.name === (timeArg as { name: string }).name) : -1;
  if (time < 0 || !['timestamp', 'timestamptz'].includes(columns[time]!.type.kind)) {
    throw new SabotError(SqlState.datatypeMismatch, `the time column of ${name.toUpperCase()} must be a timestamp column of the stream`,
      { position: timeArg.pos + 1 });
  }
  switch (name) {
    case 'tumble': return { kind: 'tumble', time, size: micros(item.args[2], bind, 'window size', item.pos) };
    case 'hop': {
      const slide = micros(item.args[2], bind, 'window slide', item.pos);
      const size = micros(item.args[3], bind, 'window size', item.pos);
      return { kind: 'hop', time, slide, size };
    }
    default: return { kind: 'session', time, gap: micros(item.args[2], bind, 'session gap', item.pos) };
  }
}
