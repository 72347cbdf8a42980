import { SabotError, SqlState } from '../errors.js';
import { timestampToTimestamptz, timestamptzToTimestamp } from '../types/datetime.js';
import { Decimal } from '../types/decimal.js';
import { isTextual, type SqlType, type TypeKind } from '../types/sql-type.js';
import { formatText, parseText, type FormatSettings } from '../types/text-format.js';

const MICROS_PER_DAY = 86_400_000_000;

const intRange: Partial<Record<TypeKind, [number, number, string]>> = {
  int2: [-32768, 32767, 'smallint'],
  int4: [-2147483648, 2147483647, 'integer'],
  oid: [0, 4294967295, 'oid'],
};

function outOfRange(typeName: string): SabotError {
  return new SabotError(SqlState.numericValueOutOfRange, `${typeName} out of range`);
}

function cannotCast(from: SqlType, to: SqlType): SabotError {
  return new SabotError(SqlState.cannotCoerce, `cannot cast type ${from.name} to ${to.name}`);
}

/** A number to a small integer type, rounding halves to even as Postgres's rint does. */
function toSmallInt(v: number, to: TypeKind): number {
  const [lo, hi, name] = intRange[to]!;
  let r = Math.round(v);
  if (Math.abs(v % 1) === 0.5 && r % 2 !== 0) r -= 1;
  if (!(r >= lo && r <= hi)) throw outOfRange(name);
  return r;
}

function toInt8(v: number | bigint | Decimal): bigint {
  let n: bigint;
  if (typeof v === 'bigint') n = v;
  else if (v instanceof Decimal) {
    if (!v.isFinite()) throw outOfRange('bigint');
    n = BigInt(v.round(0).toString());
  } else {
    if (!Number.isFinite(v)) throw outOfRange('bigint');
    let r = Math.round(v);
    if (Math.abs(v % 1) === 0.5 && r % 2 !== 0) r -= 1;
    n = BigInt(r);
  }
  if (n < -9223372036854775808n || n > 9223372036854775807n) throw outOfRange('bigint');
  return n;
}

function toFloat(v: number | bigint | Decimal, to: TypeKind): number {
  const f = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : v.toNumber();
  if (to === 'float8') return f;
  const r = Math.fround(f);
  if (!Number.isFinite(r) && Number.isFinite(f)) throw new SabotError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
  return r;
}

function toDecimal(v: number | bigint | Decimal, from: TypeKind): Decimal {
  if (v instanceof Decimal) return v;
  if (typeof v === 'bigint') return Decimal.fromBigInt(v);
  // Floats become the decimal text Postgres prints for them; ints are exact.
  return from === 'float4' || from === 'float8' ? Decimal.fromNumber(v) : Decimal.fromBigInt(BigInt(v));
}

const numericKinds = new Set<TypeKind>(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid']);

/**
 * Converts a value of one type to another, as CAST does. NULL stays NULL. Strings go
 * through the target type's input function and anything but a boolean becomes text
 * through its output function, so `'12'::int` and `12::text` behave as in Postgres.
 */
export function castValue(value: unknown, from: SqlType, to: SqlType, settings: FormatSettings): unknown {
  if (value === null) return null;
  if (from.kind === to.kind) return value;
  if (isTextual(to)) {
    if (isTextual(from)) return value;
    // The one cast to text that is not the output function: true::text is 'true', not 't'.
    if (from.kind === 'bool') return value ? 'true' : 'false';
    return formatText(from, value, settings);
  }
  if (isTextual(from)) return parseText(to, value as string, settings);
  if (numericKinds.has(from.kind) && numericKinds.has(to.kind)) {
    const v = value as number | bigint | Decimal;
    switch (to.kind) {
      case 'int2':
      case 'int4':
      case 'oid':
        if (typeof v === 'number' && Number.isInteger(v)) {
          const [lo, hi, name] = intRange[to.kind]!;
          if (v < lo || v > hi) throw outOfRange(name);
          return v;
        }
        return toSmallInt(typeof v === 'bigint' ? Number(v) : v instanceof Decimal ? v.round(0).toNumber() : v, to.kind);
      case 'int8':
        return toInt8(v);
      case 'float4':
      case 'float8':
        return toFloat(v, to.kind);
      case 'numeric':
        return toDecimal(v, from.kind);
    }
  }
  switch (`${from.kind}>${to.kind}`) {
    case 'bool>int4': return value ? 1 : 0;
    case 'int4>bool': return value !== 0;
    case 'date>timestamp': return (value as number) * MICROS_PER_DAY;
    case 'timestamp>date': return Math.floor((value as number) / MICROS_PER_DAY);
    case 'date>timestamptz': return timestampToTimestamptz((value as number) * MICROS_PER_DAY, settings.timeZone);
    case 'timestamptz>date':
      return Math.floor(timestamptzToTimestamp(value as number, settings.timeZone) / MICROS_PER_DAY);
    case 'timestamp>timestamptz': return timestampToTimestamptz(value as number, settings.timeZone);
    case 'timestamptz>timestamp': return timestamptzToTimestamp(value as number, settings.timeZone);
    case 'timestamp>time':
    case 'timestamptz>time': {
      const local = from.kind === 'timestamptz' ? timestamptzToTimestamp(value as number, settings.timeZone) : value as number;
      return ((local % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY;
    }
    case 'json>jsonb':
    case 'jsonb>json':
      return parseText(to, formatText(from, value, settings), settings);
  }
  throw cannotCast(from, to);
}
