import { SabotError, SqlState } from '../../errors.js';
import { comparatorFor } from '../../functions/comparison.js';
import type { EvalContext } from '../../functions/scalar-function.js';
import type { BoundExpression } from '../../plan/expression.js';
import { evaluateAll, evaluateScalar, type ScalarScope } from '../../plan/evaluate.js';
import { setReturningItem } from '../../plan/set-returning.js';
import { mapInOrder, then, type Maybe } from '../../plan/maybe.js';
import type { Expression, OrderItem, Query, SetExpression } from '../../sql/ast.js';
import { commonType } from '../../sql/binder/coercion.js';
import { columnName } from '../../sql/binder/column-name.js';
import { emptyScope, ExpressionBinder, ParameterTypes, type ColumnScope } from '../../sql/binder/expression-binder.js';
import { Types, type SqlType } from '../../types/sql-type.js';
import type { ResultColumn, SessionContext, StatementPlan } from '../statement-plan.js';
import { containsAggregate } from '../../sql/binder/aggregate-calls.js';
import { planGrouping } from './aggregation.js';
import { bindFrom, fromScope } from './relations.js';

type Rows = unknown[][];

/** A bound query: its columns and how to compute its rows. */
interface RowSource {
  columns: ResultColumn[];
  rows(scope: ScalarScope): Maybe<Rows>;
}

type SortKey = { expr: BoundExpression; descending: boolean; nullsFirst: boolean | null };

/** A SELECT planned with its ORDER BY: keys may sort by hidden columns after the visible ones. */
interface OrderedSource extends RowSource {
  order: SortKey[];
  hidden: number;
}

/** A key under which equal rows (for DISTINCT, UNION, INTERSECT, EXCEPT) collide. */
function rowKey(row: readonly unknown[]): string {
  return JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? `${v}n` : v !== null && typeof v === 'object' && !Array.isArray(v) ? String(v) : v));
}

