import { SabotError, SqlState } from '../../errors.js';
import type { BoundExpression } from '../../plan/expression.js';
import type { AggregateCall } from '../../plan/logical-plan.js';
import type { ColumnSchema } from '../../runtime/arrow-types.js';
import { Types } from '../../types/sql-type.js';
import type { Expression, Select } from '../ast.js';
import {
  type AggregateName, aggregateResultType, childExpressions, containsAggregate, expressionShape, isAggregateCall, rewriteExpression,
} from './aggregate-calls.js';
import { columnName } from './column-name.js';
import { type DataflowBinder, unsupported, updatingKeyDropped } from './dataflow-binder.js';
import { relationScope, type Relation, type TimeTag } from './relation.js';

const KEY = '\u0000group';
const AGG = '\u0000aggregate';

/**
 * GROUP BY in a dataflow: a projection of the keys and aggregate arguments, the
 * Aggregate operator, then HAVING and the select list over its output.
 * - GROUP BY window_start, window_end of a TUMBLE/HOP/SESSION in FROM: a windowed
 *   aggregate (each window once, when the watermark passes its end).
 * - GROUP BY a window_end column of a windowed subquery: each group closes at that end.
 * - Otherwise an updating result, keyed by the GROUP BY keys.
 * Over an updating result (an unwindowed GROUP BY or top-n below), a row replaces the
 * earlier one with its key: count, sum and avg take the earlier row's part back. Its
 * groups must be made of whole keys of the input (the GROUP BY names columns of the
 * input's key), so a row never moves from one group to another.
 */
