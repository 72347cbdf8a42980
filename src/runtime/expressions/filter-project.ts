/**
 * Filters and projections over Arrow batches, separately or fused into one step.
 *
 * A filter keeps the rows where its predicate is TRUE and gives them as a selection
 * vector (an Int32Array of row indexes, ascending). When the predicate fuses
 * (./fuse.ts: comparisons, arithmetic, AND / OR / NOT over fixed-width columns) one loop
 * evaluates it and writes the selection; otherwise the predicate column is computed and
 * the selection read from it.
 *
 * A projection after a filter computes each output column for the kept rows only:
 * - a column passed through is gathered (or, when every row is kept, handed on as is);
 * - a fusable expression runs as one loop over the selection, reading row sel[q] of its
 *   inputs and writing output row q: gather and computation in one pass;
 * - any other expression is computed either over the whole batch with only the kept
 *   rows active and then gathered ('late'), or over a batch of the kept rows of the
 *   columns it reads ('early'). 'auto' picks early when less than EARLY_BELOW of the
 *   rows pass (measured in bench/filter-project.ts).
 *
 * Failing rows: by default the first error is thrown, as a SabotError carrying the
 * batch row it was raised for (see errorRow). With `onRowError`, each failing row is
 * reported once (with its batch row) and left out of the output, and the batch goes on.
 */
import { type Data, type Field, makeData, RecordBatch, type Schema, Struct } from 'apache-arrow';
import type { EvalContext } from '../../functions/scalar-function.js';
import type { BoundExpression } from '../../plan/expression.js';
import { arrowSchema, type ColumnSchema } from '../arrow-types.js';
import {
  type Col, dataFromCol, detach, FRESH, gatherVec, type Mem, NULL_SCALAR, physOf, Scratch, type Vec, vecFromData,
} from './columns.js';
import { type CompileOptions, compileNode, type Node, referencedColumns } from './compile.js';
import { atRow, errorRow, Frame, type RowErrorHandler } from './frame.js';
import { Fused } from './fuse.js';

/**
 * Below this fraction of rows kept, 'auto' gathers first ('early'). Measured with
 * bench/filter-project.ts on unfused expressions: early wins at 10% and 50% of rows kept
 * (95 / 60 M rows/s against 62 / 52 for late) and loses at 90% (40 against 44).
 */
export const EARLY_BELOW = 0.75;

export type FilterStrategy = 'auto' | 'early' | 'late';

export interface RunOptions {
  /** Report each failing row (batch index) and drop it from the output, instead of throwing. */
  onRowError?: RowErrorHandler;
}

export interface CompiledFilter {
  /** Rows of the batch where the predicate is TRUE, ascending. */
  selection(batch: RecordBatch, params?: readonly unknown[], options?: RunOptions): Int32Array;
  /** The batch with only those rows (its schema unchanged). */
  apply(batch: RecordBatch, params?: readonly unknown[], options?: RunOptions): RecordBatch;
}

export interface ProjectionItem {
  name: string;
  expr: BoundExpression;
}

export interface CompiledProjection {
  readonly columns: readonly ColumnSchema[];
  readonly schema: Schema;
  /** The projected batch, of every row or of the rows in `selection`. */
  project(batch: RecordBatch, params?: readonly unknown[], options?: RunOptions & { selection?: Int32Array; strategy?: FilterStrategy }): RecordBatch;
}

export interface CompiledFilterProject {
  readonly columns: readonly ColumnSchema[];
  readonly schema: Schema;
  /** The projection of the rows where the predicate is TRUE. */
  run(batch: RecordBatch, params?: readonly unknown[], options?: RunOptions & { strategy?: FilterStrategy }): RecordBatch;
}

// ---------------------------------------------------------------------------------------
// Selections

function selectionOf(c: Col, n: number, mem: Mem): Int32Array {
  if (c.isScalar) return c.value === true ? identity(n) : new Int32Array(0);
  const v = c.values as Uint8Array;
  const validity = c.validity;
  const sel = mem.i32(n);
  let k = 0;
  if (validity === null) {
    for (let i = 0; i < n; i++) {
      sel[k] = i;
      k += v[i]!;
    }
  } else {
    for (let i = 0; i < n; i++) {
      sel[k] = i;
      k += v[i]! & (validity[i >> 3]! >> (i & 7));
    }
  }
  return sel.subarray(0, k);
}

