import { SabotError, SqlState } from '../../errors.js';
import type { BoundExpression } from '../../plan/expression.js';
import type { JoinBound } from '../../plan/logical-plan.js';
import { Interval } from '../../types/interval.js';
import { Types } from '../../types/sql-type.js';
import type { Expression, Join } from '../ast.js';
import { childExpressions } from './aggregate-calls.js';
import { andOf, conjuncts, type DataflowBinder, unsupported } from './dataflow-binder.js';
import { relationScope, type Relation, type RelationColumn } from './relation.js';

/** A column of the joined relation by reference: its side and its index within that side's relation. */
interface SideColumn {
  side: 0 | 1;
  column: RelationColumn;
}

/**
 * A join in a dataflow: an equi-join on the ON clause's equalities between the two sides
 * (each side hash-partitioned on its keys), the rest of ON evaluated per matching pair.
 * What bounds its state:
 * - window: an equality of the two sides' window_start (or window_end) columns, both sides
 *   carrying window_end: a window's rows are dropped once the watermark passes its end;
 * - interval: `x.ts BETWEEN y.ts - INTERVAL ... AND y.ts + INTERVAL ...` on the two sides'
 *   event-time (or window_end) columns: rows are dropped once no later row can fall in the interval;
 * - otherwise regular: rows are kept, or dropped after the dataflow's `state_ttl`.
 */
export function bindJoin(b: DataflowBinder, j: Join): Relation {
  return bindJoinWhere(b, j, null).relation;
}

/**
 * A join and the WHERE clause of the query it is the FROM of: for an inner join, the
 * WHERE conjuncts that read both sides join its ON clause (the same rows; and an equality
 * or time interval there keys or bounds the join's state); the others stay in WHERE, to be
 * pushed below the join.
 */
export function bindJoinWhere(b: DataflowBinder, j: Join, where: Expression | null): { relation: Relation; where: Expression | null } {
  if (j.type !== 'inner' && j.type !== 'left' && j.type !== 'cross') throw unsupported(`${j.type.toUpperCase()} JOIN`, j.pos);
  if (j.natural || j.using.length > 0) throw unsupported('NATURAL JOIN and JOIN ... USING (use ON)', j.pos);
  const left = b.settled(b.from(j.left), j.pos);
  const right = b.settled(b.from(j.right), j.pos);
  if (where === null || j.type === 'left') return { relation: joinRelations(b, left, right, j), where };
  const reads = (r: Relation, e: Expression): boolean => {
    const scope = relationScope(r);
    const visit = (x: Expression): boolean => (x.kind === 'column' ? scope.has(x) : childExpressions(x).some(visit));
    return visit(e);
  };
  const both: Expression[] = [];
  const rest: Expression[] = [];
  for (const c of conjuncts(where)) (reads(left, c) && reads(right, c) ? both : rest).push(c);
  const on = andOf([...(j.on ? [j.on] : []), ...both]);
  return { relation: joinRelations(b, left, right, { type: j.type === 'cross' && on ? 'inner' : j.type, on, pos: j.pos }), where: andOf(rest) };
}

/** The join of two settled relations on `j.on` (see bindJoin); `j.type` is inner, left or cross. */
export function joinRelations(b: DataflowBinder, left: Relation, right: Relation, j: Pick<Join, 'type' | 'on' | 'pos'>): Relation {
  if (left.upsertKeys || right.upsertKeys) throw unsupported('a join of an updating result (an unwindowed GROUP BY)', j.pos);
  const offset = left.op.columns.length;
  const joined: Relation = {
    op: left.op, window: null, rank: null, upsertKeys: null,
    columns: [...left.columns, ...right.columns.map((c) => ({ ...c, index: c.index + offset }))],
  };
  const scope = relationScope(joined);
  const sideOf = (e: Expression): SideColumn | null => {
    if (e.kind !== 'column') return null;
    const i = scope.find(e);
    if (i < 0) return null;
    const column = joined.columns[i]!;
    return column.index < offset ? { side: 0, column } : { side: 1, column: { ...column, index: column.index - offset } };
  };

  const leftKeys: number[] = [];
  const rightKeys: number[] = [];
  const rest: Expression[] = [];
  let windowed = false;
  for (const c of j.on ? conjuncts(j.on) : []) {
    const l = c.kind === 'binary' && c.op === '=' ? sideOf(c.left) : null;
    const r = c.kind === 'binary' && c.op === '=' ? sideOf(c.right) : null;
    if (l && r && l.side !== r.side) {
      const [a, z] = l.side === 0 ? [l, r] : [r, l];
      if (a.column.type.kind !== z.column.type.kind) {
        rest.push(c);
        continue;
      }
      leftKeys.push(a.column.index);
      rightKeys.push(z.column.index);
      if (a.column.tag !== null && a.column.tag === z.column.tag && a.column.tag !== 'event-time') windowed = true;
      continue;
    }
    rest.push(c);
  }
  if (leftKeys.length === 0) {
    throw new SabotError(SqlState.featureNotSupported, 'a join in a dataflow needs an equality between columns of its two sides in ON',
      { position: j.pos + 1, hint: 'Streams are unbounded: a join without an equi-key would compare every row with every other.' });
  }

  let bound: JoinBound = { kind: 'regular', ttl: b.ctx.stateTtl ?? null };
  const leftEnd = left.columns.find((c) => c.tag === 'window-end');
  const rightEnd = right.columns.find((c) => c.tag === 'window-end');
  if (windowed && leftEnd && rightEnd) {
    bound = { kind: 'window', leftEnd: leftEnd.index, rightEnd: rightEnd.index };
  } else {
    for (const c of rest) {
      const interval = intervalBound(c, sideOf, b);
      if (interval) {
        bound = interval;
        break;
      }
    }
  }

  const on = andOf(rest);
  let condition: BoundExpression | null = null;
  if (on) {
    const binder = b.expressions(scope);
    condition = binder.coerce(binder.bind(on), Types.bool, on.pos);
  }
  const op = b.add({
    kind: 'join', id: b.id('join'), left: left.op.id, right: right.op.id, type: j.type === 'left' ? 'left' : 'inner',
    leftKeys, rightKeys, condition, bound, columns: [...left.op.columns, ...right.op.columns],
  });
  return { ...joined, op, columns: closingColumns(joined, rest, sideOf, offset, j.type) };
}

