import { pgCatalogRelations } from '../../control/catalog/pg-catalog.js';
import { catalogTable, type CatalogTableName } from '../../control/catalog/schema.js';
import { SabotError, SqlState } from '../../errors.js';
import { evaluateScalar, type ScalarScope } from '../../plan/evaluate.js';
import type { BoundExpression } from '../../plan/expression.js';
import type { Expression, FromItem } from '../../sql/ast.js';
import type { ColumnScope } from '../../sql/binder/expression-binder.js';
import type { SqlType } from '../../types/sql-type.js';
import type { CatalogStore } from '../../control/catalog/catalog-store.js';

type Rows = unknown[][];

/** A column of the rows a FROM clause produces: which relation it came from, its name and type. */
export interface FromColumn {
  relation: string;
  name: string;
  type: SqlType;
}

/** A bound FROM clause: its columns, in order, and how to produce its rows. */
export interface BoundFrom {
  columns: FromColumn[];
  rows(scope: ScalarScope): Promise<Rows>;
}

/** Resolves column references against a FROM clause's columns; ambiguity is 42702. */
export function fromScope(columns: readonly FromColumn[]): ColumnScope {
  return {
    resolve: (ref) => {
      const matches = columns.flatMap((c, i) => (c.name === ref.name && (ref.table === null || ref.table === c.relation) ? [i] : []));
      if (matches.length > 1) {
        throw new SabotError(SqlState.ambiguousColumn, `column reference "${ref.name}" is ambiguous`, { position: ref.pos + 1 });
      }
      const i = matches[0];
      if (i === undefined) {
        if (ref.table !== null && !columns.some((c) => c.relation === ref.table)) {
          throw new SabotError(SqlState.undefinedTable, `missing FROM-clause entry for table "${ref.table}"`, { position: ref.pos + 1 });
        }
        return undefined;
      }
      return { kind: 'column', type: columns[i]!.type, index: i, name: ref.name };
    },
  };
}

/** Binds a join condition over the columns of both sides. */
export type BindCondition = (e: Expression, columns: readonly FromColumn[]) => BoundExpression;

/**
 * FROM over the catalog's relations: system tables (`sabot.jobs`, or `jobs` when no
 * stream has the name) and the pg_catalog relations clients look things up in; comma
 * lists and INNER, LEFT, RIGHT, FULL and CROSS joins.
 * These relations are small, so joins are nested loops over rows read once.
 */
export function bindFrom(items: readonly FromItem[], catalog: CatalogStore, bindCondition: BindCondition): BoundFrom {
  return items.map((item) => bindItem(item, catalog, bindCondition)).reduce((left, right) => join('cross', left, right, null));
}

function bindItem(item: FromItem, catalog: CatalogStore, bindCondition: BindCondition): BoundFrom {
  switch (item.kind) {
    case 'table':
      return scan(item, catalog);
    case 'join': {
      const left = bindItem(item.left, catalog, bindCondition);
      const right = bindItem(item.right, catalog, bindCondition);
      if (item.natural || item.using.length > 0) {
        throw new SabotError(SqlState.featureNotSupported, 'NATURAL and USING joins are not supported yet; use ON', { position: item.pos + 1 });
      }
      const columns = [...left.columns, ...right.columns];
      return join(item.type, left, right, item.on ? bindCondition(item.on, columns) : null);
    }
    case 'subquery':
    case 'table-function':
      throw new SabotError(SqlState.featureNotSupported, 'subqueries and table functions in FROM are not supported yet',
        { position: item.pos + 1 });
  }
}

/** The relation a name in FROM refers to: a system table (sabot.x) or a pg_catalog relation. */
function resolveRelation(ref: Extract<FromItem, { kind: 'table' }>, catalog: CatalogStore): { name: string; columns: { name: string; type: SqlType }[]; rows(): Promise<Rows> } | undefined {
  if (ref.name.length > 2) return undefined;
  const [schema, name] = ref.name.length === 2 ? ref.name as [string, string] : [null, ref.name[0]!];
  const table = schema === null || schema === 'sabot' ? catalogTable(name) : undefined;
  if (table?.system) {
    return {
      name, columns: table.columns,
      rows: async () => (await catalog.select(table.name as CatalogTableName)).map((r) => table.columns.map((c) => r[c.name] ?? null)),
    };
  }
  const pg = schema === null || schema === 'pg_catalog' ? pgCatalogRelations.find((r) => r.name === name) : undefined;
  return pg && { name, columns: pg.columns, rows: () => pg.rows(catalog) };
}

function scan(ref: Extract<FromItem, { kind: 'table' }>, catalog: CatalogStore): BoundFrom {
  const found = resolveRelation(ref, catalog);
  if (!found) throw new SabotError(SqlState.undefinedTable, `relation "${ref.name.join('.')}" does not exist`, { position: ref.pos + 1 });
  const relation = ref.alias?.name ?? found.name;
  const renamed = ref.alias?.columns ?? [];
  return {
    columns: found.columns.map((c, i) => ({ relation, name: renamed[i] ?? c.name, type: c.type })),
    rows: () => found.rows(),
  };
}

function join(type: 'inner' | 'left' | 'right' | 'full' | 'cross', left: BoundFrom, right: BoundFrom, on: BoundExpression | null): BoundFrom {
  const leftWidth = left.columns.length;
  const rightWidth = right.columns.length;
  return {
    columns: [...left.columns, ...right.columns],
    rows: async (scope) => {
      const [l, r] = await Promise.all([left.rows(scope), right.rows(scope)]);
      const out: Rows = [];
      const rightMatched = new Uint8Array(r.length);
      for (const a of l) {
        let matched = false;
        for (let j = 0; j < r.length; j++) {
          const row = [...a, ...r[j]!];
          if (on !== null && (await evaluateScalar(on, row, scope)) !== true) continue;
          matched = true;
          rightMatched[j] = 1;
          out.push(row);
        }
        if (!matched && (type === 'left' || type === 'full')) out.push([...a, ...new Array(rightWidth).fill(null)]);
      }
      if (type === 'right' || type === 'full') {
        r.forEach((b, j) => { if (!rightMatched[j]) out.push([...new Array(leftWidth).fill(null), ...b]); });
      }
      return out;
    },
  };
}
