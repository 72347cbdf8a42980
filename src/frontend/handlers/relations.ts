import { pgCatalogRelations } from '../../control/catalog/pg-catalog.js';
import { catalogTable, type CatalogTableName } from '../../control/catalog/schema.js';
import { SabotError, SqlState } from '../../errors.js';
import { evaluateScalar, type ScalarScope } from '../../plan/evaluate.js';
import type { BoundExpression } from '../../plan/expression.js';
import type { Expression, FromItem } from '../../sql/ast.js';
import { windowFunction } from '../../sql/binder/window-function.js';
import type { ColumnScope } from '../../sql/binder/expression-binder.js';
import { Types, type SqlType } from '../../types/sql-type.js';
import type { CatalogStore } from '../../control/catalog/catalog-store.js';
import type { StreamCatalog } from '../../control/catalog/stream-catalog.js';
import type { StreamDefinition } from '../../control/catalog/streams.js';
import type { InternalStreams } from '../../connectors/internal/internal-streams.js';
import { upsertKeysOf } from '../../connectors/internal/kept-result.js';
import { rowsFromBatch } from '../../runtime/rows.js';
import { readKafkaContents } from '../../connectors/kafka/index.js';
import { NexmarkGenerator } from '../../connectors/nexmark/generator.js';
import { nexmarkEventRate } from '../../connectors/nexmark/nexmark-source.js';
import type { NexmarkKind } from '../../connectors/nexmark/schema.js';

/** Where FROM finds its relations. */
export interface RelationSources {
  catalog: CatalogStore;
  streams: StreamCatalog;
  internalStreams: InternalStreams;
}

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

/** Binds an expression over FROM columns: a join condition (coerced to `type`, boolean), or a table function's argument. */
export type BindCondition = (e: Expression, columns: readonly FromColumn[], type?: SqlType) => BoundExpression;

/**
 * FROM over the catalog's relations: system tables (`sabot.jobs`, or `jobs` when no
 * stream has the name) and the pg_catalog relations clients look things up in; comma
 * lists and INNER, LEFT, RIGHT, FULL and CROSS joins.
 * These relations are small, so joins are nested loops over rows read once.
 */
export function bindFrom(items: readonly FromItem[], sources: RelationSources, bindCondition: BindCondition): BoundFrom {
  return items.map((item) => bindItem(item, sources, bindCondition)).reduce((left, right) => join('cross', left, right, null));
}

function bindItem(item: FromItem, sources: RelationSources, bindCondition: BindCondition): BoundFrom {
  switch (item.kind) {
    case 'table':
      return scan(item, sources);
    case 'join': {
      const left = bindItem(item.left, sources, bindCondition);
      const right = bindItem(item.right, sources, bindCondition);
      if (item.natural || item.using.length > 0) {
        throw new SabotError(SqlState.featureNotSupported, 'NATURAL and USING joins are not supported yet; use ON', { position: item.pos + 1 });
      }
      const columns = [...left.columns, ...right.columns];
      return join(item.type, left, right, item.on ? bindCondition(item.on, columns, Types.bool) : null);
    }
    case 'table-function':
      return windowScan(item, sources, bindCondition);
    case 'subquery':
      throw new SabotError(SqlState.featureNotSupported, 'subqueries in FROM are not supported yet (they are in dataflows)',
        { position: item.pos + 1 });
  }
}

/** The start of the window of `size` µs that time `t` falls in (windows aligned to the epoch). */
function floorTo(t: bigint, size: bigint): bigint {
  const r = t % size;
  return r < 0n ? t - r - size : t - r;
}

/**
 * TUMBLE(s, ts, size) or HOP(s, ts, slide, size) in a query's FROM: the rows the stream
 * holds, each with the window_start and window_end of every window it falls in (one for
 * TUMBLE, size / slide for HOP), so GROUP BY window_start groups them as a dataflow would.
 * A row without a time falls in no window.
 */
