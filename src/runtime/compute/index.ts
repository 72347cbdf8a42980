/**
 * Vectorized compute functions over Arrow Vectors and scalars, named as in
 * pyarrow.compute. Each runs the kernels SQL runs: the call is bound as the SQL
 * expression it stands for (`greater(a, b)` is `a > b`, with SQL's overloads, implicit
 * casts and NULL rules) and compiled by the expression compiler once per combination of
 * argument types. and_ and or_ follow SQL's three-valued logic (pyarrow's and_kleene,
 * or_kleene): false AND NULL is false, true OR NULL is true. Scalars: see datum.ts.
 */
import type { Vector } from 'apache-arrow';
import type { BinaryOperator, Expression } from '../../sql/ast.js';
import type { Datum } from './datum.js';
import { sqlCall } from './sql-call.js';

export type { Datum, ScalarValue } from './datum.js';
export { appendColumn, concatBatches, constant } from './batches.js';
export { filter, take } from './selection.js';

function operator(op: BinaryOperator, a: Datum, b: Datum): Vector {
  return sqlCall(op, [a, b], ([left, right]) => ({ kind: 'binary', op, left: left!, right: right!, pos: 0 }));
}

function isNull(x: Datum, negated: boolean): Vector {
  return sqlCall(negated ? 'is_valid' : 'is_null', [x], ([expr]) => ({ kind: 'is', expr: expr!, negated, test: 'null', pos: 0 } satisfies Expression));
}

/** a > b. */
export function greater(a: Datum, b: Datum): Vector { return operator('>', a, b); }
/** a >= b. */
export function greater_equal(a: Datum, b: Datum): Vector { return operator('>=', a, b); }
/** a < b. */
export function less(a: Datum, b: Datum): Vector { return operator('<', a, b); }
/** a <= b. */
export function less_equal(a: Datum, b: Datum): Vector { return operator('<=', a, b); }
/** a = b. */
export function equal(a: Datum, b: Datum): Vector { return operator('=', a, b); }
/** a <> b. */
export function not_equal(a: Datum, b: Datum): Vector { return operator('<>', a, b); }
/** a + b (an integer overflow is an error, as in SQL). */
export function add(a: Datum, b: Datum): Vector { return operator('+', a, b); }
/** a - b. */
export function subtract(a: Datum, b: Datum): Vector { return operator('-', a, b); }
/** a * b. */
export function multiply(a: Datum, b: Datum): Vector { return operator('*', a, b); }
/** a / b: integers divide to an integer (truncated); division by zero is an error. */
export function divide(a: Datum, b: Datum): Vector { return operator('/', a, b); }
/** a AND b, three-valued. */
export function and_(a: Datum, b: Datum): Vector { return operator('and', a, b); }
/** a OR b, three-valued. */
export function or_(a: Datum, b: Datum): Vector { return operator('or', a, b); }
/** NOT x. */
export function invert(x: Datum): Vector {
  return sqlCall('invert', [x], ([operand]) => ({ kind: 'unary', op: 'not', operand: operand!, pos: 0 }));
}
/** x IS NULL: true or false, never NULL. */
export function is_null(x: Datum): Vector { return isNull(x, false); }
/** x IS NOT NULL. */
export function is_valid(x: Datum): Vector { return isNull(x, true); }
