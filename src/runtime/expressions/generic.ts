/**
 * The generic kernels: one call of the scalar function (or castValue) per row, reading
 * operands in their in-memory form and building the result with a ColumnBuilder.
 * Correct for every function and type, and 10-100x slower than the typed-array loops of
 * ./kernels.ts; every path here is the slow path.
 */
import { castValue } from '../../functions/cast.js';
import type { ScalarFunction } from '../../functions/scalar-function.js';
import type { SqlType } from '../../types/sql-type.js';
import { ColumnBuilder, type Col, firstActive, isActive, NULL_SCALAR, readValue, Scalar } from './columns.js';
import { type Frame, settled } from './frame.js';

/**
 * Marks every active row as failed with the same error (an operation on scalars failed):
 * throws at the first active row, or records them all. Returns when no row is active.
 */
export function failActive(f: Frame, active: Uint8Array | null, err: unknown): void {
  if (!f.collecting) {
    const first = firstActive(active, f.n);
    if (first >= 0) f.fail(first, err);
    return;
  }
  for (let i = 0; i < f.n; i++) if (isActive(active, i)) f.fail(i, err);
}

/** A function of scalars only: called once for the batch. */
export function scalarCall(f: Frame, fn: ScalarFunction, values: unknown[], active: Uint8Array | null): Col {
  if (fn.strict && values.includes(null)) return NULL_SCALAR;
  if (firstActive(active, f.n) < 0) return NULL_SCALAR;
  try {
    return new Scalar(settled(fn.impl(values, f.ctx), fn.name) ?? null);
  } catch (err) {
    failActive(f, active, err);
    return NULL_SCALAR;
  }
}

/** Row i of a call, in its in-memory form; failures are reported and give NULL. */
export function callRow(f: Frame, fn: ScalarFunction, args: readonly Col[], types: readonly SqlType[], i: number): unknown {
  const values = new Array<unknown>(args.length);
  for (let k = 0; k < args.length; k++) {
    const v = readValue(args[k]!, types[k]!, i);
    if (v === null && fn.strict) return null;
    values[k] = v;
  }
  try {
    return settled(fn.impl(values, f.ctx), fn.name) ?? null;
  } catch (err) {
    f.fail(i, err);
    return null;
  }
}

/** Any function, row by row. Only active rows are computed (the others are NULL). */
export function genericCall(f: Frame, fn: ScalarFunction, args: readonly Col[], types: readonly SqlType[],
  out: SqlType, active: Uint8Array | null): Col {
  let allScalar = true;
  for (const a of args) {
    if (!a.isScalar) allScalar = false;
    else if (a.value === null && fn.strict) return NULL_SCALAR;
  }
  if (allScalar && fn.volatility !== 'volatile') return scalarCall(f, fn, args.map((a) => (a as Scalar).value), active);
  const n = f.n;
  const b = new ColumnBuilder(out, n);
  for (let i = 0; i < n; i++) {
    if (!isActive(active, i)) b.setNull(i);
    else setRow(f, b, i, callRow(f, fn, args, types, i));
  }
  return b.finish();
}

/** Row i of a result; a value the column cannot hold (an infinite timestamp) fails the row. */
function setRow(f: Frame, b: ColumnBuilder, i: number, v: unknown): void {
  try {
    b.set(i, v);
  } catch (err) {
    f.fail(i, err);
    b.setNull(i);
  }
}

/** One value cast; failures are reported and give NULL. */
export function castRow(f: Frame, v: unknown, from: SqlType, to: SqlType, i: number): unknown {
  if (v === null) return null;
  try {
    return castValue(v, from, to, f.ctx.format);
  } catch (err) {
    f.fail(i, err);
    return null;
  }
}

/** CAST row by row. */
export function genericCast(f: Frame, col: Col, from: SqlType, to: SqlType, active: Uint8Array | null): Col {
  if (col.isScalar) {
    if (col.value === null || firstActive(active, f.n) < 0) return NULL_SCALAR;
    try {
      return new Scalar(castValue(col.value, from, to, f.ctx.format));
    } catch (err) {
      failActive(f, active, err);
      return NULL_SCALAR;
    }
  }
  const n = f.n;
  const b = new ColumnBuilder(to, n);
  for (let i = 0; i < n; i++) {
    if (!isActive(active, i)) b.setNull(i);
    else setRow(f, b, i, castRow(f, readValue(col, from, i), from, to, i));
  }
  return b.finish();
}
