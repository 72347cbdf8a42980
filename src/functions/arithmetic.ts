import { SabotError, SqlState } from '../errors.js';
import type { Decimal } from '../types/decimal.js';
import { Types, type SqlType } from '../types/sql-type.js';
import type { FunctionRegistry } from './scalar-function.js';

function divisionByZero(): SabotError {
  return new SabotError(SqlState.divisionByZero, 'division by zero');
}

function checked(type: SqlType, lo: number, hi: number) {
  const name = type.kind === 'int2' ? 'smallint' : 'integer';
  return (r: number): number => {
    if (r < lo || r > hi) throw new SabotError(SqlState.numericValueOutOfRange, `${name} out of range`);
    return r;
  };
}

function checkedBig(r: bigint): bigint {
  if (r < -9223372036854775808n || r > 9223372036854775807n) {
    throw new SabotError(SqlState.numericValueOutOfRange, 'bigint out of range');
  }
  return r;
}

function checkedFloat(type: SqlType) {
  return (r: number, a: number, b: number): number => {
    const v = type.kind === 'float4' ? Math.fround(r) : r;
    if (!Number.isFinite(v) && Number.isFinite(a) && Number.isFinite(b)) {
      throw new SabotError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
    }
    return v;
  };
}

/** + - * / %, unary minus, abs and mod for the numeric types, with Postgres's overflow errors (^ is in math.ts). */
export function registerArithmetic(r: FunctionRegistry): void {
  for (const type of [Types.int2, Types.int4]) {
    const [lo, hi] = type.kind === 'int2' ? [-32768, 32767] : [-2147483648, 2147483647];
    const check = checked(type, lo, hi);
    const binary = (name: string, f: (a: number, b: number) => number) =>
      r.add({ name, argTypes: [type, type], returnType: type, impl: ([a, b]) => check(f(a as number, b as number)) });
    binary('+', (a, b) => a + b);
    binary('-', (a, b) => a - b);
    binary('*', (a, b) => a * b);
    binary('/', (a, b) => {
      if (b === 0) throw divisionByZero();
      return Math.trunc(a / b);
    });
    for (const name of ['%', 'mod']) {
      binary(name, (a, b) => {
        if (b === 0) throw divisionByZero();
        return b === -1 ? 0 : a % b;
      });
    }
    r.add({ name: '-', argTypes: [type], returnType: type, impl: ([a]) => check(-(a as number)) });
    r.add({ name: 'abs', argTypes: [type], returnType: type, impl: ([a]) => check(Math.abs(a as number)) });
  }

  const int8 = Types.int8;
  const big = (name: string, f: (a: bigint, b: bigint) => bigint) =>
    r.add({ name, argTypes: [int8, int8], returnType: int8, impl: ([a, b]) => checkedBig(f(a as bigint, b as bigint)) });
  big('+', (a, b) => a + b);
  big('-', (a, b) => a - b);
  big('*', (a, b) => a * b);
  big('/', (a, b) => {
    if (b === 0n) throw divisionByZero();
    return a / b;
  });
  for (const name of ['%', 'mod']) {
    big(name, (a, b) => {
      if (b === 0n) throw divisionByZero();
      return a % b;
    });
  }
  r.add({ name: '-', argTypes: [int8], returnType: int8, impl: ([a]) => checkedBig(-(a as bigint)) });
  r.add({ name: 'abs', argTypes: [int8], returnType: int8, impl: ([a]) => checkedBig((a as bigint) < 0n ? -(a as bigint) : (a as bigint)) });

  for (const type of [Types.float4, Types.float8]) {
    const check = checkedFloat(type);
    const binary = (name: string, f: (a: number, b: number) => number) =>
      r.add({ name, argTypes: [type, type], returnType: type, impl: ([a, b]) => check(f(a as number, b as number), a as number, b as number) });
    binary('+', (a, b) => a + b);
    binary('-', (a, b) => a - b);
    binary('*', (a, b) => a * b);
    binary('/', (a, b) => {
      if (b === 0) throw divisionByZero();
      return a / b;
    });
    r.add({ name: '-', argTypes: [type], returnType: type, impl: ([a]) => -(a as number) });
    r.add({ name: 'abs', argTypes: [type], returnType: type, impl: ([a]) => Math.abs(a as number) });
  }

  const numeric = Types.numeric;
  const dec = (name: string, f: (a: Decimal, b: Decimal) => Decimal) =>
    r.add({ name, argTypes: [numeric, numeric], returnType: numeric, impl: ([a, b]) => f(a as Decimal, b as Decimal) });
  dec('+', (a, b) => a.add(b));
  dec('-', (a, b) => a.sub(b));
  dec('*', (a, b) => a.mul(b));
  dec('/', (a, b) => a.div(b));
  dec('%', (a, b) => a.mod(b));
  dec('mod', (a, b) => a.mod(b));
  r.add({ name: '-', argTypes: [numeric], returnType: numeric, impl: ([a]) => (a as Decimal).neg() });
  r.add({ name: 'abs', argTypes: [numeric], returnType: numeric, impl: ([a]) => (a as Decimal).abs() });
}
