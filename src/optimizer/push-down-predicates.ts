import type { BoundExpression } from '../plan/expression.js';
import { childrenOf, columnsRead, isVolatile, replaceColumns } from '../plan/expression-tree.js';
import { inputsOf, type LogicalOperator, type LogicalPlan } from '../plan/logical-plan.js';
import type { ColumnSchema } from '../runtime/arrow-types.js';
import { Types } from '../types/sql-type.js';
import { castVolatility } from './cast-volatility.js';
import { bypass, consumersOf } from './plan-edit.js';
import type { Rule } from './rule.js';

type Filter = Extract<LogicalOperator, { kind: 'filter' }>;

/** The operators a filter can move below. The others keep it above them: see the rule's comment. */
type Movable = Extract<LogicalOperator, { kind: 'project' | 'union' | 'window' | 'join' | 'aggregate' }>;

function isMovable(op: LogicalOperator): op is Movable {
  return op.kind === 'project' || op.kind === 'union' || op.kind === 'window' || op.kind === 'join' || op.kind === 'aggregate';
}

/** The operands of a predicate's top-level ANDs, in order. */
function conjuncts(e: BoundExpression): BoundExpression[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

function conjunction(parts: BoundExpression[]): BoundExpression {
  return parts.length === 1 ? parts[0]! : { kind: 'and', type: Types.bool, args: parts };
}

/** Whether the expression gives the same value whenever its columns do, and one value per row (no set-returning call). */
function isImmutable(e: BoundExpression): boolean {
  const here = e.kind === 'call' ? e.fn.volatility === 'immutable' && e.fn.setReturning !== true
    : e.kind === 'cast' ? castVolatility(e.expr.type, e.type) === 'immutable'
    : true;
  return here && childrenOf(e).every(isImmutable);
}

/** The expression reading column `at(i)` of `columns` wherever it read column i. */
function reading(e: BoundExpression, columns: readonly ColumnSchema[], at: (i: number) => number): BoundExpression {
  return replaceColumns(e, (c) => ({ ...c, index: at(c.index), name: columns[at(c.index)]!.name }));
}

/**
 * A conjunct of a filter over `op` as each of op's inputs (by position in inputsOf) would
 * read it, null for an input it does not go into; null altogether when it stays above op.
 */
function movedBelow(op: Movable, conjunct: BoundExpression, columnsOf: (id: string) => ColumnSchema[]): (BoundExpression | null)[] | null {
  const read = columnsRead(conjunct);
  switch (op.kind) {
    case 'project':
      // The filter computes what it reads of the projection again: only expressions that
      // give the same value again, and one value per row.
      if (!read.every((i) => isImmutable(op.exprs[i]!))) return null;
      return [replaceColumns(conjunct, (c) => op.exprs[c.index]!)];
    case 'union':
      // Each branch gives the union's columns at the same positions.
      return op.inputs.map((input) => reading(conjunct, columnsOf(input), (i) => i));
    case 'window': {
      // The input columns come first, then window_start and window_end.
      const input = columnsOf(op.input);
      return read.every((i) => i < input.length) ? [conjunct] : null;
    }
    case 'join': {
      const left = columnsOf(op.left);
      if (read.every((i) => i < left.length)) return [conjunct, null];
      // A LEFT join pads the left rows without a match with NULLs: filtering its right
      // input would pad rows the filter above would have dropped.
      if (op.type === 'inner' && read.every((i) => i >= left.length)) {
        return [null, reading(conjunct, columnsOf(op.right), (i) => i - left.length)];
      }
      return null;
    }
    case 'aggregate':
      // The key columns come first. A conjunct reading no column (FALSE) stays: an
      // aggregate without keys may give a row for no input rows at all.
      if (read.length === 0 || !read.every((i) => i < op.keys.length)) return null;
      return [reading(conjunct, columnsOf(op.input), (i) => op.keys[i]!)];
  }
}

function withInputs(op: Movable, inputs: string[]): Movable {
  switch (op.kind) {
    case 'union': return { ...op, inputs };
    case 'join': return { ...op, left: inputs[0]!, right: inputs[1]! };
    case 'project': case 'window': case 'aggregate': return { ...op, input: inputs[0]! };
  }
}

/** Makes filter ids no operator of the plan has, nor any made before. */
function filterIds(plan: LogicalPlan): () => string {
  const taken = new Set(plan.operators.map((op) => op.id));
  let n = plan.operators.length;
  return () => {
    while (taken.has(`filter_${n}`)) n++;
    taken.add(`filter_${n}`);
    return `filter_${n}`;
  };
}

/** The filter's predicate ANDed into the filter below it. */
function merged(plan: LogicalPlan, filter: Filter, below: Filter): LogicalPlan {
  const predicate = conjunction([...conjuncts(below.predicate), ...conjuncts(filter.predicate)]);
  const operators = plan.operators.map((op) => (op === below ? { ...below, predicate } : op));
  return bypass({ ...plan, operators }, filter.id);
}

/** The plan with the filter's conjuncts that can move one operator down moved there; null when none can. */
function pushedOnce(plan: LogicalPlan, filter: Filter): LogicalPlan | null {
  const below = plan.operators.find((op) => op.id === filter.input)!;
  // The operator's other readers must keep seeing every row.
  if (consumersOf(plan, below.id).length !== 1) return null;
  if (below.kind === 'filter') return merged(plan, filter, below);
  if (!isMovable(below)) return null;

  const columnsOf = (id: string) => plan.operators.find((op) => op.id === id)!.columns;
  const inputs = inputsOf(below);
  const into: BoundExpression[][] = inputs.map(() => []);
  const staying: BoundExpression[] = [];
  for (const conjunct of conjuncts(filter.predicate)) {
    // A volatile call would run on other rows, or a different number of times.
    const copies = isVolatile(conjunct) ? null : movedBelow(below, conjunct, columnsOf);
    if (copies === null) staying.push(conjunct);
    else copies.forEach((copy, i) => copy && into[i]!.push(copy));
  }
  if (into.every((parts) => parts.length === 0)) return null;

  // New filters go right before the operator they feed, which keeps the plan in topological order.
  const added: Filter[] = [];
  const newId = filterIds(plan);
  const newInputs = inputs.map((input, i) => {
    if (into[i]!.length === 0) return input;
    const id = newId();
    added.push({ kind: 'filter', id, input, predicate: conjunction(into[i]!), columns: columnsOf(input) });
    return id;
  });
  const operators = plan.operators.flatMap((op): LogicalOperator[] => {
    if (op === below) return [...added, withInputs(below, newInputs)];
    if (op === filter && staying.length > 0) return [{ ...filter, predicate: conjunction(staying) }];
    return [op];
  });
  return staying.length > 0 ? { ...plan, operators } : bypass({ ...plan, operators }, filter.id);
}

/**
 * Predicate pushdown: each filter moves down toward the sources as far as it safely can,
 * so fewer rows reach the operators above, and the stateful ones keep less state. A
 * filter's predicate is split into its AND operands (conjuncts); each moves on its own:
 * - below a projection, with the projection's expressions in place of the columns it
 *   reads, when each of those is immutable and not set-returning (it is computed again);
 * - into every branch of a UNION ALL, a copy in each;
 * - below a window assigner when it does not read window_start or window_end;
 * - into the side of a join whose columns alone it reads: either side of an inner join,
 *   only the left side of a LEFT join (its right side is NULL-padded);
 * - below an aggregate when it reads only group-key columns (not window_start,
 *   window_end or an aggregate): it then keeps or drops whole groups.
 * A filter over a filter merges into it (AND). Nothing moves below a source, a top-n (a
 * row dropped below it would let another into the first n), a flat map or a user
 * function the rule cannot see into; nor below an operator other operators read too.
 *
 * Safe: each moved conjunct is true for the same rows it was true for above, so the
 * same rows come out. A conjunct that calls a volatile function never moves (it would
 * run on other rows, or more or fewer times). As in Postgres, conjuncts are not run in
 * a promised order: one moved below may meet rows another would have dropped first.
 */
export const pushDownPredicates: Rule = {
  name: 'push-down-predicates',
  apply(plan: LogicalPlan): LogicalPlan {
    let result = plan;
    for (let moved = true; moved;) {
      moved = false;
      for (const op of result.operators) {
        const next = op.kind === 'filter' ? pushedOnce(result, op) : null;
        if (next) {
          result = next;
          moved = true;
          break;
        }
      }
    }
    return result;
  },
};
