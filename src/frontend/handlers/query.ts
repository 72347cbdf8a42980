import { SabotError, SqlState } from '../../errors.js';
import { comparatorFor } from '../../functions/comparison.js';
import type { EvalContext } from '../../functions/scalar-function.js';
import type { BoundExpression } from '../../plan/expression.js';
import { evaluateAll, evaluateScalar, type ScalarScope } from '../../plan/evaluate.js';
import { catalogTable, type CatalogTableName } from '../../control/catalog/schema.js';
import type { Expression, FromItem, Query, SetExpression } from '../../sql/ast.js';
import { commonType } from '../../sql/binder/coercion.js';
import { columnName } from '../../sql/binder/column-name.js';
import { emptyScope, ExpressionBinder, ParameterTypes, type ColumnScope } from '../../sql/binder/expression-binder.js';
import { Types, type SqlType } from '../../types/sql-type.js';
import type { ResultColumn, SessionContext, StatementPlan } from '../statement-plan.js';

type Maybe<T> = T | Promise<T>;
type Rows = unknown[][];

/** A bound query: its columns and how to compute its rows. */
interface RowSource {
  columns: ResultColumn[];
  rows(scope: ScalarScope): Maybe<Rows>;
}

function then<T, U>(v: Maybe<T>, f: (t: T) => Maybe<U>): Maybe<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/** Runs f over items one after another, synchronously while each step is. */
function mapInOrder<T, U>(items: readonly T[], f: (t: T) => Maybe<U>, i = 0, out: U[] = []): Maybe<U[]> {
  for (; i < items.length; i++) {
    const v = f(items[i]!);
    if (v instanceof Promise) {
      const next = i + 1;
      return v.then((r) => { out.push(r); return mapInOrder(items, f, next, out); });
    }
    out.push(v);
  }
  return out;
}

const aggregateNames = new Set(['count', 'sum', 'avg', 'min', 'max', 'string_agg', 'array_agg', 'bool_and', 'bool_or']);

/** Whether an expression calls an aggregate function (they need GROUP BY support). */
function containsAggregate(e: Expression): boolean {
  if (e.kind === 'function') {
    if (aggregateNames.has(e.name[e.name.length - 1]!) || e.star) return true;
    return e.args.some(containsAggregate);
  }
  return Object.values(e).some((v) => (Array.isArray(v) ? v : [v]).some((x) =>
    x !== null && typeof x === 'object' && 'kind' in x && 'pos' in x && x.kind !== 'query' && containsAggregate(x as Expression)));
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
 * Queries that read no relation: SELECT of expressions, VALUES, and set operations,
 * ORDER BY, LIMIT and OFFSET over them. Relations in FROM are resolved by the catalog;
 * until a relation exists under a name, naming it is 42P01 as in Postgres.
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
    const body = this.setExpression(q.body);
    const order = q.orderBy.map((item) => ({ ...item, expr: this.orderKey(item.expr, body.columns) }));
    const constants = this.expressions(emptyScope);
    const limit = q.limit ? constants.coerce(constants.bind(q.limit), Types.int8, q.limit.pos) : null;
    const offset = q.offset ? constants.coerce(constants.bind(q.offset), Types.int8, q.offset.pos) : null;
    if (order.length === 0 && !limit && !offset) return body;
    return {
      columns: body.columns,
      rows: (scope) => then(body.rows(scope), (rows) => {
        if (order.length > 0) rows = sortRows(rows, order, scope);
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

  private select(s: Extract<SetExpression, { kind: 'select' }>): RowSource {
    if (s.from.length > 1 || s.from.some((f) => f.kind !== 'table')) {
      const first = s.from.find((f) => f.kind !== 'table') ?? s.from[1]!;
      throw new SabotError(SqlState.featureNotSupported, 'joins and subqueries in FROM are not supported yet', { position: first.pos + 1 });
    }
    if (s.groupBy.length > 0 || s.having || s.distinctOn.length > 0) {
      throw new SabotError(SqlState.featureNotSupported, 'GROUP BY, HAVING and DISTINCT ON are not supported yet', { position: s.pos + 1 });
    }
    const from = s.from[0] as Extract<FromItem, { kind: 'table' }> | undefined;
    const table = from ? this.relation(from) : null;
    const alias = from ? (from.alias?.name ?? from.name[from.name.length - 1]!) : null;
    const inputColumns = table ? table.columns : [];
    const scope: ColumnScope = {
      resolve: (ref) => {
        if (ref.table !== null && ref.table !== alias) return undefined;
        const i = inputColumns.findIndex((c) => c.name === ref.name);
        return i < 0 ? undefined : { kind: 'column', type: inputColumns[i]!.type, index: i, name: ref.name };
      },
    };
    const binder = this.expressions(scope);
    const items = s.items.flatMap((item) => {
      if (item.kind === 'star') {
        if (!table) throw new SabotError(SqlState.syntaxError, 'SELECT * with no tables specified is not valid', { position: item.pos + 1 });
        if (item.table !== null && item.table !== alias) {
          throw new SabotError(SqlState.undefinedTable, `missing FROM-clause entry for table "${item.table}"`, { position: item.pos + 1 });
        }
        return inputColumns.map((c, i) => ({ name: c.name, expr: { kind: 'column', type: c.type, index: i, name: c.name } as BoundExpression }));
      }
      if (containsAggregate(item.expr)) {
        throw new SabotError(SqlState.featureNotSupported, 'aggregate functions are not supported yet', { position: item.expr.pos + 1 });
      }
      return [{ name: item.alias ?? columnName(item.expr), expr: binder.settle(binder.bind(item.expr)) }];
    });
    const where = s.where ? binder.coerce(binder.bind(s.where), Types.bool, s.where.pos) : null;
    const exprs = items.map((i) => i.expr);
    return {
      columns: items.map((i) => ({ name: i.name, type: i.expr.type })),
      rows: (scope) => then(table ? table.rows() : [[]], (input) => then(mapInOrder(input, (row) => {
        if (!where) return then(evaluateAll(exprs, row, scope), (out) => [out]);
        return then(evaluateScalar(where, row, scope), (keep) => (keep === true ? then(evaluateAll(exprs, row, scope), (out) => [out]) : []));
      }), (nested) => nested.flat())),
    };
  }

  /** A relation named in FROM: the system tables (sabot.<table>, or unqualified). */
  private relation(ref: Extract<FromItem, { kind: 'table' }>): { columns: ResultColumn[]; rows(): Promise<Rows> } {
    const [schema, name] = ref.name.length === 2 ? ref.name : [null, ref.name[0]!];
    const table = (schema === null || schema === 'sabot') && ref.name.length <= 2 ? catalogTable(name!) : undefined;
    if (!table || !table.system) {
      throw new SabotError(SqlState.undefinedTable, `relation "${ref.name.join('.')}" does not exist`, { position: ref.pos + 1 });
    }
    const catalog = this.session.catalog;
    return {
      columns: table.columns.map((c) => ({ name: c.name, type: c.type })),
      rows: async () => (await catalog.select(table.name as CatalogTableName)).map((r) => table.columns.map((c) => r[c.name] ?? null)),
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

function sortRows(rows: Rows, order: { expr: BoundExpression; descending: boolean; nullsFirst: boolean | null }[], scope: ScalarScope): Rows {
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
