import { SabotError, SqlState } from '../../errors.js';
import type { BoundExpression } from '../../plan/expression.js';
import type { SortKey } from '../../plan/logical-plan.js';
import { Types } from '../../types/sql-type.js';
import type { Expression, FunctionCall, Select } from '../ast.js';
import { type DataflowBinder, unsupported } from './dataflow-binder.js';
import { relationScope, type Relation, type TimeTag } from './relation.js';

/** `row_number() OVER (...)`. */
export function isRowNumber(e: Expression): e is FunctionCall {
  return e.kind === 'function' && e.over !== null && e.name[e.name.length - 1] === 'row_number';
}

/**
 * A select list with ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...): the other items
 * (plus the partition and order columns they leave out, hidden) as a projection, and the
 * row number as a pending rank, which the query around it turns into a top-n.
 */
export function pendingRank(b: DataflowBinder, r: Relation, sel: Select, rankItem: number, exprs: BoundExpression[], names: string[],
  tags: TimeTag[]): Relation {
  const item = sel.items[rankItem] as Extract<Select['items'][number], { kind: 'item' }>;
  const call = item.expr as FunctionCall;
  if (call.args.length > 0 || call.star) throw new SabotError(SqlState.syntaxError, 'row_number() takes no arguments', { position: call.pos + 1 });
  if (r.window) r = b.applyWindow(r, sel.pos);
  const binder = b.expressions(relationScope(r));
  const all = [...exprs];
  const allNames = [...names];
  const allTags = [...tags];
  /** The projection's column holding expression `e` (a hidden one is added when no item has it). */
  const columnOf = (e: Expression): number => {
    const bound = binder.settle(binder.bind(e));
    if (bound.kind !== 'column') throw unsupported('PARTITION BY or ORDER BY on an expression (name a column)', e.pos);
    const at = all.findIndex((x) => x.kind === 'column' && x.index === bound.index);
    if (at >= 0) return at;
    all.push(bound);
    allNames.push(bound.name);
    allTags.push(r.columns.find((c) => c.index === bound.index)?.tag ?? null);
    return all.length - 1;
  };
  const keys = call.over!.partitionBy.map(columnOf);
  const order: SortKey[] = call.over!.orderBy.map((o) => ({
    column: columnOf(o.expr), descending: o.descending, nullsFirst: o.nullsFirst ?? o.descending,
  }));
  if (order.length === 0) throw unsupported('ROW_NUMBER() without ORDER BY', call.pos);
  const projected = b.project(r, all, allNames, allTags, null);
  // The relation's visible columns: the items in order, the row number where it was written.
  const rankIndex = all.length;
  const visible = projected.columns.slice(0, exprs.length);
  const at = exprsBefore(sel, rankItem, exprs.length, r);
  visible.splice(at, 0, { name: item.alias ?? 'row_number', table: null, type: Types.int8, tag: null, index: rankIndex });
  return { ...projected, columns: visible, rank: { column: at, keys, order, tags: allTags, pos: call.pos } };
}

/** How many projected expressions come before the rank item (stars count their columns). */
function exprsBefore(sel: Select, rankItem: number, total: number, r: Relation): number {
  let n = 0;
  for (let i = 0; i < rankItem; i++) {
    const item = sel.items[i]!;
    n += item.kind === 'star' ? r.columns.filter((c) => item.table === null || c.table === item.table).length : 1;
  }
  return Math.min(n, total);
}

/** From WHERE's conjuncts, the one bounding the row number (rn <= N, rn < N, rn = 1), and the others. */
export function extractRankLimit(r: Relation, parts: Expression[], b: DataflowBinder): { limit: number; rest: Expression[] } {
  const scope = relationScope(r);
  const rank = r.rank!;
  const isRank = (e: Expression) => e.kind === 'column' && scope.find(e) === rank.column;
  const constant = (e: Expression): number | null => {
    const v = b.expressions({ resolve: () => undefined }).bind(e);
    if (v.kind !== 'constant') return null;
    const n = Number(v.value);
    return Number.isInteger(n) ? n : null;
  };
  for (const [i, p] of parts.entries()) {
    if (p.kind !== 'binary') continue;
    let op = p.op as string;
    let other: Expression;
    if (isRank(p.left)) other = p.right;
    else if (isRank(p.right)) {
      other = p.left;
      op = ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' } as Record<string, string>)[op] ?? op;
    } else continue;
    const n = constant(other);
    if (n === null) continue;
    const limit = op === '<=' ? n : op === '<' ? n - 1 : op === '=' && n === 1 ? 1 : null;
    if (limit === null) continue;
    if (limit < 1) throw new SabotError(SqlState.invalidParameterValue, 'the row number limit must be at least 1', { position: p.pos + 1 });
    return { limit, rest: parts.filter((_, k) => k !== i) };
  }
  throw new SabotError(SqlState.featureNotSupported, 'ROW_NUMBER() in a dataflow needs a filter such as WHERE rn <= 10 in the query around it',
    { position: rank.pos + 1 });
}

/**
 * The top-n of a pending rank: the best `limit` rows per partition. Partitioned by a
 * window (its start or end among the keys, its end among the columns), each window's rows
 * once when the watermark passes its end; otherwise an updating result keyed by the
 * partition and the row number.
 */
export function rankToTopN(b: DataflowBinder, r: Relation, limit: number): Relation {
  const rank = r.rank!;
  const input = r.op;
  const tagAt = (index: number) => rank.tags[index] ?? null;
  const keyTags = rank.keys.map(tagAt);
  let windowEnd: number | null = null;
  if (keyTags.includes('window-end')) windowEnd = rank.keys[keyTags.indexOf('window-end')]!;
  else if (keyTags.includes('window-start')) {
    const end = input.columns.findIndex((_, i) => tagAt(i) === 'window-end');
    if (end >= 0) windowEnd = end;
  }
  const op = b.add({
    kind: 'top-n', id: b.id('topn'), input: input.id, keys: rank.keys, order: rank.order, limit, rankColumn: true, windowEnd,
    columns: [...input.columns, { name: r.columns[rank.column]!.name, type: Types.int8, nullable: true }],
  });
  // With one row per partition, the partition alone keys it.
  const keys = rank.keys.map((k) => r.columns.findIndex((c) => c.index === k));
  const upsertKeys = windowEnd === null ? (limit === 1 ? keys : [...keys, rank.column]) : null;
  if (upsertKeys?.some((k) => k < 0)) {
    throw new SabotError(SqlState.featureNotSupported, 'an unwindowed ROW_NUMBER() must keep its PARTITION BY columns in the select list',
      { position: rank.pos + 1 });
  }
  return { ...r, op, rank: null, upsertKeys };
}
