import type { BoundExpression } from '../plan/expression.js';
import type { LogicalOperator, LogicalPlan } from '../plan/logical-plan.js';
import { inputsOf } from '../plan/logical-plan.js';
import type { ColumnSchema } from '../runtime/arrow-types.js';
import { columnsRead, replaceColumns } from '../plan/expression-tree.js';
import { mapOperators } from './plan-edit.js';
import type { Rule } from './rule.js';

const allOf = (columns: readonly ColumnSchema[]) => columns.map((_, i) => i);

/** The input columns an operator needs (null: every column of each input), given the ones of its output its readers use. */
function inputColumnsNeeded(op: LogicalOperator, outputUsed: Iterable<number>): number[] | null {
  switch (op.kind) {
    case 'source': return [];
    // A filter passes its input's columns on.
    case 'filter': return [...outputUsed, ...columnsRead(op.predicate)];
    case 'project': case 'flat-map': return op.exprs.flatMap(columnsRead);
    // A union's branches must all give its columns; a sink writes or keeps them all; a
    // user function may read any. The binder puts a projection of exactly the columns
    // used below stateful operators.
    case 'union': case 'sink': case 'map': case 'aggregate': case 'window': case 'join': case 'top-n': return null;
  }
}

/** For each operator, the indexes of its output columns some reader of it uses. */
function usedColumns(plan: LogicalPlan): Map<string, Set<number>> {
  const used = new Map(plan.operators.map((op) => [op.id, new Set<number>()]));
  const byId = new Map(plan.operators.map((op) => [op.id, op]));
  for (const op of [...plan.operators].reverse()) {
    const needed = inputColumnsNeeded(op, used.get(op.id)!);
    for (const input of inputsOf(op)) for (const i of needed ?? allOf(byId.get(input)!.columns)) used.get(input)!.add(i);
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
 * the ones read above it; a projection reads only what its expressions read; a union or
 * a sink needs every column of its inputs, so each branch of a union is pruned below the
 * projection that ends it.
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
        case 'union': case 'sink': case 'map': case 'aggregate': case 'window': case 'join': case 'top-n':
          kept.set(op.id, allOf(op.columns));
          return op;
      }
    });
  },
};
