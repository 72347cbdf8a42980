import { SabotError, SqlState } from '../errors.js';
import { Types } from '../types/sql-type.js';
import type { FunctionRegistry } from './scalar-function.js';
import { regExp } from './string.js';

/** Rows one call may make: the values are held in memory, unlike Postgres's streaming executor. */
export const MAX_SET_ROWS = 10_000_000;

function tooMany(): SabotError {
  return new SabotError(SqlState.programLimitExceeded, `a set-returning function may return at most ${MAX_SET_ROWS} rows per call`);
}

function series(start: number, stop: number, step: number): number[] {
  if (step === 0) throw new SabotError(SqlState.invalidParameterValue, 'step size cannot equal zero');
  const count = Math.max(0, Math.floor((stop - start) / step) + 1);
  if (count > MAX_SET_ROWS) throw tooMany();
  return Array.from({ length: count }, (_, i) => start + i * step);
}

function seriesBig(start: bigint, stop: bigint, step: bigint): bigint[] {
  if (step === 0n) throw new SabotError(SqlState.invalidParameterValue, 'step size cannot equal zero');
  const span = (stop - start) / step;
  const count = span < 0n ? 0 : Number(span) + 1;
  if (count > MAX_SET_ROWS) throw tooMany();
  return Array.from({ length: count }, (_, i) => start + BigInt(i) * step);
}

/** The set-returning functions: generate_series and regexp_split_to_table. */
export function registerSetReturning(r: FunctionRegistry): void {
  const { int4, int8, text } = Types;
  r.add({ name: 'generate_series', argTypes: [int4, int4], returnType: int4, setReturning: true, impl: ([a, b]) => series(a as number, b as number, 1) });
  r.add({ name: 'generate_series', argTypes: [int4, int4, int4], returnType: int4, setReturning: true,
    impl: ([a, b, c]) => series(a as number, b as number, c as number) });
  r.add({ name: 'generate_series', argTypes: [int8, int8], returnType: int8, setReturning: true, impl: ([a, b]) => seriesBig(a as bigint, b as bigint, 1n) });
  r.add({ name: 'generate_series', argTypes: [int8, int8, int8], returnType: int8, setReturning: true,
    impl: ([a, b, c]) => seriesBig(a as bigint, b as bigint, c as bigint) });
  r.add({ name: 'regexp_split_to_table', argTypes: [text, text], returnType: text, setReturning: true,
    impl: ([s, p]) => (s as string).split(regExp(p as string, 'su')) });
}
