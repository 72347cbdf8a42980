import type { Volatility } from '../functions/scalar-function.js';
import { isTextual, type SqlType, type TypeKind } from '../types/sql-type.js';

/**
 * Types whose text form, in or out, depends on the session (FormatSettings): the
 * TimeZone, IntervalStyle, extra_float_digits, or the clock for input such as 'now'.
 */
const SESSION_DEPENDENT_TEXT = new Set<TypeKind>(['float4', 'float8', 'timestamp', 'timestamptz', 'date', 'time', 'interval']);

/**
 * The volatility of CAST(from AS to), as Postgres marks its cast functions: stable when
 * castValue (functions/cast.ts) reads the session's settings for it, else immutable.
 */
export function castVolatility(from: SqlType, to: SqlType): Volatility {
  if (from.kind === to.kind || (isTextual(from) && isTextual(to))) return 'immutable';
  if (isTextual(from)) return SESSION_DEPENDENT_TEXT.has(to.kind) ? 'stable' : 'immutable';
  if (isTextual(to)) return SESSION_DEPENDENT_TEXT.has(from.kind) ? 'stable' : 'immutable';
  // Between timestamptz and the zone-less types the TimeZone decides.
  return from.kind === 'timestamptz' || to.kind === 'timestamptz' ? 'stable' : 'immutable';
}
