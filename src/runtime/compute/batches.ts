import { Field, type RecordBatch, type Schema, type Vector } from 'apache-arrow';
import { SabotError, SqlState } from '../../errors.js';
import { typeByName } from '../../types/sql-type.js';
import { assembly, clearTarget, placePart } from '../batch-assembly.js';
import { readPackedBatch, shapeOf } from '../batch-transfer.js';
import { Scalar, vectorFromCol } from '../expressions/columns.js';
import { sqlTypeOfArrow } from './arrow-sql-type.js';
import { batchOf, onlyChunk, type ScalarValue, scalarType, scalarValue } from './datum.js';

/**
 * A column of `length` rows all holding `value`, of the type a literal of it has
 * (compute/datum.ts: integer, bigint, double precision, boolean, timestamptz for a
 * Date, text for a string) or of the SQL type named by `type` ('bigint', 'real', ...).
 */
export function constant(value: ScalarValue, length: number, type?: string): Vector {
  let sqlType = scalarType(value);
  if (type !== undefined) {
    const named = typeByName(type);
    if (!named) throw new SabotError(SqlState.undefinedObject, `type "${type}" does not exist`);
    sqlType = named;
  } else if (sqlType.kind === 'unknown' && typeof value === 'string') {
    sqlType = typeByName('text')!;
  }
  if (sqlType.kind === 'unknown') throw new SabotError(SqlState.invalidParameterValue, 'compute.constant(null, n) needs a type: constant(null, n, \'bigint\')');
  if (!(Number.isInteger(length) && length >= 0)) throw new SabotError(SqlState.invalidParameterValue, `compute.constant: length must be a count of rows, not ${length}`);
  return vectorFromCol(new Scalar(value === null ? null : scalarValue(value, sqlType)), sqlType, length);
}

/** The batch with one more column, `name`, at the end (its SQL type recorded as Sabot's batches record it). */
export function appendColumn(batch: RecordBatch, name: string, column: Vector): RecordBatch {
  if (column.length !== batch.numRows) {
    throw new SabotError(SqlState.invalidParameterValue, `compute.appendColumn: column "${name}" has ${column.length} rows, the batch ${batch.numRows}`);
  }
  const field = new Field(name, column.type, true, new Map([['sabot.sql_type', sqlTypeOfArrow(column.type).kind]]));
  return batchOf([...batch.schema.fields, field], [...batch.data.children, onlyChunk(column, 'compute.appendColumn')], batch.numRows);
}

/** One batch of the rows of `batches` in order, all of the schema `schema` (copied once, by the morsel pool's assembly). */
export function concatBatches(schema: Schema, batches: readonly RecordBatch[]): RecordBatch {
  const { layout, places } = assembly(schema, batches.map(shapeOf));
  const target = new SharedArrayBuffer(layout.bytes);
  clearTarget(target, schema, layout);
  batches.forEach((b, i) => placePart(b, target, layout, places[i]!));
  return readPackedBatch(schema, target, 0, layout);
}
