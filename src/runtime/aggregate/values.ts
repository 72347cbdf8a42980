/**
 * Values of one column as JS values, for the aggregates that keep values rather than
 * numbers in typed arrays (DISTINCT sets, min/max of text, numeric and interval, exact
 * sums). Forms: number for the small numeric types and dates; number for int8 and
 * timestamps when exact, else bigint; string for text; Decimal; Interval; boolean.
 */
import type { Data } from 'apache-arrow';
import { SabotError, SqlState } from '../../errors.js';
import { comparatorFor, type Comparator } from '../../functions/comparison.js';
import { Decimal } from '../../types/decimal.js';
import { Interval } from '../../types/interval.js';
import { isTextual, type SqlType } from '../../types/sql-type.js';
import { arrowType } from '../arrow-types.js';
import { bitSet, boolData, fixedData, int64At, int64Words, stringData, textAt, validityOf } from './arrow-access.js';

export type ValueLayout = 'number' | 'int64' | 'text' | 'numeric' | 'interval' | 'bool';

export function valueLayoutOf(type: SqlType): ValueLayout {
  switch (type.kind) {
    case 'int2': case 'int4': case 'oid': case 'date': case 'float4': case 'float8': return 'number';
    case 'int8': case 'time': case 'timestamp': case 'timestamptz': return 'int64';
    case 'numeric': return 'numeric';
    case 'interval': return 'interval';
    case 'bool': return 'bool';
    default:
      if (isTextual(type)) return 'text';
      throw new SabotError(SqlState.featureNotSupported, `aggregates over type ${type.name} are not supported in dataflows`);
  }
}

/** A reader of row i of a column of `type` (not NULL) in its value form. */
export function valueReader(type: SqlType, data: Data): (i: number) => unknown {
  switch (valueLayoutOf(type)) {
    case 'number': {
      const v = data.values as ArrayLike<number>;
      return (i) => v[i];
    }
    case 'int64': {
      const words = int64Words(data);
      const v = data.values as BigInt64Array;
      return (i) => {
        const n = int64At(words, i);
        return Number.isSafeInteger(n) ? n : v[i]!;
      };
    }
    case 'text': return (i) => textAt(data, i);
    case 'numeric': return (i) => Decimal.parse(textAt(data, i));
    case 'interval': return (i) => Interval.parse(textAt(data, i));
    case 'bool': {
      const bits = data.values as Uint8Array;
      return (i) => bitSet(bits, data.offset + i);
    }
  }
}

/** Whether row i of the column is not NULL. */
export function validReader(data: Data): (i: number) => boolean {
  const valid = validityOf(data);
  const off = data.offset;
  return valid === null ? () => true : (i) => bitSet(valid, off + i);
}

/** What makes two values the same value (1.0 and 1.00 are the same numeric; '1 day' and '24 hours' the same interval). */
export function valueKey(v: unknown): unknown {
  return v instanceof Decimal || v instanceof Interval ? v.hashKey() : v;
}

/** A value as text (a DISTINCT set's element in a partial row). */
export function valueText(v: unknown): string {
  return typeof v === 'boolean' ? (v ? 't' : 'f') : String(v);
}

export function parseValue(type: SqlType, text: string): unknown {
  switch (valueLayoutOf(type)) {
    case 'number': return Number(text);
    case 'int64': {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : BigInt(text);
    }
    case 'text': return text;
    case 'numeric': return Decimal.parse(text);
    case 'interval': return Interval.parse(text);
    case 'bool': return text === 't';
  }
}

/** The ordering of values of `type` (NaN above every number, as in Postgres). */
export function valueComparator(type: SqlType): Comparator {
  if (valueLayoutOf(type) === 'int64') {
    return (a, b) => {
      const x = typeof a === 'bigint' || typeof b === 'bigint' ? BigInt(a as number) : a as number;
      const y = typeof a === 'bigint' || typeof b === 'bigint' ? BigInt(b as number) : b as number;
      return x < y ? -1 : x > y ? 1 : 0;
    };
  }
  return comparatorFor(type)!;
}

/** A column of `type` from values in their forms (null is NULL); numbers and bigints become numeric text for a numeric column. */
export function valueColumn(type: SqlType, values: readonly unknown[], n: number): Data {
  const arrow = arrowType(type);
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) valid[i] = values[i] === null || values[i] === undefined ? 0 : 1;
  switch (valueLayoutOf(type)) {
    case 'number': {
      const out = new (arrow.ArrayType as Float64ArrayConstructor)(n);
      for (let i = 0; i < n; i++) out[i] = valid[i] ? Number(values[i]) : 0;
      return fixedData(arrow, out, n, valid);
    }
    case 'int64': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (valid[i]) out[i] = typeof v === 'bigint' ? BigInt.asIntN(64, v) : BigInt(v as number);
      }
      return fixedData(arrow, out, n, valid);
    }
    case 'bool': {
      const flags = new Uint8Array(n);
      for (let i = 0; i < n; i++) flags[i] = values[i] === true ? 1 : 0;
      return boolData(arrow, flags, n, valid);
    }
    default:
      return stringData(arrow, values.map((v) => (v === null || v === undefined ? null : String(v))), n);
  }
}