export function bindGrouping(b: DataflowBinder, input: Relation, sel: Select): Relation {
  let r = input;
  const scope = relationScope(r);
  const n = r.op.columns.length;
  // Which GROUP BY items name the pending window's start or end.
  const windowKey = (g: Expression): 'start' | 'end' | null => {
    if (!r.window || g.kind !== 'column') return null;
    const i = scope.find(g);
    if (i < 0) return null;
    const index = r.columns[i]!.index;
    return index === n ? 'start' : index === n + 1 ? 'end' : null;
  };
  const windowed = r.window !== null && sel.groupBy.some((g) => windowKey(g) !== null);
  if (!windowed) r = b.settled(r, sel.pos);
  const window = windowed ? r.window : null;
  const keyExprs = sel.groupBy.filter((g) => !windowed || windowKey(g) === null);
  for (const g of sel.groupBy) {
    if (containsAggregate(g)) throw new SabotError(SqlState.groupingError, 'aggregate functions are not allowed in GROUP BY', { position: g.pos + 1 });
  }
  const binder = b.expressions(relationScope(r));
  const keys = keyExprs.map((g) => binder.settle(binder.bind(g)));
  const replacing = r.upsertKeys?.map((k) => r.columns[k]!.index) ?? null;
  if (replacing) {
    const keyed = keys.every((k) => k.kind === 'column' && replacing.includes(k.index));
    if (!keyed) {
      throw unsupported('GROUP BY over an updating result on other columns than its key', sel.pos);
    }
  }
  const keyTags: TimeTag[] = keys.map((k) => (k.kind === 'column' ? tagOf(r, k.index) : null));

  // The aggregate calls of the select list and HAVING, each once.
  const calls: { name: AggregateName; arg: BoundExpression | null; filter: BoundExpression | null; distinct: boolean; shape: string; pos: number }[] = [];
  const collect = (e: Expression): void => {
    if (isAggregateCall(e)) {
      const shape = expressionShape(e);
      if (calls.some((c) => c.shape === shape)) return;
      const name = e.name[e.name.length - 1] as AggregateName;
      if (e.args.some(containsAggregate)) throw new SabotError(SqlState.groupingError, 'aggregate function calls cannot be nested', { position: e.pos + 1 });
      if (e.star ? name !== 'count' : e.args.length !== 1) {
        throw new SabotError(SqlState.undefinedFunction, `function ${name} takes one argument${name === 'count' ? ' or *' : ''}`, { position: e.pos + 1 });
      }
      if (e.orderBy.length > 0) throw unsupported('ORDER BY inside an aggregate', e.pos);
      if (replacing && (e.distinct || (name !== 'count' && name !== 'sum' && name !== 'avg'))) {
        throw unsupported(`${name}(${e.distinct ? 'DISTINCT ' : ''}...) over an updating result (count, sum and avg take a replaced row back)`, e.pos);
      }
      const arg = e.star ? null : binder.settle(binder.bind(e.args[0]!));
      const filter = e.filter ? binder.coerce(binder.bind(e.filter), Types.bool, e.filter.pos) : null;
      calls.push({ name, arg, filter, distinct: e.distinct, shape, pos: e.pos });
      return;
    }
    const x = e as Expression;
    if (x.kind === 'function' && x.over !== null) throw unsupported('a window function next to GROUP BY', x.pos);
    childExpressions(e).forEach(collect);
  };
  const items = sel.items.map((item) => {
    if (item.kind === 'star') throw new SabotError(SqlState.groupingError, 'SELECT * cannot be used with GROUP BY in a dataflow', { position: item.pos + 1 });
    return item;
  });
  items.forEach((i) => collect(i.expr));
  if (sel.having) collect(sel.having);

  // The projection below the aggregate: keys, the window's time column, arguments, filters.
  const pre: BoundExpression[] = [...keys];
  const preNames = keyExprs.map((g, i) => (g.kind === 'column' ? g.name : `key${i}`));
  let time = -1;
  if (window) {
    const t = r.columns.find((c) => c.index === window.time)!;
    time = pre.length;
    pre.push({ kind: 'column', type: t.type, index: t.index, name: t.name });
    preNames.push(t.name);
  }
  const place = (e: BoundExpression | null, name: string): number | null => {
    if (e === null) return null;
    pre.push(e);
    preNames.push(name);
    return pre.length - 1;
  };
  const aggregates: AggregateCall[] = calls.map((c, i) => {
    const arg = place(c.arg, `arg${i}`);
    const filter = place(c.filter, `filter${i}`);
    return { fn: c.name, arg, distinct: c.distinct, filter, type: aggregateResultType(c.name, c.arg?.type, c.pos) };
  });
  // The input's key, for an aggregate over an updating result: the group keys are part of it.
  const replacingColumns = replacing?.map((index) => {
    const at = keys.findIndex((k) => k.kind === 'column' && k.index === index);
    if (at >= 0) return at;
    const c = r.columns.find((x) => x.index === index)!;
    return place({ kind: 'column', type: c.type, index, name: c.name }, c.name)!;
  }) ?? null;
  const below = b.project(r, pre, preNames, pre.map((_, i) => (i < keys.length ? keyTags[i]! : null)), null);
  const closeAt = window ? null : keyTags.indexOf('window-end');
  const timeType = window ? pre[time]!.type : Types.timestamp;
  const columns: ColumnSchema[] = [
    ...keys.map((k, i) => ({ name: preNames[i]!, type: k.type, nullable: true })),
    ...(window ? [{ name: 'window_start', type: timeType, nullable: true }, { name: 'window_end', type: timeType, nullable: true }] : []),
    ...aggregates.map((a) => ({ name: a.fn, type: a.type, nullable: true })),
  ];
  const op = b.add({
    kind: 'aggregate', id: b.id('aggregate'), input: below.op.id, keys: keys.map((_, i) => i),
    window: window ? { ...window, time } : null, closeAt: closeAt !== null && closeAt >= 0 ? closeAt : null, replacing: replacingColumns,
    aggregates, columns,
  });
  const tags: TimeTag[] = [...keyTags.map((t) => (t === 'event-time' ? null : t)), ...(window ? ['window-start', 'window-end'] as TimeTag[] : []),
    ...aggregates.map(() => null)];
  const updating = window === null && op.closeAt === null;
  const grouped: Relation = {
    op, window: null, rank: null, upsertKeys: null,
    columns: columns.map((c, i) => ({ name: c.name, table: null, type: c.type, tag: tags[i]!, index: i })),
  };

  // HAVING and the select list see keys, the window's bounds and aggregate results only.
  const keyShapes = keyExprs.map(expressionShape);
  const ref = (name: string, pos: number): Expression => ({ kind: 'column', table: null, name, pos });
  const rewrite = (e: Expression): Expression => rewriteExpression(e, (x) => {
    const k = keyShapes.indexOf(expressionShape(x));
    if (k >= 0) return ref(`${KEY}${k}`, x.pos);
    if (windowed) {
      const w = windowKey(x);
      if (w) return ref(`\u0000window_${w}`, x.pos);
    }
    const a = isAggregateCall(x) ? calls.findIndex((c) => c.shape === expressionShape(x)) : -1;
    return a >= 0 ? ref(`${AGG}${a}`, x.pos) : undefined;
  });
  const w = window ? 2 : 0;
  const outputScope = {
    resolve: (c: { name: string; table: string | null; pos: number }): BoundExpression => {
      let index: number;
      if (c.name.startsWith(KEY)) index = Number(c.name.slice(KEY.length));
      else if (c.name === '\u0000window_start') index = keys.length;
      else if (c.name === '\u0000window_end') index = keys.length + 1;
      else if (c.name.startsWith(AGG)) index = keys.length + w + Number(c.name.slice(AGG.length));
      else {
        const name = c.table ? `${c.table}.${c.name}` : c.name;
        throw new SabotError(SqlState.groupingError, `column "${name}" must appear in the GROUP BY clause or be used in an aggregate function`,
          { position: c.pos + 1 });
      }
      return { kind: 'column', type: columns[index]!.type, index, name: columns[index]!.name };
    },
  };
  let out = grouped;
  if (sel.having) {
    const hb = b.expressions(outputScope);
    const predicate = hb.coerce(hb.bind(rewrite(sel.having)), Types.bool, sel.having.pos);
    out = { ...out, op: b.add({ kind: 'filter', id: b.id('filter'), input: op.id, predicate, columns }) };
  }
  const ib = b.expressions(outputScope);
  const exprs = items.map((i) => ib.settle(ib.bind(rewrite(i.expr))));
  const names = items.map((i) => i.alias ?? columnName(i.expr));
  const outTags = exprs.map((e) => (e.kind === 'column' ? tags[e.index]! : null));
  const upsertKeys = updating ? keys.map((_, k) => {
    const at = exprs.findIndex((e) => e.kind === 'column' && e.index === k);
    if (at < 0) throw updatingKeyDropped(preNames[k]!, sel.pos);
    return at;
  }) : null;
  return b.project(out, exprs, names, outTags, upsertKeys);
}

function tagOf(r: Relation, index: number): TimeTag {
  return r.columns.find((c) => c.index === index)?.tag ?? null;
}
