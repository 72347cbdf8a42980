import type { StreamDefinition } from '../../control/catalog/streams.js';
import { SabotError, SqlState } from '../../errors.js';
import type { FunctionRegistry } from '../../functions/scalar-function.js';
import type { BoundExpression } from '../../plan/expression.js';
import type { LogicalOperator, LogicalPlan } from '../../plan/logical-plan.js';
import { setReturningItem } from '../../plan/set-returning.js';
import type { ColumnSchema } from '../../runtime/arrow-types.js';
import { Interval } from '../../types/interval.js';
import { Types } from '../../types/sql-type.js';
import type { FormatSettings } from '../../types/text-format.js';
import type { CreateDataflowStatement, Expression, FromItem, Query, Select, SetExpression, TableFunctionRef } from '../ast.js';
import { containsAggregate } from './aggregate-calls.js';
import { assignmentCastAllowed } from './coercion.js';
import { columnName } from './column-name.js';
import { bindGrouping } from './dataflow-grouping.js';
import { bindJoin, bindJoinWhere } from './dataflow-join.js';
import { extractRankLimit, isRowNumber, pendingRank, rankToTopN } from './dataflow-top-n.js';
import { ExpressionBinder, ParameterTypes, type ColumnScope } from './expression-binder.js';
import { relationScope, type Relation, type RelationColumn, type TimeTag } from './relation.js';
import { windowFunction } from './window-function.js';

export interface DataflowBindContext {
  streams: ReadonlyMap<string, StreamDefinition>;
  functions: FunctionRegistry;
  format: FormatSettings;
  /** The dataflow's `state_ttl` (µs of event time) for joins whose state nothing else bounds; null: kept. */
  stateTtl?: number | null;
}

export function unsupported(what: string, pos: number): SabotError {
  return new SabotError(SqlState.featureNotSupported, `${what} in a dataflow is not supported yet`, { position: pos + 1 });
}