function windowScan(item: Extract<FromItem, { kind: 'table-function' }>, sources: RelationSources, bindCondition: BindCondition): BoundFrom {
  const first = item.args[0];
  const stream = first?.kind === 'column' && first.table === null
    ? sources.streams.get(first.name) ?? sources.streams.result(first.name) : undefined;
  if (!stream) {
    throw new SabotError(SqlState.undefinedTable, first?.kind === 'column' ? `stream "${first.name}" does not exist`
      : `${item.name.toUpperCase()} takes a stream as its first argument`, { position: (first?.pos ?? item.pos) + 1 });
  }
  const window = windowFunction(item, stream.columns, (e) => bindCondition(e, []));
  if (window.kind === 'session') {
    throw new SabotError(SqlState.featureNotSupported, 'SESSION windows are computed by dataflows: CREATE DATAFLOW name AS SELECT ... FROM SESSION(...)',
      { position: item.pos + 1 });
  }
  const relation = item.alias?.name ?? stream.name;
  const timeType = stream.columns[window.time]!.type;
  const size = BigInt(window.size);
  const slide = BigInt(window.kind === 'hop' ? window.slide : window.size);
  return {
    columns: [...stream.columns.map((c) => ({ relation, name: c.name, type: c.type })),
      { relation, name: 'window_start', type: timeType }, { relation, name: 'window_end', type: timeType }],
    rows: async () => {
      const out: Rows = [];
      for (const row of await streamRows(stream, sources.internalStreams, item.pos)) {
        const time = row[window.time];
        if (typeof time !== 'number') continue;
        const t = BigInt(time);
        for (let start = floorTo(t, slide); start > t - size; start -= slide) out.push([...row, Number(start), Number(start + size)]);
      }
      return out;
    },
  };
}

/** An updating result as it stands: the last row of each key, in the order keys first appeared. */
function lastRowPerKey(rows: Rows, keys: number[]): Rows {
  const latest = new Map<string, unknown[]>();
  for (const row of rows) {
    const key = JSON.stringify(keys.map((k) => row[k]), (_, v) => (typeof v === 'bigint' ? `${v}n` : v !== null && typeof v === 'object' ? String(v) : v));
    latest.set(key, row);
  }
  return [...latest.values()];
}

/**
 * What SELECT reads of a stream: what an internal stream holds as of when the query
 * began, or the whole run of a bounded Nexmark stream.
 */
async function streamRows(stream: StreamDefinition, internal: InternalStreams, pos: number): Promise<Rows> {
  const rows: Rows = [];
  if (stream.connector === 'internal' || stream.connector === 'result') {
    const log = await internal.log(stream);
    for await (const { batch } of log.read(0n)) for (const row of rowsFromBatch(stream.columns, batch)) rows.push(row);
    const keys = upsertKeysOf(stream);
    return keys === null ? rows : lastRowPerKey(rows, keys.map((k) => stream.columns.findIndex((c) => c.name === k)));
  }
  if (stream.connector === 'nexmark') {
    if (stream.options.events === undefined) {
      throw new SabotError(SqlState.featureNotSupported, `stream "${stream.name}" is unbounded, so a SELECT of it would never end`,
        { position: pos + 1, hint: "Give the stream an events option (events = '1000') to read it with SELECT." });
    }
    const generator = new NexmarkGenerator({
      kind: stream.options.kind as NexmarkKind, events: Number(stream.options.events),
      seed: stream.options.seed === undefined ? undefined : Number(stream.options.seed),
      eventsPerSecond: nexmarkEventRate(stream.options),
    });
    for (let batch = generator.nextBatch(); batch; batch = generator.nextBatch()) {
      for (const row of rowsFromBatch(stream.columns, batch)) rows.push(row);
    }
    return rows;
  }
  if (stream.connector === 'kafka') {
    // The topic as it is now: from the earliest offsets to the end offsets as of the query.
    for (const batch of await readKafkaContents(stream, stream.columns)) for (const row of rowsFromBatch(stream.columns, batch)) rows.push(row);
    return rows;
  }
  throw new SabotError(SqlState.featureNotSupported, `reading a ${stream.connector} stream with SELECT is not supported yet`,
    { position: pos + 1, hint: 'Read it in a dataflow.' });
}

/**
 * The relation a name in FROM refers to: a stream (unqualified or public.x), a system
 * table (sabot.x, or unqualified when no stream has the name) or a pg_catalog relation.
 */
function resolveRelation(ref: Extract<FromItem, { kind: 'table' }>, sources: RelationSources): { name: string; columns: { name: string; type: SqlType }[]; rows(): Promise<Rows> } | undefined {
  if (ref.name.length > 2) return undefined;
  const [schema, name] = ref.name.length === 2 ? ref.name as [string, string] : [null, ref.name[0]!];
  const catalog = sources.catalog;
  const stream = schema === null || schema === 'public' ? sources.streams.get(name) ?? sources.streams.result(name) : undefined;
  if (stream) return { name, columns: stream.columns, rows: () => streamRows(stream, sources.internalStreams, ref.pos) };
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

function scan(ref: Extract<FromItem, { kind: 'table' }>, sources: RelationSources): BoundFrom {
  const found = resolveRelation(ref, sources);
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
