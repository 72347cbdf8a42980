import { SabotError, SqlState } from '../../errors.js';
import type { WindowSpec } from '../../plan/logical-plan.js';
import { Interval } from '../../types/interval.js';
import type { Expression, TableFunctionRef } from '../ast.js';
import type { ExpressionBinder } from './expression-binder.js';
import type { Relation } from './relation.js';

/** A constant, positive interval argument without months, in µs. */
function micros(e: Expression | undefined, binder: ExpressionBinder, what: string, pos: number): number {
  if (e === undefined) throw new SabotError(SqlState.syntaxError, `missing ${what}`, { position: pos + 1 });
  const bound = binder.bind(e);
  const value = bound.kind === 'constant' ? bound.value : undefined;
  if (!(value instanceof Interval) || value.months !== 0 || value.totalMicros() <= 0) {
    throw new SabotError(SqlState.invalidParameterValue, `the ${what} must be a positive constant interval of days or less, such as INTERVAL '10' SECOND`,
      { position: e.pos + 1 });
  }
  return value.totalMicros();
}

/** The window of TUMBLE(s, ts, size), HOP(s, ts, slide, size) or SESSION(s, ts, gap) over relation `r` (the stream s). */
export function windowFunction(item: TableFunctionRef, r: Relation, binder: ExpressionBinder): WindowSpec {
  const name = item.name.toLowerCase();
  const arity = { tumble: 3, hop: 4, session: 3 }[name];
  if (arity === undefined) throw new SabotError(SqlState.undefinedFunction, `function ${item.name} does not exist in FROM of a dataflow`, { position: item.pos + 1 });
  if (item.args.length !== arity) {
    throw new SabotError(SqlState.undefinedFunction, `${name.toUpperCase()} takes ${arity} arguments`, { position: item.pos + 1 });
  }
  const timeArg = item.args[1]!;
  const time = timeArg.kind === 'column' ? r.columns.findIndex((c) => c.name === (timeArg as { name: string }).name) : -1;
  if (time < 0 || !['timestamp', 'timestamptz'].includes(r.columns[time]!.type.kind)) {
    throw new SabotError(SqlState.datatypeMismatch, `the time column of ${name.toUpperCase()} must be a timestamp column of the stream`,
      { position: timeArg.pos + 1 });
  }
  switch (name) {
    case 'tumble': return { kind: 'tumble', time, size: micros(item.args[2], binder, 'window size', item.pos) };
    case 'hop': {
      const slide = micros(item.args[2], binder, 'window slide', item.pos);
      const size = micros(item.args[3], binder, 'window size', item.pos);
      return { kind: 'hop', time, slide, size };
    }
    default: return { kind: 'session', time, gap: micros(item.args[2], binder, 'session gap', item.pos) };
  }
}
