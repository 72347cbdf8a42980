import type { StreamDefinition } from '../../control/catalog/streams.js';
import { SabotError, SqlState } from '../../errors.js';
import type { FunctionRegistry } from '../../functions/scalar-function.js';
import type { BoundExpression } from '../../plan/expression.js';
import type { LogicalOperator, LogicalPlan } from '../../plan/logical-plan.js';
import { setReturningItem } from '../../plan/set-returning.js';
import type { ColumnSchema } from '../../runtime/arrow-types.js';
import { Types } from '../../types/sql-type.js';
import type { FormatSettings } from '../../types/text-format.js';
import type { CreateDataflowStatement, Query, SetExpression } from '../ast.js';
import { assignmentCastAllowed } from './coercion.js';
import { columnName } from './column-name.js';
import { ExpressionBinder, ParameterTypes, type ColumnScope } from './expression-binder.js';

export interface DataflowBindContext {
  streams: ReadonlyMap<string, StreamDefinition>;
  functions: FunctionRegistry;
  format: FormatSettings;
}

function unsupported(what: string, pos: number): SabotError {
  return new SabotError(SqlState.featureNotSupported, `${what} in a dataflow is not supported yet`, { position: pos + 1 });
}

/**
 * Turns the body of CREATE DATAFLOW into a logical plan: sources for the streams read,
 * filters and projections, UNION ALL, and a sink into the target stream (with implicit
 * casts to its column types) or a kept result.
 */
