import { SabotError, SqlState } from '../../../errors.js';
import type { AggregateFunction } from '../../../plan/logical-plan.js';
import { Decimal } from '../../../types/decimal.js';
import { Interval } from '../../../types/interval.js';
import type { SqlType } from '../../../types/sql-type.js';

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/**
 * sum or avg of `count` values adding up to `total` (a number or bigint for integers and
 * floats, a Decimal or Interval), in the result type: NULL without values; an int8 sum
 * out of range is 22003 as in Postgres; avg of integers or numerics is the numeric
 * quotient with Postgres's scale.
 */
export function sumResult(fn: AggregateFunction, type: SqlType, total: number | bigint | Decimal | Interval, count: number): unknown {
  if (count === 0) return null;
  if (total instanceof Interval) return fn === 'avg' ? total.divide(count) : total;
  if (type.kind === 'numeric') {
    const sum = total instanceof Decimal ? total : typeof total === 'bigint' ? Decimal.fromBigInt(total) : Decimal.fromBigInt(BigInt(total));
    return fn === 'avg' ? sum.div(Decimal.fromBigInt(BigInt(count))) : sum;
  }
  const asNumber = total instanceof Decimal ? total.toNumber() : Number(total);
  if (type.kind === 'int8') {
    const v = typeof total === 'bigint' ? total : BigInt(asNumber);
    if (v < INT8_MIN || v > INT8_MAX) throw new SabotError(SqlState.numericValueOutOfRange, 'bigint out of range');
    return fn === 'avg' ? Math.round(asNumber / count) : v;
  }
  return fn === 'avg' ? asNumber / count : asNumber;
}
