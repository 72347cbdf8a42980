import type { BoundExpression } from '../plan/expression.js';
import type { LogicalOperator, LogicalPlan } from '../plan/logical-plan.js';
import { inputsOf } from '../plan/logical-plan.js';
import type { ColumnSchema } from '../runtime/arrow-types.js';
import { columnsRead, replaceColumns } from '../plan/expression-tree.js';
import { mapOperators } from './plan-edit.js';
import type { Rule } from './rule.js';

const allOf = (columns: readonly ColumnSchema[]) => columns.map((_, i) => i);

/** The columns of a join's inputs its own work reads: keys, condition, time bounds (output positions: left, then right). */
function joinReads(op: Extract<LogicalOperator, { kind: 'join' }>, leftWidth: number): number[] {
  const b = op.bound;
  const bound = b.kind === 'interval' ? [b.leftTime, b.rightTime + leftWidth] : b.kind === 'window' ? [b.leftEnd, b.rightEnd + leftWidth] : [];
  return [...op.leftKeys, ...op.rightKeys.map((k) => k + leftWidth), ...(op.condition ? columnsRead(op.condition) : []), ...bound];
}

/**
 * The columns of each input an operator needs (null: every column of each input), given
 * the ones of its output its readers use.
 */
function inputColumnsNeeded(op: LogicalOperator, outputUsed: Iterable<number>, widthOf: (id: string) => number): number[][] | null {
  switch (op.kind) {
    case 'source': return [];
    // A filter passes its input's columns on.
    case 'filter': return [[...outputUsed, ...columnsRead(op.predicate)]];
    case 'project': case 'flat-map': return [op.exprs.flatMap(columnsRead)];
    // A join passes the columns of both sides on: each side gives what is read above and what the join reads.
    case 'join': {
      const leftWidth = widthOf(op.left);
      const all = [...outputUsed, ...joinReads(op, leftWidth)];
      return [all.filter((i) => i < leftWidth), all.filter((i) => i >= leftWidth).map((i) => i - leftWidth)];
    }
    // A union's branches must all give its columns; a sink writes or keeps them all; a
    // user function may read any. The binder puts a projection of exactly the columns
    // used below aggregates and top-n.
    case 'union': case 'sink': case 'map': case 'aggregate': case 'window': case 'top-n': return null;
  }
}

/** For each operator, the indexes of its output columns some reader of it uses. */
function usedColumns(plan: LogicalPlan): Map<string, Set<number>> {
  const used = new Map(plan.operators.map((op) => [op.id, new Set<number>()]));
  const byId = new Map(plan.operators.map((op) => [op.id, op]));
  const widthOf = (id: string) => byId.get(id)!.columns.length;
  for (const op of [...plan.operators].reverse()) {
    const needed = inputColumnsNeeded(op, used.get(op.id)!, widthOf);
    inputsOf(op).forEach((input, k) => {
      for (const i of needed?.[k] ?? allOf(byId.get(input)!.columns)) used.get(input)!.add(i);
    });
  }
  return used;
}

/** Fixed-width columns first, the smallest first; variable-length ones last. */
function width(c: ColumnSchema): number {
  return c.type.size > 0 ? c.type.size : Infinity;
}

/** The source's columns to decode, in order: the used ones, or else the narrowest one. */
function keptBySource(columns: readonly ColumnSchema[], used: Set<number>): number[] {
  if (used.size > 0) return allOf(columns).filter((i) => used.has(i));
  return [allOf(columns).reduce((best, i) => (width(columns[i]!) < width(columns[best]!) ? i : best))];
}

/** The expression reading column `kept[j]` of the old input as column j. */
function renumbered(e: BoundExpression, kept: number[]): BoundExpression {
  return replaceColumns(e, (c) => {
    const index = kept.indexOf(c.index);
    return index === c.index ? c : { ...c, index };
  });
}

/**
 * Projection pruning down to the sources: each source decodes only the columns that the
 * operators above it read, and the column indexes in the expressions above it are
 * renumbered to match. Through a filter the columns its predicate reads are added to
 * the ones read above it; a projection reads only what its expressions read; through a
 * join each side gives what is read above it plus the join's keys, condition and time
 * bounds (so a join keeps only those columns in its state); a union or a sink needs every
 * column of its inputs, so each branch of a union is pruned below the projection that ends it.
 *
 * Safe: a column left out is read by no expression and reaches no sink; filters keep the
 * same rows and pass fewer columns on. A source keeps at least one column, its narrowest,
 * even when none is read (SELECT 1 FROM s): a batch still needs its row count.
 */
export const pruneSourceColumns: Rule = {
  name: 'prune-source-columns',
  apply(plan: LogicalPlan): LogicalPlan {
    const used = usedColumns(plan);
    /** The old indexes of the columns each operator outputs now. */
    const kept = new Map<string, number[]>();
    return mapOperators(plan, (op) => {
      switch (op.kind) {
        case 'source': {
          const k = keptBySource(op.columns, used.get(op.id)!);
          kept.set(op.id, k);
          return k.length === op.columns.length ? op : { ...op, columns: k.map((i) => op.columns[i]!) };
        }
        case 'filter': {
          const k = kept.get(op.input)!;
          kept.set(op.id, k);
          if (k.length === op.columns.length) return op;
          return { ...op, predicate: renumbered(op.predicate, k), columns: k.map((i) => op.columns[i]!) };
        }
        case 'project': case 'flat-map': {
          kept.set(op.id, allOf(op.columns));
          const k = kept.get(op.input)!;
          const exprs = op.exprs.map((e) => renumbered(e, k));
          return exprs.every((e, i) => e === op.exprs[i]) ? op : { ...op, exprs };
        }
        case 'join': {
          const left = kept.get(op.left)!;
          const right = kept.get(op.right)!;
          const leftWidth = op.columns.length - plan.operators.find((o) => o.id === op.right)!.columns.length;
          const k = [...left, ...right.map((i) => i + leftWidth)];
          kept.set(op.id, k);
          if (k.length === op.columns.length) return op;
          const at = (i: number) => k.indexOf(i);
          const b = op.bound;
          const bound = b.kind === 'interval' ? { ...b, leftTime: left.indexOf(b.leftTime), rightTime: right.indexOf(b.rightTime) }
            : b.kind === 'window' ? { ...b, leftEnd: left.indexOf(b.leftEnd), rightEnd: right.indexOf(b.rightEnd) } : b;
          return {
            ...op, bound, leftKeys: op.leftKeys.map((i) => left.indexOf(i)), rightKeys: op.rightKeys.map((i) => right.indexOf(i)),
            condition: op.condition === null ? null : replaceColumns(op.condition, (c) => ({ ...c, index: at(c.index) })),
            columns: k.map((i) => op.columns[i]!),
          };
        }
        case 'union': case 'sink': case 'map': case 'aggregate': case 'window': case 'top-n':
          kept.set(op.id, allOf(op.columns));
          return op;
      }
    });
  },
};
