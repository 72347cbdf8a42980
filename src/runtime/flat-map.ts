import { makeData, RecordBatch, Struct, type Field } from 'apache-arrow';
import { SabotError, SqlState, toSabotError } from '../errors.js';
import type { EvalContext } from '../functions/scalar-function.js';
import type { BoundExpression } from '../plan/expression.js';
import type { ColumnSchema } from './arrow-types.js';
import { dataFromCol, gatherVec, vecFromData } from './expressions/columns.js';
import { compileProjection, type RowErrorHandler } from './expressions/index.js';
import { projectionSchema } from './expressions/filter-project.js';
import { batchFromRows, rowsFromBatch } from './rows.js';

/**
 * A flat map: a select list whose item `setItem` is a set-returning call
 * (generate_series, regexp_split_to_table) makes one output row per value of that call,
 * the other items repeated. The other items and the call's arguments are computed in one
 * vectorized projection; each row's call then makes its values, and the other items are
 * gathered once per value with a typed-array gather.
 */
export function compileFlatMap(exprs: readonly BoundExpression[], setItem: number, columns: readonly ColumnSchema[],
  input: readonly ColumnSchema[], ctx: EvalContext): (batch: RecordBatch, onRowError?: RowErrorHandler) => RecordBatch {
  const call = exprs[setItem]!;
  if (call.kind !== 'call' || call.fn.setReturning !== true) throw new Error('a flat map needs a set-returning call');
  const others = exprs.flatMap((e, i) => (i === setItem ? [] : [{ name: columns[i]!.name, expr: e }]));
  const args = call.args.map((e, i) => ({ name: `arg ${i}`, expr: e }));
  const projection = compileProjection([...others, ...args], input, ctx);
  const projected = projection.columns;
  const argColumns = projected.slice(others.length);
  const argIndexes = argColumns.map((_, i) => others.length + i);
  const schema = projectionSchema(columns);
  const struct = new Struct(schema.fields as Field[]);
  const setColumn = columns[setItem]!;

  return (batch, onRowError) => {
    // Rows the projection fails are left out of its output: map its rows back to the input's.
    const failed: number[] = [];
    const p = projection.project(batch, [], onRowError ? { onRowError: (row, err) => { failed.push(row); onRowError(row, err); } } : {});
    const origin = new Int32Array(p.numRows);
    failed.sort((a, b) => a - b);
    for (let row = 0, j = 0, f = 0; j < p.numRows; row++) {
      if (f < failed.length && failed[f] === row) f++;
      else origin[j++] = row;
    }
    const argRows = rowsFromBatch(argColumns, p.selectAt(argIndexes));
    const take: number[] = [];
    const values: unknown[][] = [];
    for (let j = 0; j < argRows.length; j++) {
      const a = argRows[j]!;
      if (call.fn.strict && a.includes(null)) continue;
      let made: unknown;
      try {
        made = call.fn.impl(a, ctx);
        if (made instanceof Promise) throw new SabotError(SqlState.featureNotSupported, `function ${call.fn.name} cannot run inside a dataflow`);
      } catch (err) {
        if (!onRowError) throw err;
        onRowError(origin[j]!, toSabotError(err));
        continue;
      }
      for (const v of made as unknown[]) {
        take.push(j);
        values.push([v]);
      }
    }
    const indexes = Int32Array.from(take);
    const n = indexes.length;
    const setData = batchFromRows([setColumn], values).data.children[0]!;
    let other = 0;
    const children = columns.map((_, i) => {
      if (i === setItem) return setData;
      const k = other++;
      return dataFromCol(gatherVec(vecFromData(p.data.children[k]!, projected[k]!.type), projected[k]!.type, indexes, n), projected[k]!.type, n);
    });
    return new RecordBatch(schema, makeData({ type: struct, length: n, nullCount: 0, children }));
  };
}
