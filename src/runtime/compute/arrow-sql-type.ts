import { DataType, DateUnit, type Field, Precision, TimeUnit } from 'apache-arrow';
import { SabotError, SqlState } from '../../errors.js';
import { Types, type SqlType } from '../../types/sql-type.js';
import { arrowType } from '../arrow-types.js';

/**
 * The SQL type of an Arrow column laid out as arrow-types.ts lays out SQL types. Utf8 is
 * text: a NUMERIC, INTERVAL or JSONB column travels as text and reads as text here.
 */
export function sqlTypeOfArrow(type: DataType): SqlType {
  if (DataType.isBool(type)) return Types.bool;
  if (DataType.isInt(type) && type.isSigned) {
    if (type.bitWidth === 16) return Types.int2;
    if (type.bitWidth === 32) return Types.int4;
    if (type.bitWidth === 64) return Types.int8;
  }
  if (DataType.isFloat(type)) {
    if (type.precision === Precision.SINGLE) return Types.float4;
    if (type.precision === Precision.DOUBLE) return Types.float8;
  }
  if (DataType.isUtf8(type)) return Types.text;
  if (DataType.isBinary(type)) return Types.bytea;
  if (DataType.isTimestamp(type) && type.unit === TimeUnit.MICROSECOND) return type.timezone ? Types.timestamptz : Types.timestamp;
  if (DataType.isDate(type) && type.unit === DateUnit.DAY) return Types.date;
  throw new SabotError(SqlState.featureNotSupported, `Arrow type ${String(type)} has no SQL type in Sabot`, {
    hint: 'Use Bool, Int16, Int32, Int64, Float32, Float64, Utf8, Binary, Timestamp (microseconds) or DateDay columns.',
  });
}

/** The SQL type of a batch's field: the one Sabot recorded in its metadata, else the one its Arrow type maps to. */
export function sqlTypeOfField(field: Field): SqlType {
  const kind = field.metadata.get('sabot.sql_type');
  const recorded = kind === undefined ? undefined : (Types as Record<string, SqlType>)[kind];
  if (recorded && kind !== 'void' && arrowType(recorded).typeId === field.type.typeId) return recorded;
  return sqlTypeOfArrow(field.type);
}