/** 0, 1, ..., n - 1. */
function identity(n: number): Int32Array {
  const s = new Int32Array(n);
  for (let i = 0; i < n; i++) s[i] = i;
  return s;
}

/** A mask (one byte per row) of the rows in a selection. */
function maskOf(sel: Int32Array, n: number, mem: Mem): Uint8Array {
  const active = mem.zeros(n);
  for (let k = 0; k < sel.length; k++) active[sel[k]!] = 1;
  return active;
}

/** A selection without the rows marked in `failed` (one byte per batch row). */
function withoutFailed(sel: Int32Array, failed: Uint8Array | null, mem: Mem): Int32Array {
  if (failed === null) return sel;
  const out = mem.i32(sel.length);
  let k = 0;
  for (let j = 0; j < sel.length; j++) {
    const i = sel[j]!;
    if (!failed[i]) out[k++] = i;
  }
  return out.subarray(0, k);
}

/** A compiled predicate: a fused loop writing the selection, or a node and a scan. */
class Predicate {
  private readonly fused: Fused | undefined;
  private readonly node: Node | undefined;

  constructor(e: BoundExpression, input: readonly ColumnSchema[], opts: CompileOptions) {
    this.fused = opts.fuse === false ? undefined : Fused.build(e, (x) => compileNode(x, input, opts));
    if (!this.fused) this.node = compileNode(e, input, opts);
  }

  /** Rows where the predicate is TRUE and nothing failed. */
  select(f: Frame, mem: Mem): Int32Array {
    const sel = this.fused ? this.fused.select(f, mem) : selectionOf(this.node!.eval(f, null), f.n, mem);
    return withoutFailed(sel, f.failed, mem);
  }
}

// ---------------------------------------------------------------------------------------
// Batches

function makeBatch(schema: Schema, struct: Struct, length: number, children: Data[]): RecordBatch {
  return new RecordBatch(schema, makeData({ type: struct, length, nullCount: 0, children }));
}

/**
 * The Arrow schema of a projection, its field names made unique (`?column?`,
 * `?column?_2`): RecordBatch's constructor merges fields of the same name
 * (Schema.assign), which would give two `?column?` columns the type of the last one.
 */
export function projectionSchema(columns: readonly ColumnSchema[]): Schema {
  const seen = new Set<string>();
  return arrowSchema(columns.map((c) => {
    let name = c.name;
    for (let k = 2; seen.has(name); k++) name = `${c.name}_${k}`;
    seen.add(name);
    return name === c.name ? c : { ...c, name };
  }));
}

function structOf(schema: Schema): Struct {
  return new Struct(schema.fields as Field[]);
}

/** A column of a batch, gathered. */
function gatherData(data: Data, column: ColumnSchema, sel: Int32Array): Data {
  return dataFromCol(gatherVec(vecFromData(data, column.type), column.type, sel, sel.length), column.type, sel.length);
}

function emptyBatch(schema: Schema, struct: Struct, columns: readonly ColumnSchema[]): RecordBatch {
  return makeBatch(schema, struct, 0, columns.map((c) => dataFromCol(NULL_SCALAR, c.type, 0)));
}

// ---------------------------------------------------------------------------------------
// Filter

export function compileFilter(predicate: BoundExpression, input: readonly ColumnSchema[], ctx: EvalContext,
  opts: CompileOptions = {}): CompiledFilter {
  const pred = new Predicate(predicate, input, opts);
  const schema = arrowSchema(input);
  const struct = structOf(schema);
  const scratch = new Scratch();
  const selection = (batch: RecordBatch, params: readonly unknown[] = [], options: RunOptions = {}): Int32Array => {
    scratch.reset();
    return pred.select(new Frame(batch.numRows, batch, input, params, ctx, options.onRowError ?? null, scratch), FRESH);
  };
  return {
    selection,
    apply(batch, params = [], options = {}) {
      const sel = selection(batch, params, options);
      if (sel.length === batch.numRows) return batch;
      const children = batch.data.children.map((d, i) => gatherData(d, input[i]!, sel));
      return makeBatch(batch.schema, batch.schema === schema ? struct : structOf(batch.schema), sel.length, children);
    },
  };
}

// ---------------------------------------------------------------------------------------
// Projection

