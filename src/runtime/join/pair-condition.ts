/**
 * A join's condition over candidate pairs: compiled once over just the columns it reads
 * (renumbered), and evaluated vectorized over a batch of those columns gathered for the
 * pairs, instead of over whole joined rows.
 */
import { makeData, RecordBatch, Struct } from 'apache-arrow';
import type { EvalContext } from '../../functions/scalar-function.js';
import type { BoundExpression } from '../../plan/expression.js';
import { columnsRead, replaceColumns } from '../../plan/expression-tree.js';
import { arrowSchema, type ColumnSchema } from '../arrow-types.js';
import { compileFilter, type CompiledFilter } from '../expressions/index.js';
import type { KeptRows } from './kept-rows.js';

/** Where a pair's rows are: per side, slots and rows. */
export interface Pairs {
  slots: [Int32Array, Int32Array];
  rows: [Int32Array, Int32Array];
  count: number;
}

export class PairCondition {
  private readonly filter: CompiledFilter;
  /** The columns read, by side and column of that side, in the renumbered order. */
  private readonly reads: { side: 0 | 1; column: number }[];
  private readonly schema;
  private readonly struct;
  private readonly ignoreError = () => undefined;

  /** `condition` reads the left columns (leftWidth of them) followed by the right ones. */
  constructor(condition: BoundExpression, leftWidth: number, columns: readonly ColumnSchema[], ctx: EvalContext) {
    const read = [...new Set(columnsRead(condition))].sort((a, b) => a - b);
    const renumbered = new Map(read.map((c, k) => [c, k]));
    this.reads = read.map((c) => (c < leftWidth ? { side: 0, column: c } : { side: 1, column: c - leftWidth }));
    // Positional names: two sides may have columns of the same name.
    const input = read.map((c, k) => ({ ...columns[c]!, name: `c${k}` }));
    this.schema = arrowSchema(input);
    this.struct = new Struct(this.schema.fields);
    this.filter = compileFilter(replaceColumns(condition, (col) => ({ ...col, index: renumbered.get(col.index)! })), input, ctx);
  }

  /**
   * The pairs (indexes below pairs.count) the condition is TRUE for. A pair it fails to
   * evaluate for (a division by zero) does not match, as if it were not TRUE.
   */
  select(sides: readonly [KeptRows, KeptRows], pairs: Pairs): Int32Array {
    const m = pairs.count;
    const children = this.reads.map(({ side, column }) => sides[side].gatherColumn(column, pairs.slots[side], pairs.rows[side], m));
    const batch = new RecordBatch(this.schema, makeData({ type: this.struct, length: m, nullCount: 0, children }));
    return this.filter.selection(batch, [], { onRowError: this.ignoreError });
  }
}