function distinctRows(rows: Rows): Rows {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = rowKey(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Bounded queries: SELECT of expressions or over the catalog's relations (with joins,
 * WHERE, GROUP BY and aggregates, HAVING, DISTINCT), VALUES, set operations, ORDER BY,
 * LIMIT and OFFSET. They run row by row here, which suits the catalog's small tables;
 * stream contents come through the dataflow runtime.
 */
class QueryBinder {
  constructor(
    private readonly session: SessionContext,
    private readonly params: ParameterTypes,
  ) {}

  private expressions(scope: ColumnScope): ExpressionBinder {
    return new ExpressionBinder(this.session.functions, this.params, scope, () => this.session.settings.format);
  }

  query(q: Query): RowSource {
    if (q.with.length > 0) {
      throw new SabotError(SqlState.featureNotSupported, 'WITH queries are not supported yet', { position: q.pos + 1 });
    }
    // A SELECT resolves its own ORDER BY, which may sort by columns it does not output.
    const ordered = q.body.kind === 'select' && q.orderBy.length > 0 ? this.select(q.body, q.orderBy) : null;
    const body: RowSource = ordered ?? this.setExpression(q.body);
    const order = ordered?.order ?? q.orderBy.map((item) => ({ ...item, expr: this.orderKey(item.expr, body.columns) }));
    const hidden = ordered?.hidden ?? 0;
    const constants = this.expressions(emptyScope);
    const limit = q.limit ? constants.coerce(constants.bind(q.limit), Types.int8, q.limit.pos) : null;
    const offset = q.offset ? constants.coerce(constants.bind(q.offset), Types.int8, q.offset.pos) : null;
    if (order.length === 0 && !limit && !offset) return body;
    return {
      columns: body.columns,
      rows: (scope) => then(body.rows(scope), (rows) => {
        if (order.length > 0) rows = sortRows(rows, order, scope);
        if (hidden > 0) rows = rows.map((r) => r.slice(0, r.length - hidden));
        return then(evaluateAll([offset, limit].filter((x): x is BoundExpression => x !== null), [], scope), (vals) => {
          const start = offset ? Number(checkCount(vals.shift(), 'OFFSET')) : 0;
          const count = limit ? vals.shift() : null;
          return rows.slice(start, count === null || count === undefined ? undefined : start + Number(checkCount(count, 'LIMIT')));
        });
      }),
    };
  }

  /** ORDER BY 2, ORDER BY name (an output column), or an expression over output columns. */
  private orderKey(e: Expression, columns: ResultColumn[]): BoundExpression {
    if (e.kind === 'literal' && e.type === 'integer') {
      const n = Number(e.value);
      if (n < 1 || n > columns.length) {
        throw new SabotError(SqlState.invalidColumnReference, `ORDER BY position ${n} is not in select list`, { position: e.pos + 1 });
      }
      return { kind: 'column', type: columns[n - 1]!.type, index: n - 1, name: columns[n - 1]!.name };
    }
    const scope: ColumnScope = {
      resolve: (ref) => {
        if (ref.table !== null) return undefined;
        const matches = columns.flatMap((c, i) => (c.name === ref.name ? [i] : []));
        if (matches.length > 1) {
          throw new SabotError(SqlState.ambiguousColumn, `ORDER BY "${ref.name}" is ambiguous`, { position: ref.pos + 1 });
        }
        const i = matches[0];
        return i === undefined ? undefined : { kind: 'column', type: columns[i]!.type, index: i, name: columns[i]!.name };
      },
    };
    return this.expressions(scope).settle(this.expressions(scope).bind(e));
  }

  private setExpression(e: SetExpression): RowSource {
    switch (e.kind) {
      case 'query':
        return this.query(e);
      case 'select':
        return this.select(e);
      case 'values':
        return this.values(e);
      case 'set-operation':
        return this.setOperation(e);
    }
  }

  private select(s: Extract<SetExpression, { kind: 'select' }>): RowSource;
  private select(s: Extract<SetExpression, { kind: 'select' }>, orderBy: OrderItem[]): OrderedSource;
  private select(s: Extract<SetExpression, { kind: 'select' }>, orderBy: OrderItem[] = []): RowSource | OrderedSource {
    if (s.distinctOn.length > 0) {
      throw new SabotError(SqlState.featureNotSupported, 'DISTINCT ON is not supported yet', { position: s.distinctOn[0]!.pos + 1 });
    }
    const from = s.from.length === 0 ? null : bindFrom(s.from, this.session, (e, columns, type) => {
      const b = this.expressions(fromScope(columns));
      return type ? b.coerce(b.bind(e), type, e.pos) : b.bind(e);
    });
    const inputColumns = from?.columns ?? [];
    const input = this.expressions(fromScope(inputColumns));
    const items = s.items.flatMap((item) => {
      if (item.kind === 'item') return [{ name: item.alias ?? columnName(item.expr), expr: item.expr }];
      if (!from) throw new SabotError(SqlState.syntaxError, 'SELECT * with no tables specified is not valid', { position: item.pos + 1 });
      const columns = inputColumns.filter((c) => item.table === null || c.relation === item.table);
      if (columns.length === 0) {
        throw new SabotError(SqlState.undefinedTable, `missing FROM-clause entry for table "${item.table}"`, { position: item.pos + 1 });
      }
      return columns.map((c) => ({ name: c.name, expr: { kind: 'column', table: c.relation, name: c.name, pos: item.pos } as Expression }));
    });
    if (s.where && containsAggregate(s.where)) {
      throw new SabotError(SqlState.groupingError, 'aggregate functions are not allowed in WHERE', { position: s.where.pos + 1 });
    }
    const where = s.where ? input.coerce(input.bind(s.where), Types.bool, s.where.pos) : null;
    // GROUP BY 2 names the second select item, as in Postgres.
    const groupBy = s.groupBy.map((g) => {
      if (g.kind !== 'literal' || g.type !== 'integer') return g;
      const item = items[Number(g.value) - 1];
      if (!item) throw new SabotError(SqlState.invalidColumnReference, `GROUP BY position ${g.value} is not in select list`, { position: g.pos + 1 });
      return item.expr;
    });
    const grouping = groupBy.length > 0 || s.having !== null || items.some((i) => containsAggregate(i.expr))
      ? planGrouping(groupBy, [...items.map((i) => i.expr), ...(s.having ? [s.having] : [])], input)
      : null;
    const output = grouping ? this.expressions(grouping.scope) : input;
    const exprs = items.map((i) => output.settle(output.bind(grouping ? grouping.rewrite(i.expr) : i.expr)));
    const having = s.having ? output.coerce(output.bind(grouping!.rewrite(s.having)), Types.bool, s.having.pos) : null;
    const columns = items.map((item, i) => ({ name: item.name, type: exprs[i]!.type }));
    const setItem = setReturningItem(exprs, where, s.pos);
    // ORDER BY n and ORDER BY <output name> sort by an output column; any other key is an
    // expression over the input, computed as a hidden column after the visible ones.
    const visible = exprs.length;
    const order: SortKey[] = orderBy.map((o) => {
      const e = o.expr;
      let index: number | undefined;
      if (e.kind === 'literal' && e.type === 'integer') {
        index = Number(e.value) - 1;
        if (index < 0 || index >= visible) {
          throw new SabotError(SqlState.invalidColumnReference, `ORDER BY position ${e.value} is not in select list`, { position: e.pos + 1 });
        }
      } else if (e.kind === 'column' && e.table === null && columns.filter((c) => c.name === e.name).length === 1) {
        index = columns.findIndex((c) => c.name === e.name);
      } else {
        if (s.distinct) {
          throw new SabotError(SqlState.invalidColumnReference, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list', { position: e.pos + 1 });
        }
        exprs.push(output.settle(output.bind(grouping ? grouping.rewrite(e) : e)));
        index = exprs.length - 1;
      }
      return { expr: { kind: 'column', type: exprs[index]!.type, index, name: `order ${index}` }, descending: o.descending, nullsFirst: o.nullsFirst };
    });
    const keep = (rows: Rows, test: BoundExpression | null, scope: ScalarScope): Maybe<Rows> =>
      test === null ? rows : then(mapInOrder(rows, (row) => evaluateScalar(test, row, scope)), (flags) => rows.filter((_, i) => flags[i] === true));
    const project = (rows: Rows, scope: ScalarScope): Maybe<Rows> =>
      then(mapInOrder(rows, (row) => evaluateAll(exprs, row, scope)), (out) => {
        const expanded = setItem < 0 ? out : expandSetItem(out, setItem);
        return s.distinct ? distinctRows(expanded) : expanded;
      });
    const hidden = exprs.length - visible;
    if (!from && !grouping) {
      // No relation: one row, computed synchronously unless a function makes it wait.
      return { columns, order, hidden, rows: (scope) => then(keep([[]], where, scope), (rows) => project(rows, scope)) };
    }
    return {
      columns,
      order,
      hidden,
      rows: async (scope) => {
        const rows = await keep(from ? await from.rows(scope) : [[]], where, scope);
        const grouped = grouping ? await keep(await grouping.run(rows, scope), having, scope) : rows;
        return project(grouped, scope);
      },
    };
  }

  private values(v: Extract<SetExpression, { kind: 'values' }>): RowSource {
    const width = v.rows[0]!.length;
    const binder = this.expressions(emptyScope);
    const bound = v.rows.map((row) => {
      if (row.length !== width) {
        throw new SabotError(SqlState.syntaxError, 'VALUES lists must all be the same length', { position: row[0]!.pos + 1 });
      }
      return row.map((e) => binder.bind(e));
    });
    const types = Array.from({ length: width }, (_, c) => {
      const t = commonType(bound.map((row) => row[c]!.type));
      if (!t) throw new SabotError(SqlState.datatypeMismatch, 'VALUES types cannot be matched', { position: v.pos + 1 });
      return t.kind === 'unknown' ? Types.text : t;
    });
    const rows = bound.map((row) => row.map((e, c) => binder.coerce(e, types[c]!, v.pos)));
    return {
      columns: types.map((type, c) => ({ name: `column${c + 1}`, type })),
      rows: (scope) => mapInOrder(rows, (row) => evaluateAll(row, [], scope)),
    };
  }

  private setOperation(op: Extract<SetExpression, { kind: 'set-operation' }>): RowSource {
    const left = this.setExpression(op.left);
    const right = this.setExpression(op.right);
    const name = op.op.toUpperCase();
    if (left.columns.length !== right.columns.length) {
      throw new SabotError(SqlState.syntaxError, `each ${name} query must have the same number of columns`, { position: op.pos + 1 });
    }
    const types: SqlType[] = left.columns.map((c, i) => {
      const t = commonType([c.type, right.columns[i]!.type]);
      if (!t) {
        throw new SabotError(SqlState.datatypeMismatch,
          `${name} types ${c.type.name} and ${right.columns[i]!.type.name} cannot be matched`, { position: op.pos + 1 });
      }
      return t;
    });
    const binder = this.expressions(emptyScope);
    const convert = (src: RowSource) => src.columns.map((c, i) =>
      binder.coerce({ kind: 'column', type: c.type, index: i, name: c.name }, types[i]!, op.pos));
    const leftCast = convert(left);
    const rightCast = convert(right);
    const castRows = (rows: Rows, exprs: BoundExpression[], scope: ScalarScope) =>
      mapInOrder(rows, (row) => evaluateAll(exprs, row, scope));
    return {
      columns: left.columns.map((c, i) => ({ name: c.name, type: types[i]! })),
      rows: (scope) => then(then(left.rows(scope), (l) => castRows(l, leftCast, scope)), (l) =>
        then(then(right.rows(scope), (r) => castRows(r, rightCast, scope)), (r) => combine(op.op, op.all, l, r))),
    };
  }
}

function combine(op: 'union' | 'intersect' | 'except', all: boolean, left: Rows, right: Rows): Rows {
  if (op === 'union') return all ? [...left, ...right] : distinctRows([...left, ...right]);
  // Multiset semantics for ALL: each right row cancels or matches one left row.
  const counts = new Map<string, number>();
  for (const r of right) counts.set(rowKey(r), (counts.get(rowKey(r)) ?? 0) + 1);
  const out = left.filter((row) => {
    const k = rowKey(row);
    const n = counts.get(k) ?? 0;
    if (all && n > 0) counts.set(k, n - 1);
    return op === 'intersect' ? n > 0 : n === 0;
  });
  return all ? out : distinctRows(out);
}

function checkCount(v: unknown, clause: string): bigint {
  if (v === null) return clause === 'OFFSET' ? 0n : 9223372036854775807n;
  if ((v as bigint) < 0n) {
    throw new SabotError(clause === 'LIMIT' ? '2201W' : '2201X', `${clause} must not be negative`);
  }
  return v as bigint;
}

function sortRows(rows: Rows, order: SortKey[], scope: ScalarScope): Rows {
  const keyed = rows.map((row) => ({ row, keys: order.map((o) => evaluateScalar(o.expr, row, scope)) }));
  const cmps = order.map((o) => {
    const cmp = comparatorFor(o.expr.type);
    if (!cmp) throw new SabotError(SqlState.undefinedFunction, `could not identify an ordering operator for type ${o.expr.type.name}`);
    return cmp;
  });
  keyed.sort((a, b) => {
    for (let i = 0; i < order.length; i++) {
      const o = order[i]!;
      const x = a.keys[i];
      const y = b.keys[i];
      const nullsFirst = o.nullsFirst ?? o.descending;
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null) === nullsFirst ? -1 : 1;
      }
      const c = cmps[i]!(x, y);
      if (c !== 0) return o.descending ? -c : c;
    }
    return 0;
  });
  return keyed.map((k) => k.row);
}

/** SELECT, VALUES and set operations as a statement. */
/** One row per value of the set-returning item at `k` (none for NULL), the other items repeated. */
function expandSetItem(rows: Rows, k: number): Rows {
  return rows.flatMap((r) => (r[k] === null ? [] : (r[k] as unknown[]).map((v) => {
    const row = r.slice();
    row[k] = v;
    return row;
  })));
}

export function planQuery(query: Query, session: SessionContext, declared: readonly (SqlType | undefined)[]): StatementPlan {
  const params = new ParameterTypes(declared);
  const source = new QueryBinder(session, params).query(query);
  return {
    parameterTypes: params.final(),
    columns: source.columns,
    execute: (values: unknown[], context: EvalContext) =>
      then(source.rows({ params: values, context }), (rows) => ({ kind: 'rows' as const, rows, tag: 'SELECT' })),
  };
}