/** The conjuncts of an AND tree. */
export function conjuncts(e: Expression): Expression[] {
  return e.kind === 'binary' && e.op === 'and' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

export function andOf(parts: readonly Expression[]): Expression | null {
  return parts.length === 0 ? null : parts.reduce((a, b) => ({ kind: 'binary', op: 'and', left: a, right: b, pos: a.pos }));
}

/**
 * The state of binding one dataflow: the operators made so far (in topological order),
 * their ids, and the parameters seen (a dataflow may have none).
 */
export class DataflowBinder {
  readonly operators: LogicalOperator[] = [];
  private next = 0;
  private readonly params = new ParameterTypes();

  constructor(readonly ctx: DataflowBindContext) {}

  add<T extends LogicalOperator>(op: T): T {
    this.operators.push(op);
    return op;
  }

  id(kind: string): string {
    return `${kind}_${this.next++}`;
  }

  expressions(scope: ColumnScope): ExpressionBinder {
    return new ExpressionBinder(this.ctx.functions, this.params, scope, () => this.ctx.format);
  }

  checkNoParameters(): void {
    if (this.params.final().length > 0) throw new SabotError(SqlState.undefinedParameter, 'a dataflow cannot have parameters');
  }

  query(q: Query): Relation {
    if (q.with.length > 0) throw unsupported('WITH', q.pos);
    if (q.orderBy.length > 0 || q.limit || q.offset) throw unsupported('ORDER BY, LIMIT or OFFSET', q.pos);
    return this.set(q.body);
  }

  private set(e: SetExpression): Relation {
    switch (e.kind) {
      case 'query': return this.query(e);
      case 'values': throw unsupported('VALUES', e.pos);
      case 'set-operation': {
        if (e.op !== 'union' || !e.all) throw unsupported(`${e.op.toUpperCase()}${e.all ? ' ALL' : ''} (use UNION ALL)`, e.pos);
        const left = this.settled(this.set(e.left), e.pos);
        return this.union(left, this.settled(this.set(e.right), e.pos), e.pos);
      }
      case 'select': return this.select(e);
    }
  }

  /** UNION ALL of two settled relations. */
  union(left: Relation, right: Relation, pos: number): Relation {
    if (left.upsertKeys || right.upsertKeys) throw unsupported('UNION ALL of updating results', pos);
    const l = this.visible(left);
    const r = this.visible(right);
    if (l.columns.length !== r.columns.length) {
      throw new SabotError(SqlState.syntaxError, 'each UNION query must have the same number of columns', { position: pos + 1 });
    }
    l.op.columns.forEach((c, i) => {
      if (c.type.kind !== r.op.columns[i]!.type.kind) {
        throw new SabotError(SqlState.datatypeMismatch,
          `UNION types ${c.type.name} and ${r.op.columns[i]!.type.name} cannot be matched`, { position: pos + 1 });
      }
    });
    const op = this.add({ kind: 'union', id: this.id('union'), inputs: [l.op.id, r.op.id], columns: l.op.columns });
    return { ...l, op, columns: l.columns.map((c, i) => ({ ...c, tag: c.tag === r.columns[i]!.tag ? c.tag : null })) };
  }

  /** A relation whose operator outputs exactly its columns, in order (a projection when it has hidden ones). */
  visible(r: Relation): Relation {
    if (r.columns.length === r.op.columns.length && r.columns.every((c, i) => c.index === i)) return r;
    return this.project(r, r.columns.map((c) => ({ kind: 'column', type: c.type, index: c.index, name: c.name })),
      r.columns.map((c) => c.name), r.columns.map((c) => c.tag), null);
  }

  /** A relation with its pending window applied and no pending rank. */
  settled(r: Relation, pos: number): Relation {
    if (r.rank) throw rankWithoutLimit(r.rank.pos);
    return this.applyWindow(r, pos);
  }

  /** Applies a pending TUMBLE or HOP as a window operator (a row per window it falls in). */
  applyWindow(r: Relation, pos: number): Relation {
    if (!r.window) return r;
    if (r.window.kind === 'session') {
      throw new SabotError(SqlState.featureNotSupported, 'SESSION windows need GROUP BY window_start, window_end in a dataflow', { position: pos + 1 });
    }
    const [start, end] = r.columns.slice(-2) as [RelationColumn, RelationColumn];
    const op = this.add({
      kind: 'window', id: this.id('window'), input: r.op.id, window: r.window,
      columns: [...r.op.columns, { name: start.name, type: start.type, nullable: true }, { name: end.name, type: end.type, nullable: true }],
    });
    return { ...r, op, window: null };
  }

  /** A projection of `exprs` over `r`, the new relation's columns named and tagged. */
  project(r: Relation, exprs: BoundExpression[], names: string[], tags: TimeTag[], upsertKeys: number[] | null): Relation {
    const columns: ColumnSchema[] = exprs.map((e, i) => ({ name: names[i]!, type: e.type, nullable: true }));
    const op = this.add({ kind: 'project', id: this.id('project'), input: r.op.id, exprs, columns });
    return {
      op, window: null, rank: null, upsertKeys,
      columns: columns.map((c, i) => ({ name: c.name, table: null, type: c.type, tag: tags[i]!, index: i })),
    };
  }

  from(item: FromItem): Relation {
    switch (item.kind) {
      case 'table': {
        const stream = this.stream(item.name.join('.'), item.pos);
        return this.streamRelation(stream, item.alias?.name ?? stream.name);
      }
      case 'table-function': return this.windowTable(item);
      case 'subquery': {
        if (item.lateral) throw unsupported('LATERAL', item.pos);
        const r = this.query(item.query);
        const alias = item.alias;
        if (alias && alias.columns.length > r.columns.length) {
          throw new SabotError(SqlState.invalidColumnReference, `table "${alias.name}" has ${r.columns.length} columns available but ${alias.columns.length} columns specified`, { position: item.pos + 1 });
        }
        return {
          ...r,
          columns: r.columns.map((c, i) => ({ ...c, table: alias?.name ?? null, name: alias?.columns[i] ?? c.name })),
        };
      }
      case 'join': return bindJoin(this, item);
    }
  }

  stream(name: string, pos: number): StreamDefinition {
    const stream = this.ctx.streams.get(name);
    if (!stream) throw new SabotError(SqlState.undefinedTable, `stream "${name}" does not exist`, { position: pos + 1 });
    return stream;
  }

  private streamRelation(stream: StreamDefinition, table: string): Relation {
    const op = this.add({
      kind: 'source', id: this.id('source'), stream: stream.name, connector: stream.connector, options: stream.options, columns: stream.columns,
    });
    const eventTime = stream.watermark?.column ?? (stream.connector === 'nexmark' ? 'date_time' : null);
    return {
      op, window: null, upsertKeys: null, rank: null,
      columns: stream.columns.map((c, i) => ({ name: c.name, table, type: c.type, tag: c.name === eventTime ? 'event-time' : null, index: i })),
    };
  }

  /** TUMBLE(s, ts, size), HOP(s, ts, slide, size), SESSION(s, ts, gap): the stream's columns plus window_start and window_end. */
  private windowTable(item: TableFunctionRef): Relation {
    const first = item.args[0];
    if (first?.kind !== 'column' || first.table !== null) {
      throw new SabotError(SqlState.syntaxError, `${item.name.toUpperCase()} takes a stream as its first argument`, { position: item.pos + 1 });
    }
    const stream = this.stream(first.name, first.pos);
    const r = this.streamRelation(stream, item.alias?.name ?? stream.name);
    const window = windowFunction(item, r.columns, (e) => this.expressions(relationScope(r)).bind(e));
    const time = r.columns[window.time]!;
    const n = r.op.columns.length;
    return {
      ...r, window,
      columns: [...r.columns,
        { name: 'window_start', table: r.columns[0]!.table, type: time.type, tag: 'window-start', index: n },
        { name: 'window_end', table: r.columns[0]!.table, type: time.type, tag: 'window-end', index: n + 1 }],
    };
  }

  private select(sel: Select): Relation {
    if (sel.distinct) throw unsupported('DISTINCT', sel.pos);
    if (sel.from.length === 0) throw unsupported('a query without FROM', sel.pos);
    let where = sel.where;
    let r: Relation;
    // FROM a, b: a cross join, which the WHERE clause's conditions on both sides make an inner join.
    const from = sel.from.slice(1).reduce<FromItem>((left, right) => ({
      kind: 'join', type: 'cross', natural: false, left, right, on: null, using: [], pos: right.pos,
    }), sel.from[0]!);
    if (from.kind === 'join') {
      const bound = bindJoinWhere(this, from, where);
      r = bound.relation;
      where = bound.where;
    } else {
      r = this.from(from);
    }
    if (where) {
      const parts = conjuncts(where);
      if (r.rank) {
        const { limit, rest } = extractRankLimit(r, parts, this);
        r = rankToTopN(this, r, limit);
        where = andOf(rest);
      }
      if (where) r = this.filter(r, where);
    }
    if (r.rank) throw rankWithoutLimit(r.rank.pos);
    const items = sel.items.map((item) => (item.kind === 'item' ? item.expr : null));
    const grouped = sel.groupBy.length > 0 || sel.having !== null || items.some((e) => e !== null && containsAggregate(e));
    if (grouped) return bindGrouping(this, r, sel);
    return this.selectItems(r, sel);
  }

  /** WHERE: a filter over the relation (its pending window applied first when the predicate reads window_start or window_end). */
  filter(r: Relation, where: Expression): Relation {
    let bound = this.bindOver(r, where, where.pos);
    r = bound.relation;
    const predicate = bound.binder.coerce(bound.expr, Types.bool, where.pos);
    const op = this.add({ kind: 'filter', id: this.id('filter'), input: r.op.id, predicate, columns: r.op.columns });
    return { ...r, op };
  }

  /** Binds an expression over a relation, applying its pending window first if the expression reads a window column. */
  bindOver(r: Relation, e: Expression, pos: number): { relation: Relation; expr: BoundExpression; binder: ExpressionBinder } {
    const n = r.op.columns.length;
    let binder = this.expressions(relationScope(r));
    let expr = binder.bind(e);
    if (r.window && readsPastEnd(expr, n)) {
      r = this.applyWindow(r, pos);
      binder = this.expressions(relationScope(r));
      expr = binder.bind(e);
    }
    return { relation: r, expr, binder };
  }

  /** The select list of a query without grouping: a projection, a flat map, or a pending rank. */
  selectItems(r: Relation, sel: Select): Relation {
    const rankItem = sel.items.findIndex((i) => i.kind === 'item' && isRowNumber(i.expr));
    const starsWindow = sel.items.some((i) => i.kind === 'star');
    if (starsWindow) r = this.applyWindow(r, sel.pos);
    const exprs: BoundExpression[] = [];
    const names: string[] = [];
    const tags: TimeTag[] = [];
    const bindItems = (): void => {
      exprs.length = 0; names.length = 0; tags.length = 0;
      for (const [k, item] of sel.items.entries()) {
        if (item.kind === 'star') {
          r.columns.forEach((c) => {
            if (item.table !== null && c.table !== item.table) return;
            exprs.push({ kind: 'column', type: c.type, index: c.index, name: c.name });
            names.push(c.name);
            tags.push(c.tag);
          });
          continue;
        }
        if (k === rankItem) continue;
        const binder = this.expressions(relationScope(r));
        const e = binder.settle(binder.bind(item.expr));
        exprs.push(e);
        names.push(item.alias ?? columnName(item.expr));
        tags.push(e.kind === 'column' ? r.columns.find((c) => c.index === e.index)?.tag ?? null : null);
      }
    };
    bindItems();
    if (r.window && exprs.some((e) => readsPastEnd(e, r.op.columns.length))) {
      r = this.applyWindow(r, sel.pos);
      bindItems();
    }
    if (r.upsertKeys && rankItem >= 0) throw unsupported('ROW_NUMBER() over an updating result', sel.pos);
    if (rankItem >= 0) return pendingRank(this, r, sel, rankItem, exprs, names, tags);
    if (r.window) r = this.applyWindow(r, sel.pos);
    const setItem = setReturningItem(exprs, null, sel.pos);
    const upsertKeys = r.upsertKeys === null ? null : r.upsertKeys.map((k) => {
      const at = exprs.findIndex((e) => e.kind === 'column' && e.index === r.columns[k]!.index);
      if (at < 0) throw updatingKeyDropped(r.columns[k]!.name, sel.pos);
      return at;
    });
    if (setItem < 0) return this.project(r, exprs, names, tags, upsertKeys);
    if (upsertKeys) throw unsupported('a set-returning function over an updating result', sel.pos);
    const columns: ColumnSchema[] = exprs.map((e, i) => ({ name: names[i]!, type: e.type, nullable: true }));
    const op = this.add({ kind: 'flat-map', id: this.id('flatmap'), input: r.op.id, exprs, setItem, columns });
    return { op, window: null, rank: null, upsertKeys: null, columns: columns.map((c, i) => ({ name: c.name, table: null, type: c.type, tag: null, index: i })) };
  }
}

function readsPastEnd(e: BoundExpression, n: number): boolean {
  switch (e.kind) {
    case 'column': return e.index >= n;
    case 'constant': case 'parameter': return false;
    case 'call': case 'and': case 'or': case 'coalesce': return e.args.some((a) => readsPastEnd(a, n));
    case 'cast': return readsPastEnd(e.expr, n);
    case 'not': case 'is-null': return readsPastEnd(e.arg, n);
    case 'in-list': return readsPastEnd(e.arg, n) || e.list.some((a) => readsPastEnd(a, n));
    case 'case': return e.whens.some((w) => readsPastEnd(w.when, n) || readsPastEnd(w.then, n)) || readsPastEnd(e.else, n);
  }
}

export function rankWithoutLimit(pos: number): SabotError {
  return new SabotError(SqlState.featureNotSupported, 'ROW_NUMBER() in a dataflow needs a filter such as WHERE rn <= 10 in the query around it',
    { position: pos + 1, hint: 'Select the rows from a subquery: SELECT * FROM (SELECT ..., ROW_NUMBER() OVER (...) AS rn FROM s) WHERE rn <= 3.' });
}

export function updatingKeyDropped(name: string, pos: number): SabotError {
  return new SabotError(SqlState.featureNotSupported, `an updating result must keep its key column "${name}" in the select list`,
    { position: pos + 1, hint: 'The result of an unwindowed GROUP BY or ROW_NUMBER() is updated by key; select the GROUP BY keys (and the row number).' });
}

/** Parses a dataflow's `state_ttl` option ('1 hour', '30 s') into µs. */
export function stateTtlMicros(text: string | undefined, pos: number): number | null {
  if (text === undefined) return null;
  let micros: number;
  try {
    const i = Interval.parse(text);
    micros = i.months === 0 ? i.totalMicros() : NaN;
  } catch {
    micros = NaN;
  }
  if (!(micros > 0)) {
    throw new SabotError(SqlState.invalidParameterValue, `state_ttl must be a positive interval without months, not "${text}"`, { position: pos + 1 });
  }
  return micros;
}

/**
 * Turns the body of CREATE DATAFLOW into a logical plan: sources for the streams read,
 * filters and projections, windows, aggregates, joins and top-n, UNION ALL, and a sink
 * into the target stream (with implicit casts to its column types) or a kept result.
 */
export function bindDataflow(s: CreateDataflowStatement, ctx: DataflowBindContext): LogicalPlan {
  const b = new DataflowBinder(ctx);
  const body = b.visible(b.settled(b.query(s.query), s.query.pos));
  b.checkNoParameters();
  return bindSink(b, body, s.name, s.sink, s.pos);
}

/**
 * The end of a dataflow's plan: a sink writing `body` into stream `sink.name` (its
 * `columns`, all when empty, by position, with implicit casts to their types), or
 * keeping it as the dataflow's result when `sink` is null.
 */
export function bindSink(b: DataflowBinder, body: Relation, name: string, sink: { name: string; columns: string[] } | null, pos: number): LogicalPlan {
  const ctx = b.ctx;
  const s = { name, sink, pos };
  const id = (kind: string) => b.id(kind);
  const operators = b.operators;
  const upsertKeys = body.upsertKeys;
  if (s.sink === null) {
    // The result is read by column name, as a view's is: each name once.
    const seen = new Set<string>();
    for (const c of body.op.columns) {
      if (seen.has(c.name)) {
        throw new SabotError(SqlState.duplicateColumn, `column "${c.name}" specified more than once`,
          { position: s.pos + 1, hint: 'Name the result columns with AS.' });
      }
      seen.add(c.name);
    }
    operators.push({ kind: 'sink', id: id('sink'), input: body.op.id, stream: null, upsertKeys, columns: body.op.columns });
    return { name: s.name, operators };
  }
  const target = ctx.streams.get(s.sink.name);
  if (!target) throw new SabotError(SqlState.undefinedTable, `stream "${s.sink.name}" does not exist`, { position: s.pos + 1 });
  const named = new Set<string>();
  for (const n of s.sink.columns) {
    if (named.has(n)) throw new SabotError(SqlState.duplicateColumn, `column "${n}" specified more than once`, { position: s.pos + 1 });
    named.add(n);
  }
  const targetColumns = s.sink.columns.length === 0 ? target.columns : s.sink.columns.map((n) => {
    const c = target.columns.find((x) => x.name === n);
    if (!c) throw new SabotError(SqlState.undefinedColumn, `column "${n}" of stream "${target.name}" does not exist`, { position: s.pos + 1 });
    return c;
  });
  const produced = body.op.columns;
  if (produced.length !== targetColumns.length) {
    throw new SabotError(SqlState.syntaxError, produced.length > targetColumns.length
      ? 'INSERT has more expressions than target columns' : 'INSERT has more target columns than expressions', { position: s.pos + 1 });
  }
  // Cast each produced column to the stream's type; the stream's columns not written get NULL.
  const castTo = produced.map((c, i) => {
    const t = targetColumns[i]!;
    if (!assignmentCastAllowed(c.type, t.type)) {
      throw new SabotError(SqlState.datatypeMismatch, `column "${t.name}" is of type ${t.type.name} but expression is of type ${c.type.name}`,
        { position: s.pos + 1, hint: 'You will need to rewrite or cast the expression.' });
    }
    return t;
  });
  const needsShaping = castTo.some((t, i) => t.type.kind !== produced[i]!.type.kind) || targetColumns.length !== target.columns.length
    || targetColumns.some((t, i) => t !== target.columns[i]);
  let last = body.op;
  if (needsShaping) {
    const exprs = target.columns.map((t): BoundExpression => {
      const i = targetColumns.indexOf(t);
      if (i < 0) return { kind: 'constant', type: t.type, value: null };
      const col: BoundExpression = { kind: 'column', type: produced[i]!.type, index: i, name: produced[i]!.name };
      return col.type.kind === t.type.kind ? col : { kind: 'cast', type: t.type, expr: col };
    });
    last = { kind: 'project', id: id('project'), input: body.op.id, exprs, columns: target.columns };
    operators.push(last);
  }
  const sinkKeys = upsertKeys === null ? null : upsertKeys.map((k) => (needsShaping ? target.columns.indexOf(targetColumns[k]!) : k));
  operators.push({ kind: 'sink', id: id('sink'), input: last.id, stream: target.name, upsertKeys: sinkKeys, columns: target.columns });
  return { name: s.name, operators };
}