export function bindDataflow(s: CreateDataflowStatement, ctx: DataflowBindContext): LogicalPlan {
  const operators: LogicalOperator[] = [];
  let next = 0;
  const id = (kind: string) => `${kind}_${next++}`;
  const params = new ParameterTypes();

  const binderOver = (columns: readonly ColumnSchema[], relation: string): ExpressionBinder => {
    const scope: ColumnScope = {
      resolve: (ref) => {
        if (ref.table !== null && ref.table !== relation) {
          throw new SabotError(SqlState.undefinedTable, `missing FROM-clause entry for table "${ref.table}"`, { position: ref.pos + 1 });
        }
        const i = columns.findIndex((c) => c.name === ref.name);
        return i < 0 ? undefined : { kind: 'column', type: columns[i]!.type, index: i, name: ref.name };
      },
    };
    return new ExpressionBinder(ctx.functions, params, scope, () => ctx.format);
  };

  const bindQuery = (q: Query): LogicalOperator => {
    if (q.with.length > 0) throw unsupported('WITH', q.pos);
    if (q.orderBy.length > 0 || q.limit || q.offset) throw unsupported('ORDER BY, LIMIT or OFFSET', q.pos);
    return bindSet(q.body);
  };

  const bindSet = (e: SetExpression): LogicalOperator => {
    switch (e.kind) {
      case 'query':
        return bindQuery(e);
      case 'values':
        throw unsupported('VALUES', e.pos);
      case 'set-operation': {
        if (e.op !== 'union' || !e.all) throw unsupported(`${e.op.toUpperCase()}${e.all ? ' ALL' : ''} (use UNION ALL)`, e.pos);
        const left = bindSet(e.left);
        const right = bindSet(e.right);
        if (left.columns.length !== right.columns.length) {
          throw new SabotError(SqlState.syntaxError, 'each UNION query must have the same number of columns', { position: e.pos + 1 });
        }
        left.columns.forEach((c, i) => {
          if (c.type.kind !== right.columns[i]!.type.kind) {
            throw new SabotError(SqlState.datatypeMismatch,
              `UNION types ${c.type.name} and ${right.columns[i]!.type.name} cannot be matched`, { position: e.pos + 1 });
          }
        });
        const op: LogicalOperator = { kind: 'union', id: id('union'), inputs: [left.id, right.id], columns: left.columns };
        operators.push(op);
        return op;
      }
      case 'select':
        return bindSelect(e);
    }
  };

  const bindSelect = (sel: Extract<SetExpression, { kind: 'select' }>): LogicalOperator => {
    if (sel.from.length !== 1 || sel.from[0]!.kind !== 'table') {
      throw unsupported('a FROM clause other than one stream', sel.from[0]?.pos ?? sel.pos);
    }
    if (sel.groupBy.length > 0 || sel.having || sel.distinct) throw unsupported('GROUP BY, HAVING or DISTINCT', sel.pos);
    const ref = sel.from[0]!;
    const name = ref.name.join('.');
    const stream = ctx.streams.get(name);
    if (!stream) throw new SabotError(SqlState.undefinedTable, `stream "${name}" does not exist`, { position: ref.pos + 1 });
    const relation = ref.alias?.name ?? stream.name;
    const source: LogicalOperator = {
      kind: 'source', id: id('source'), stream: stream.name, connector: stream.connector, options: stream.options, columns: stream.columns,
    };
    operators.push(source);
    const binder = binderOver(stream.columns, relation);
    let input: LogicalOperator = source;
    let predicate: BoundExpression | null = null;
    if (sel.where) {
      predicate = binder.coerce(binder.bind(sel.where), Types.bool, sel.where.pos);
      input = { kind: 'filter', id: id('filter'), input: source.id, predicate, columns: stream.columns };
      operators.push(input);
    }
    const exprs: BoundExpression[] = [];
    const columns: ColumnSchema[] = [];
    for (const item of sel.items) {
      if (item.kind === 'star') {
        stream.columns.forEach((c, i) => {
          exprs.push({ kind: 'column', type: c.type, index: i, name: c.name });
          columns.push(c);
        });
      } else {
        const e = binder.settle(binder.bind(item.expr));
        exprs.push(e);
        columns.push({ name: item.alias ?? columnName(item.expr), type: e.type, nullable: true });
      }
    }
    // A set-returning item (generate_series, regexp_split_to_table) makes it a flat map.
    const setItem = setReturningItem(exprs, predicate, sel.pos);
    const project: LogicalOperator = setItem < 0
      ? { kind: 'project', id: id('project'), input: input.id, exprs, columns }
      : { kind: 'flat-map', id: id('flatmap'), input: input.id, exprs, setItem, columns };
    operators.push(project);
    return project;
  };

  const body = bindQuery(s.query);
  if (params.final().length > 0) throw new SabotError(SqlState.undefinedParameter, 'a dataflow cannot have parameters');
  if (s.sink === null) {
    // The result is read by column name, as a view's is: each name once.
    const seen = new Set<string>();
    for (const c of body.columns) {
      if (seen.has(c.name)) {
        throw new SabotError(SqlState.duplicateColumn, `column "${c.name}" specified more than once`,
          { position: s.pos + 1, hint: 'Name the result columns with AS.' });
      }
      seen.add(c.name);
    }
    operators.push({ kind: 'sink', id: id('sink'), input: body.id, stream: null, upsertKeys: null, columns: body.columns });
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
  if (body.columns.length !== targetColumns.length) {
    throw new SabotError(SqlState.syntaxError, body.columns.length > targetColumns.length
      ? 'INSERT has more expressions than target columns' : 'INSERT has more target columns than expressions', { position: s.pos + 1 });
  }
  // Cast each produced column to the stream's type; the stream's columns not written get NULL.
  const castTo = body.columns.map((c, i) => {
    const t = targetColumns[i]!;
    if (!assignmentCastAllowed(c.type, t.type)) {
      throw new SabotError(SqlState.datatypeMismatch, `column "${t.name}" is of type ${t.type.name} but expression is of type ${c.type.name}`,
        { position: s.pos + 1, hint: 'You will need to rewrite or cast the expression.' });
    }
    return t;
  });
  const needsShaping = castTo.some((t, i) => t.type.kind !== body.columns[i]!.type.kind) || targetColumns.length !== target.columns.length
    || targetColumns.some((t, i) => t !== target.columns[i]);
  let last = body;
  if (needsShaping) {
    const exprs = target.columns.map((t): BoundExpression => {
      const i = targetColumns.indexOf(t);
      if (i < 0) return { kind: 'constant', type: t.type, value: null };
      const col: BoundExpression = { kind: 'column', type: body.columns[i]!.type, index: i, name: body.columns[i]!.name };
      return col.type.kind === t.type.kind ? col : { kind: 'cast', type: t.type, expr: col };
    });
    last = { kind: 'project', id: id('project'), input: body.id, exprs, columns: target.columns };
    operators.push(last);
  }
  operators.push({ kind: 'sink', id: id('sink'), input: last.id, stream: target.name, upsertKeys: null, columns: target.columns });
  return { name: s.name, operators };
}
