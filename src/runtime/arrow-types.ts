import {
  Binary, Bool, DateDay, Field, Float32, Float64, Int16, Int32, Int64, Schema, TimestampMicrosecond, Utf8,
  type DataType,
} from 'apache-arrow';
import { SabotError, SqlState } from '../errors.js';
import type { SqlType } from '../types/sql-type.js';

/** A column of a stream or of an operator's output: its SQL name and type. */
export interface ColumnSchema {
  name: string;
  type: SqlType;
  nullable: boolean;
}

/**
 * How each SQL type is laid out in Arrow batches. Fixed-width types use typed arrays
 * (the hot path); timestamps are microseconds in an Int64 (BigInt64Array) column, UTC
 * for timestamptz; dates are days (Int32). NUMERIC, INTERVAL and JSON(B) travel as their
 * Postgres text form in Utf8 columns: exact, and rare in high-volume streams.
 */
export function arrowType(type: SqlType): DataType {
  switch (type.kind) {
    case 'bool': return new Bool();
    case 'int2': return new Int16();
    case 'int4': case 'oid': return new Int32();
    case 'int8': return new Int64();
    case 'float4': return new Float32();
    case 'float8': return new Float64();
    case 'timestamp': return new TimestampMicrosecond();
    case 'timestamptz': return new TimestampMicrosecond('UTC');
    case 'date': return new DateDay();
    case 'time': return new Int64();
    case 'bytea': return new Binary();
    case 'numeric': case 'interval': case 'json': case 'jsonb':
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'unknown':
      return new Utf8();
    case 'void':
      throw new SabotError(SqlState.featureNotSupported, 'a column cannot have type void');
  }
}

/** The Arrow schema of a list of columns; each field keeps its SQL type name in metadata. */
export function arrowSchema(columns: readonly ColumnSchema[]): Schema {
  return new Schema(columns.map((c) =>
    new Field(c.name, arrowType(c.type), c.nullable, new Map([['sabot.sql_type', c.type.kind]]))));
}
