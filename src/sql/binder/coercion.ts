import type { SqlType, TypeKind } from '../../types/sql-type.js';

/** Position of each numeric type in the widening chain int2 → ... → float8. */
const numericRank: Partial<Record<TypeKind, number>> = {
  int2: 1, int4: 2, int8: 3, numeric: 4, float4: 5, float8: 6,
};

const stringKinds = new Set<TypeKind>(['text', 'varchar', 'bpchar', 'name']);

/**
 * Cost of an implicit cast from one type to another, or Infinity when there is none.
 * Function and operator resolution picks the overload with the lowest total cost,
 * which reproduces Postgres's choices for the built-in types: `1 + 1.5` is numeric,
 * `'1' + 1` is integer, `'a' || 'b'` is text, `sqrt(2)` is double precision.
 */
export function implicitCastCost(from: SqlType, to: SqlType): number {
  if (from.kind === to.kind) return 0;
  if (from.kind === 'unknown') return to.kind === 'text' ? 1 : 2;
  const a = numericRank[from.kind];
  const b = numericRank[to.kind];
  if (a !== undefined && b !== undefined) {
    if (b <= a) return Infinity;
    // float8 is Postgres's preferred numeric type: an integer goes there a little more
    // cheaply than to numeric, so sqrt(2) is double precision while 1 + 1.5 stays numeric.
    if (to.kind === 'float8' && a < numericRank.numeric!) return numericRank.numeric! - a - 0.5;
    return b - a;
  }
  if (stringKinds.has(from.kind) && to.kind === 'text') return 1;
  // timestamptz is the preferred date and time type: date_trunc('month', a_date) is a
  // timestamptz in Postgres, while a date compared with a timestamp becomes a timestamp.
  if (from.kind === 'date') return to.kind === 'timestamp' ? 1 : to.kind === 'timestamptz' ? 0.5 : Infinity;
  if (from.kind === 'timestamp' && to.kind === 'timestamptz') return 1;
  if (from.kind === 'json' && to.kind === 'jsonb') return Infinity;
  return Infinity;
}

const datetimeKinds = new Set<TypeKind>(['date', 'timestamp', 'timestamptz']);

/**
 * Whether a value may be stored in a column of another type (Postgres's assignment
 * casts): implicit casts, any number to any number, dates and timestamps among each
 * other, and anything into a text column.
 */
export function assignmentCastAllowed(from: SqlType, to: SqlType): boolean {
  return implicitCastCost(from, to) < Infinity
    || (numericRank[from.kind] !== undefined && numericRank[to.kind] !== undefined)
    || (datetimeKinds.has(from.kind) && datetimeKinds.has(to.kind))
    || stringKinds.has(to.kind);
}

/**
 * The common type of several expressions that must agree (CASE branches, COALESCE,
 * IN lists, VALUES columns, UNION): the one all others cast to most cheaply.
 */
export function commonType(types: readonly SqlType[]): SqlType | undefined {
  const known = types.filter((t) => t.kind !== 'unknown');
  if (known.length === 0) return types[0];
  let best: SqlType | undefined;
  let bestCost = Infinity;
  for (const candidate of known) {
    let cost = 0;
    for (const t of types) cost += implicitCastCost(t, candidate);
    if (cost < bestCost) {
      best = candidate;
      bestCost = cost;
    }
  }
  return bestCost === Infinity ? undefined : best;
}