type CompiledItem = { column: ColumnSchema } & (
  | { kind: 'column'; index: number }
  | { kind: 'fused'; fused: Fused; needsActive: boolean }
  | { kind: 'node'; node: Node });

function compileItem(item: ProjectionItem, input: readonly ColumnSchema[], opts: CompileOptions): CompiledItem {
  const column: ColumnSchema = { name: item.name, type: item.expr.type, nullable: nullable(item.expr, input) };
  const e = item.expr;
  if (e.kind === 'column' && input[e.index] && physOf(input[e.index]!.type) === physOf(e.type)) {
    return { column, kind: 'column', index: e.index };
  }
  const fused = opts.fuse === false ? undefined : Fused.build(e, (x) => compileNode(x, input, opts));
  if (fused) {
    // Leaves other than columns are computed over the batch: only for the kept rows.
    const needsActive = fused.leafExprs.some((x) => x.kind !== 'column');
    return { column, kind: 'fused', fused, needsActive };
  }
  return { column, kind: 'node', node: compileNode(e, input, opts) };
}

/** Whether an expression may be NULL (conservative: true unless it clearly cannot). */
export function nullable(e: BoundExpression, input: readonly ColumnSchema[]): boolean {
  switch (e.kind) {
    case 'constant': return e.value === null;
    case 'column': return input[e.index]?.nullable ?? true;
    case 'is-null': return false;
    case 'cast': return nullable(e.expr, input);
    case 'not': return nullable(e.arg, input);
    case 'call': return !e.fn.strict || e.args.some((a) => nullable(a, input))
      || !['+', '-', '*', '/', '%', 'mod', '=', '<>', '<', '<=', '>', '>=', 'abs', '~~', '~~*', '||'].includes(e.fn.name);
    case 'and': case 'or': return e.args.some((a) => nullable(a, input));
    case 'coalesce': return e.args.every((a) => nullable(a, input));
    case 'case': return e.whens.some((w) => nullable(w.then, input)) || nullable(e.else, input);
    default: return true;
  }
}

/** Everything a projection needs, compiled once. */
class Projector {
  readonly items: CompiledItem[];
  readonly columns: ColumnSchema[];
  readonly schema: Schema;
  readonly struct: Struct;
  /** Input columns read by the items computed by nodes (gathered first in 'early'). */
  private readonly nodeReads: number[];
  private readonly anyNode: boolean;
  private readonly anyActive: boolean;

  constructor(items: readonly ProjectionItem[], private readonly input: readonly ColumnSchema[], private readonly ctx: EvalContext,
    opts: CompileOptions) {
    this.items = items.map((it) => compileItem(it, input, opts));
    this.columns = this.items.map((c) => c.column);
    this.schema = projectionSchema(this.columns);
    this.struct = structOf(this.schema);
    const reads = new Set<number>();
    items.forEach((it, k) => { if (this.items[k]!.kind === 'node') referencedColumns(it.expr, reads); });
    this.nodeReads = [...reads].sort((a, b) => a - b);
    this.anyNode = this.items.some((c) => c.kind === 'node');
    this.anyActive = this.items.some((c) => c.kind === 'node' || (c.kind === 'fused' && c.needsActive));
  }

  /**
   * The output batch of the rows in `sel` (null: every row) of the frame's batch. The
   * frame's failures so far (the predicate's) are already out of `sel`.
   */
  run(f: Frame, batch: RecordBatch, sel: Int32Array | null, strategy: FilterStrategy, onRowError: RowErrorHandler | undefined,
    scratch: Scratch): RecordBatch {
    const n = f.n;
    const m = sel === null ? n : sel.length;
    const active = sel !== null && this.anyActive ? maskOf(sel, n, scratch) : null;
    const early = sel !== null && this.anyNode && (strategy === 'early' || (strategy === 'auto' && m < n * EARLY_BELOW));
    let g: Frame | null = null;
    const out: Data[] = [];
    for (const item of this.items) {
      const type = item.column.type;
      switch (item.kind) {
        case 'column': {
          const data = batch.data.children[item.index]!;
          out.push(sel === null ? data : gatherData(data, this.input[item.index]!, sel));
          break;
        }
        case 'fused':
          out.push(dataFromCol(item.fused.evaluate(f, item.needsActive ? active : null, sel, FRESH), type, m));
          break;
        case 'node': {
          if (early) {
            g ??= this.compacted(f, sel!, onRowError, scratch);
            const c = remapErrors(sel!, () => item.node.eval(g!, null));
            out.push(dataFromCol(detach(c, scratch), type, m));
          } else {
            const c = item.node.eval(f, active);
            out.push(sel === null || c.isScalar ? dataFromCol(detach(c, scratch), type, m)
              : dataFromCol(gatherVec(c, type, sel, m, FRESH), type, m));
          }
          break;
        }
      }
    }
    // Rows that failed in the projection leave the output.
    let failed = f.failed;
    if (g?.failed) {
      failed ??= new Uint8Array(n);
      for (let q = 0; q < m; q++) if (g.failed[q]) failed[sel![q]!] = 1;
    }
    if (failed === null) return makeBatch(this.schema, this.struct, m, out);
    const { data, length } = dropFailed(out, this.columns, sel ?? identity(n), failed);
    return makeBatch(this.schema, this.struct, length, data);
  }

