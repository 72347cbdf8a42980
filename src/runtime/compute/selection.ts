import { DataType, type Field, makeVector, RecordBatch, type Vector } from 'apache-arrow';
import { SabotError, SqlState } from '../../errors.js';
import { Types, type SqlType } from '../../types/sql-type.js';
import { arrowSchema } from '../arrow-types.js';
import { dataFromCol, gatherVec, vecFromData } from '../expressions/columns.js';
import { compileFilter } from '../expressions/index.js';
import { dataflowEvalContext } from '../operator-chain.js';
import { sqlTypeOfArrow, sqlTypeOfField } from './arrow-sql-type.js';
import { batchOf, onlyChunk } from './datum.js';

const maskColumn = [{ name: 'mask', type: Types.bool, nullable: true }];
/** The filter SQL's WHERE compiles to, over one boolean column. */
const maskFilter = compileFilter({ kind: 'column', type: Types.bool, index: 0, name: 'mask' }, maskColumn,
  dataflowEvalContext(new AbortController().signal));
const maskFields = arrowSchema(maskColumn).fields;

/** The rows of each column at `indices`, with the projection's gather kernel. */
function gather<T extends RecordBatch | Vector>(values: T, indices: Int32Array, what: string): T {
  const m = indices.length;
  const pick = (v: Vector, type: SqlType) => dataFromCol(gatherVec(vecFromData(onlyChunk(v, what), type), type, indices, m), type, m);
  if (values instanceof RecordBatch) {
    const fields = values.schema.fields;
    const columns = fields.map((f, i) => pick(values.getChildAt(i)!, sqlTypeOfField(f)));
    return batchOf(fields as Field[], columns, m) as T;
  }
  const v = values as Vector;
  return makeVector(pick(v, sqlTypeOfArrow(v.type))) as unknown as T;
}

/**
 * The rows of a batch or vector where `mask` is true; rows where it is false or NULL are
 * dropped (pyarrow's null_selection_behavior 'drop', SQL's WHERE).
 */
export function filter<T extends RecordBatch | Vector>(values: T, mask: Vector): T {
  if (!DataType.isBool(mask.type)) throw new SabotError(SqlState.datatypeMismatch, `compute.filter: the mask must be a boolean Vector, not ${String(mask.type)}`);
  const rows = values instanceof RecordBatch ? values.numRows : (values as Vector).length;
  if (mask.length !== rows) throw new SabotError(SqlState.invalidParameterValue, `compute.filter: the mask has ${mask.length} rows, the values ${rows}`);
  const selection = maskFilter.selection(batchOf(maskFields, [onlyChunk(mask, 'compute.filter')], rows));
  return gather(values, selection, 'compute.filter');
}

/** The rows of a batch or vector at `indices`, in that order (an index may repeat). */
export function take<T extends RecordBatch | Vector>(values: T, indices: Vector | Int32Array | readonly number[]): T {
  const rows = values instanceof RecordBatch ? values.numRows : (values as Vector).length;
  let picked: Int32Array;
  if (indices instanceof Int32Array) picked = indices;
  else if (Array.isArray(indices)) {
    if (!(indices as readonly number[]).every(Number.isInteger)) throw new SabotError(SqlState.invalidParameterValue, 'compute.take: the indices must be integers');
    picked = Int32Array.from(indices as readonly number[]);
  }
  else {
    const v = indices as Vector;
    if (!DataType.isInt(v.type)) throw new SabotError(SqlState.datatypeMismatch, `compute.take: the indices must be integers, not ${String(v.type)}`);
    if (v.nullCount > 0) throw new SabotError(SqlState.nullValueNotAllowed, 'compute.take: the indices must not be NULL');
    picked = Int32Array.from(v.toArray() as ArrayLike<number | bigint>, Number);
  }
  for (let k = 0; k < picked.length; k++) {
    const i = picked[k]!;
    if (!(i >= 0 && i < rows)) throw new SabotError(SqlState.invalidParameterValue, `compute.take: index ${i} is out of bounds for ${rows} rows`);
  }
  return gather(values, picked, 'compute.take');
}
