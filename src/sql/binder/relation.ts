import { SabotError, SqlState } from '../../errors.js';
import type { BoundExpression } from '../../plan/expression.js';
import type { LogicalOperator, SortKey, WindowSpec } from '../../plan/logical-plan.js';
import type { SqlType } from '../../types/sql-type.js';
import type { ColumnRef } from '../ast.js';
import type { ColumnScope } from './expression-binder.js';

/**
 * What a column means for event time: the stream's event-time column (the one its
 * watermark follows), or the start or end of the window a row belongs to. Joins and
 * aggregates bound their state by these.
 */
export type TimeTag = 'event-time' | 'window-start' | 'window-end' | null;

/** A column of a relation in a dataflow's FROM: its name, the table that qualifies it, and where it is in the operator's output. */
export interface RelationColumn {
  name: string;
  table: string | null;
  type: SqlType;
  tag: TimeTag;
  /** Its index in `op.columns` (a pending window's two columns come right after op's). */
  index: number;
}

/** ROW_NUMBER() OVER (...) in a select list: it becomes a top-n once the query around it says how many rows. */
export interface PendingRank {
  /** The rank column among the relation's columns. */
  column: number;
  keys: number[];
  order: SortKey[];
  /** The time tags of the operator's columns, hidden ones included (a window in PARTITION BY makes a windowed top-n). */
  tags: TimeTag[];
  pos: number;
}

/**
 * A relation while a dataflow's query is bound: the operator producing its rows and the
 * columns queries see. `window`: a TUMBLE/HOP/SESSION in FROM not applied yet (its
 * window_start and window_end are the last two columns): a GROUP BY on them makes a
 * windowed aggregate; anything else applies it as a window operator. `upsertKeys`: the
 * relation is an updating result keyed by these columns. `rank`: a pending top-n.
 */
export interface Relation {
  op: LogicalOperator;
  columns: RelationColumn[];
  window: WindowSpec | null;
  upsertKeys: number[] | null;
  rank: PendingRank | null;
}

/** Resolves column references over a relation; `t.c` needs table t, a bare name must be unambiguous (42702). */
export function relationScope(r: Relation): ColumnScope & { find(ref: ColumnRef): number; has(ref: ColumnRef): boolean } {
  const has = (ref: ColumnRef): boolean => r.columns.some((c) => c.name === ref.name && (ref.table === null || c.table === ref.table));
  const find = (ref: ColumnRef): number => {
    let found = -1;
    let tableSeen = ref.table === null;
    r.columns.forEach((c, i) => {
      if (ref.table !== null && c.table !== ref.table) return;
      tableSeen = true;
      if (c.name !== ref.name) return;
      if (found >= 0) {
        throw new SabotError(SqlState.ambiguousColumn, `column reference "${ref.name}" is ambiguous`, { position: ref.pos + 1 });
      }
      found = i;
    });
    if (!tableSeen) throw new SabotError(SqlState.undefinedTable, `missing FROM-clause entry for table "${ref.table}"`, { position: ref.pos + 1 });
    return found;
  };
  return {
    find,
    has,
    resolve: (ref): BoundExpression | undefined => {
      const i = find(ref);
      if (i < 0) return undefined;
      const c = r.columns[i]!;
      return { kind: 'column', type: c.type, index: c.index, name: c.name };
    },
  };
}