  /** A frame of the kept rows of the columns the node items read. */
  private compacted(f: Frame, sel: Int32Array, onRowError: RowErrorHandler | undefined, scratch: Scratch): Frame {
    const m = sel.length;
    const cols: (Vec | undefined)[] = [];
    for (const i of this.nodeReads) cols[i] = gatherVec(f.column(i), this.input[i]!.type, sel, m, scratch);
    // Failures are reported with their batch row.
    const handler = onRowError ? (row: number, err: Parameters<RowErrorHandler>[1]) => onRowError(sel[row]!, err) : null;
    return new Frame(m, null, this.input, f.params, this.ctx, handler, scratch, cols);
  }
}

/** Runs f, translating the row of a thrown error through a row map. */
function remapErrors<T>(rowMap: Int32Array, f: () => T): T {
  try {
    return f();
  } catch (err) {
    const row = errorRow(err);
    if (row !== undefined) throw atRow(err, rowMap[row]!);
    throw err;
  }
}

/** Output rows (rows[k] is output row k's batch row) without the failed ones. */
function dropFailed(out: Data[], columns: readonly ColumnSchema[], rows: Int32Array, failed: Uint8Array): { data: Data[]; length: number } {
  const keep = new Int32Array(rows.length);
  let m = 0;
  for (let k = 0; k < rows.length; k++) if (!failed[rows[k]!]) keep[m++] = k;
  if (m === rows.length) return { data: out, length: m };
  const sel = keep.subarray(0, m);
  return { data: out.map((d, i) => gatherData(d, columns[i]!, sel)), length: m };
}

export function compileProjection(items: readonly ProjectionItem[], input: readonly ColumnSchema[], ctx: EvalContext,
  opts: CompileOptions = {}): CompiledProjection {
  const p = new Projector(items, input, ctx, opts);
  const scratch = new Scratch();
  return {
    columns: p.columns,
    schema: p.schema,
    project(batch, params = [], options = {}) {
      const n = batch.numRows;
      scratch.reset();
      const f = new Frame(n, batch, input, params, ctx, options.onRowError ?? null, scratch);
      const sel = options.selection ?? null;
      if (sel !== null && sel.length === 0) return emptyBatch(p.schema, p.struct, p.columns);
      return p.run(f, batch, sel !== null && sel.length === n ? null : sel, options.strategy ?? 'late', options.onRowError, scratch);
    },
  };
}

export function compileFilterProject(predicate: BoundExpression | null, items: readonly ProjectionItem[],
  input: readonly ColumnSchema[], ctx: EvalContext, opts: CompileOptions = {}): CompiledFilterProject {
  const pred = predicate ? new Predicate(predicate, input, opts) : null;
  const p = new Projector(items, input, ctx, opts);
  const scratch = new Scratch();
  return {
    columns: p.columns,
    schema: p.schema,
    run(batch, params = [], options = {}) {
      const n = batch.numRows;
      scratch.reset();
      const f = new Frame(n, batch, input, params, ctx, options.onRowError ?? null, scratch);
      let sel: Int32Array | null = pred ? pred.select(f, scratch) : null;
      if (sel !== null && sel.length === n) sel = null;
      if (sel !== null && sel.length === 0) return emptyBatch(p.schema, p.struct, p.columns);
      return p.run(f, batch, sel, options.strategy ?? 'auto', options.onRowError, scratch);
    },
  };
}
