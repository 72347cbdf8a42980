import { makeData, RecordBatch, Schema, Struct, Vector, type Data, type Field } from 'apache-arrow';
import { SabotError, SqlState } from '../../errors.js';
import { Types, type SqlType } from '../../types/sql-type.js';

/** A value given to a compute function for every row: JavaScript's form of a SQL constant. */
export type ScalarValue = number | bigint | string | boolean | Date | null;

/** An argument of a compute function: a column (an Arrow Vector) or one value for every row. */
export type Datum = Vector | ScalarValue;

const INT4_MIN = -2147483648;
const INT4_MAX = 2147483647;

/**
 * The SQL type of a scalar, as a literal of it would have: integers are integer (bigint
 * beyond 32 bits), other numbers double precision, a Date timestamptz; a string is
 * untyped (like '2024-01-01' in SQL, it takes the type it is compared with), as is null.
 */
export function scalarType(value: ScalarValue): SqlType {
  switch (typeof value) {
    case 'number': return Number.isInteger(value) ? (value >= INT4_MIN && value <= INT4_MAX ? Types.int4 : Types.int8) : Types.float8;
    case 'bigint': return Types.int8;
    case 'boolean': return Types.bool;
    case 'string': return Types.unknown;
    default: return value instanceof Date ? Types.timestamptz : Types.unknown;
  }
}

/** A scalar in the in-memory form of its type (sql-type.ts). */
export function scalarValue(value: ScalarValue, type: SqlType): unknown {
  if (value instanceof Date) return value.getTime() * 1000;
  if (type.kind === 'int8' && typeof value === 'number') return BigInt(value);
  return value;
}

/** The one chunk of a Vector: kernels read whole columns. */
export function onlyChunk(v: Vector, what: string): Data {
  if (v.data.length !== 1) {
    throw new SabotError(SqlState.featureNotSupported, `${what}: a Vector of ${v.data.length} chunks is not supported (use the columns of one RecordBatch)`);
  }
  return v.data[0]!;
}

/** A record batch of these columns (each of one chunk, all as long). */
export function batchOf(fields: Field[], columns: readonly Data[], length: number): RecordBatch {
  const schema = new Schema(fields);
  return new RecordBatch(schema, makeData({ type: new Struct(fields), length, nullCount: 0, children: [...columns] }));
}

export function isVector(d: unknown): d is Vector {
  return d instanceof Vector;
}