/**
 * `t BETWEEN x AND c` in an inner join's ON, t an event-time column: every joined row's
 * event time is at most its c, and rows still to come are at or past the watermark, so
 * once the watermark is past c no more rows carry that c. c then closes its rows as a
 * window's end does: a GROUP BY on it (Nexmark q4's auction expiry) emits each group once.
 */
function closingColumns(joined: Relation, on: readonly Expression[], sideOf: (e: Expression) => SideColumn | null, offset: number,
  type: Join['type']): RelationColumn[] {
  if (type === 'left') return joined.columns;
  const closing = new Set<number>();
  for (const c of on) {
    if (c.kind !== 'between' || c.negated || c.symmetric) continue;
    const t = sideOf(c.expr);
    const high = sideOf(c.high);
    if (!t || !high || t.column.tag !== 'event-time' || !['timestamp', 'timestamptz'].includes(high.column.type.kind)) continue;
    closing.add(high.side === 0 ? high.column.index : high.column.index + offset);
  }
  return joined.columns.map((c) => (closing.has(c.index) && c.tag === null ? { ...c, tag: 'window-end' } : c));
}

/** `ts` or `ts ± INTERVAL`: the column and the offset in µs. */
function shifted(e: Expression, sideOf: (e: Expression) => SideColumn | null, b: DataflowBinder): { at: SideColumn; offset: number } | null {
  const at = sideOf(e);
  if (at) return { at, offset: 0 };
  if (e.kind !== 'binary' || (e.op !== '+' && e.op !== '-')) return null;
  const base = sideOf(e.left);
  if (!base) return null;
  const value = b.expressions({ resolve: () => undefined }).bind(e.right);
  if (value.kind !== 'constant' || !(value.value instanceof Interval) || value.value.months !== 0) return null;
  const micros = value.value.totalMicros();
  return { at: base, offset: e.op === '+' ? micros : -micros };
}

/**
 * `x.t BETWEEN y.t + a AND y.t + b` on the event-time columns of the two sides, as the
 * interval of right times a left row matches: right.t in [left.t + lower, left.t + upper].
 */
function intervalBound(c: Expression, sideOf: (e: Expression) => SideColumn | null, b: DataflowBinder): JoinBound | null {
  if (c.kind !== 'between' || c.negated || c.symmetric) return null;
  const x = sideOf(c.expr);
  const low = shifted(c.low, sideOf, b);
  const high = shifted(c.high, sideOf, b);
  if (!x || !low || !high || low.at.side === x.side || high.at.side === x.side || low.at.column.index !== high.at.column.index) return null;
  // Rows still to come are at or past the watermark in event time, or in a window_end
  // column (a windowed aggregate emits a window when the watermark reaches its end): what
  // lets a row be dropped once no row to come can fall in its interval.
  const timely = (c: RelationColumn) => c.tag === 'event-time' || c.tag === 'window-end';
  if (!timely(x.column) || !timely(low.at.column)) return null;
  if (x.side === 1) {
    return { kind: 'interval', leftTime: low.at.column.index, rightTime: x.column.index, lower: low.offset, upper: high.offset };
  }
  // left.t in [right.t + a, right.t + b]  ⇔  right.t in [left.t - b, left.t - a]
  return { kind: 'interval', leftTime: x.column.index, rightTime: low.at.column.index, lower: -high.offset, upper: -low.offset };
}
