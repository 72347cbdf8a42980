import { SabotError, SqlState } from '../errors.js';
import { Decimal } from '../types/decimal.js';
import { rint } from '../types/interval.js';
import { Types } from '../types/sql-type.js';
import {
  INVALID_ARGUMENT_FOR_POWER, logOfNegative, logOfZero, negativeToFractionalPower, numericExp, numericLn, numericLog,
  numericPower, numericSqrt, zeroToNegativePower,
} from './numeric-math.js';
import type { FunctionRegistry } from './scalar-function.js';

function floatOverflow(): SabotError {
  return new SabotError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
}

function floatUnderflow(): SabotError {
  return new SabotError(SqlState.numericValueOutOfRange, 'value out of range: underflow');
}

/** Postgres's dsqrt. */
export function floatSqrt(x: number): number {
  if (x < 0) throw new SabotError(INVALID_ARGUMENT_FOR_POWER, 'cannot take square root of a negative number');
  return Math.sqrt(x);
}

/** Postgres's dexp: infinite or zero results of finite arguments are errors. */
export function floatExp(x: number): number {
  if (Number.isNaN(x)) return x;
  if (!Number.isFinite(x)) return x > 0 ? x : 0;
  const r = Math.exp(x);
  if (r === Infinity) throw floatOverflow();
  if (r === 0) throw floatUnderflow();
  return r;
}

/** ln (dlog1) and log (dlog10), with Postgres's errors for zero and negative numbers. */
export function floatLog(x: number, log: (x: number) => number): number {
  if (x === 0) throw logOfZero();
  if (x < 0) throw logOfNegative();
  return log(x);
}

/** Postgres's dpow: POSIX pow() with explicit NaN and infinity rules and SQL's errors. */
export function floatPower(x: number, y: number): number {
  if (Number.isNaN(x)) return Number.isNaN(y) || y !== 0 ? NaN : 1;
  if (Number.isNaN(y)) return x !== 1 ? NaN : 1;
  if (x === 0 && y < 0) throw zeroToNegativePower();
  if (x < 0 && Math.floor(y) !== y) throw negativeToFractionalPower();
  if (!Number.isFinite(y)) {
    const ax = Math.abs(x);
    if (ax === 1) return 1;
    if (y > 0) return ax > 1 ? y : 0;
    return ax > 1 ? 0 : -y;
  }
  if (!Number.isFinite(x)) {
    if (y === 0) return 1;
    if (x > 0) return y > 0 ? x : 0;
    const odd = Math.floor(y / 2) !== y / 2;
    if (y > 0) return odd ? x : -x;
    return odd ? -0 : 0;
  }
  const r = Math.pow(x, y);
  if (!Number.isFinite(r)) throw floatOverflow();
  if (r === 0 && x !== 0) throw floatUnderflow();
  return r;
}

/** Postgres's dsign: NaN and -0 give 0. */
export function floatSign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

const TEN = Decimal.fromBigInt(10n);

/** round, floor, ceil, trunc, sign, sqrt, exp, ln, log, power and pi. */
export function registerMath(r: FunctionRegistry): void {
  const { float8, numeric, int4 } = Types;
  const f = (v: unknown) => v as number;
  const d = (v: unknown) => v as Decimal;
  const float1 = (name: string, impl: (x: number) => number) =>
    r.add({ name, argTypes: [float8], returnType: float8, impl: ([x]) => impl(f(x)) });
  const numeric1 = (name: string, impl: (x: Decimal) => Decimal) =>
    r.add({ name, argTypes: [numeric], returnType: numeric, impl: ([x]) => impl(d(x)) });

  // round(float8) is C's rint (halves to even); round(numeric) rounds halves away from zero.
  float1('round', rint);
  numeric1('round', (x) => x.round(0));
  r.add({ name: 'round', argTypes: [numeric, int4], returnType: numeric, impl: ([x, s]) => d(x).round(f(s)) });
  float1('trunc', Math.trunc);
  numeric1('trunc', (x) => x.trunc(0));
  r.add({ name: 'trunc', argTypes: [numeric, int4], returnType: numeric, impl: ([x, s]) => d(x).trunc(f(s)) });
  float1('floor', Math.floor);
  numeric1('floor', (x) => x.floor());
  for (const name of ['ceil', 'ceiling']) {
    float1(name, Math.ceil);
    numeric1(name, (x) => x.ceil());
  }
  float1('sign', floatSign);
  numeric1('sign', (x) => (x.isNaN() ? x : Decimal.fromBigInt(BigInt(x.sign()))));
  float1('sqrt', floatSqrt);
  numeric1('sqrt', numericSqrt);
  float1('exp', floatExp);
  numeric1('exp', numericExp);
  float1('ln', (x) => floatLog(x, Math.log));
  numeric1('ln', numericLn);
  for (const name of ['log', 'log10']) {
    float1(name, (x) => floatLog(x, Math.log10));
    numeric1(name, (x) => numericLog(TEN, x));
  }
  r.add({ name: 'log', argTypes: [numeric, numeric], returnType: numeric, impl: ([b, x]) => numericLog(d(b), d(x)) });
  for (const name of ['power', 'pow', '^']) {
    r.add({ name, argTypes: [float8, float8], returnType: float8, impl: ([x, y]) => floatPower(f(x), f(y)) });
    r.add({ name, argTypes: [numeric, numeric], returnType: numeric, impl: ([x, y]) => numericPower(d(x), d(y)) });
  }
  r.add({ name: 'pi', argTypes: [], returnType: float8, impl: () => Math.PI });
}
