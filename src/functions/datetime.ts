import { SabotError, SqlState } from '../errors.js';
import {
  dateAddDays, dateAddInterval, dateDiff, dateTrunc, dateTruncInterval, END_TIMESTAMP, MIN_TIMESTAMP, PG_EPOCH_MICROS,
  timeAddInterval, timeDiff, timestampAddInterval, timestampDiff, timestampSubInterval, timestamptzAddInterval,
  timestamptzSubInterval, timestamptzToTimestamp,
} from '../types/datetime.js';
import { Interval, rint } from '../types/interval.js';
import { Types } from '../types/sql-type.js';
import type { FunctionRegistry } from './scalar-function.js';

const MICROS_PER_DAY = 86_400_000_000;

/** Date and time arithmetic and date_trunc (extract and date_part are in date-part.ts). */
export function registerDatetimeArithmetic(r: FunctionRegistry): void {
  const { timestamp, timestamptz, date, time, interval, int4, float8, text } = Types;
  const iv = (v: unknown) => v as Interval;
  const n = (v: unknown) => v as number;
  r.add({ name: '+', argTypes: [timestamp, interval], returnType: timestamp, impl: ([a, b]) => timestampAddInterval(n(a), iv(b)) });
  r.add({ name: '+', argTypes: [interval, timestamp], returnType: timestamp, impl: ([a, b]) => timestampAddInterval(n(b), iv(a)) });
  r.add({ name: '-', argTypes: [timestamp, interval], returnType: timestamp, impl: ([a, b]) => timestampSubInterval(n(a), iv(b)) });
  r.add({ name: '-', argTypes: [timestamp, timestamp], returnType: interval, impl: ([a, b]) => timestampDiff(n(a), n(b)) });
  r.add({ name: '+', argTypes: [timestamptz, interval], returnType: timestamptz, volatility: 'stable',
    impl: ([a, b], ctx) => timestamptzAddInterval(n(a), iv(b), ctx.format.timeZone) });
  r.add({ name: '+', argTypes: [interval, timestamptz], returnType: timestamptz, volatility: 'stable',
    impl: ([a, b], ctx) => timestamptzAddInterval(n(b), iv(a), ctx.format.timeZone) });
  r.add({ name: '-', argTypes: [timestamptz, interval], returnType: timestamptz, volatility: 'stable',
    impl: ([a, b], ctx) => timestamptzSubInterval(n(a), iv(b), ctx.format.timeZone) });
  r.add({ name: '-', argTypes: [timestamptz, timestamptz], returnType: interval, impl: ([a, b]) => timestampDiff(n(a), n(b)) });
  r.add({ name: '+', argTypes: [date, int4], returnType: date, impl: ([a, b]) => dateAddDays(n(a), n(b)) });
  r.add({ name: '-', argTypes: [date, int4], returnType: date, impl: ([a, b]) => dateAddDays(n(a), -n(b)) });
  r.add({ name: '-', argTypes: [date, date], returnType: int4, impl: ([a, b]) => dateDiff(n(a), n(b)) });
  r.add({ name: '+', argTypes: [date, interval], returnType: timestamp, impl: ([a, b]) => dateAddInterval(n(a), iv(b)) });
  r.add({ name: '+', argTypes: [interval, date], returnType: timestamp, impl: ([a, b]) => dateAddInterval(n(b), iv(a)) });
  r.add({ name: '-', argTypes: [date, interval], returnType: timestamp, impl: ([a, b]) => dateAddInterval(n(a), iv(b).neg()) });
  r.add({ name: '+', argTypes: [time, interval], returnType: time, impl: ([a, b]) => timeAddInterval(n(a), iv(b)) });
  r.add({ name: '+', argTypes: [interval, time], returnType: time, impl: ([a, b]) => timeAddInterval(n(b), iv(a)) });
  r.add({ name: '-', argTypes: [time, interval], returnType: time, impl: ([a, b]) => timeAddInterval(n(a), iv(b).neg()) });
  r.add({ name: '-', argTypes: [time, time], returnType: interval, impl: ([a, b]) => timeDiff(n(a), n(b)) });
  r.add({ name: '+', argTypes: [interval, interval], returnType: interval, impl: ([a, b]) => iv(a).add(iv(b)) });
  r.add({ name: '-', argTypes: [interval, interval], returnType: interval, impl: ([a, b]) => iv(a).sub(iv(b)) });
  r.add({ name: '-', argTypes: [interval], returnType: interval, impl: ([a]) => iv(a).neg() });
  r.add({ name: '*', argTypes: [interval, float8], returnType: interval, impl: ([a, b]) => iv(a).multiply(n(b)) });
  r.add({ name: '*', argTypes: [float8, interval], returnType: interval, impl: ([a, b]) => iv(b).multiply(n(a)) });
  r.add({ name: '/', argTypes: [interval, float8], returnType: interval, impl: ([a, b]) => iv(a).divide(n(b)) });
  r.add({ name: 'date_trunc', argTypes: [text, timestamp], returnType: timestamp, impl: ([u, t]) => dateTrunc(u as string, n(t)) });
  r.add({ name: 'date_trunc', argTypes: [text, timestamptz], returnType: timestamptz, volatility: 'stable',
    impl: ([u, t], ctx) => dateTrunc(u as string, n(t), ctx.format.timeZone) });
  r.add({ name: 'date_trunc', argTypes: [text, timestamptz, text], returnType: timestamptz,
    impl: ([u, t, zone]) => dateTrunc(u as string, n(t), zone as string) });
  r.add({ name: 'date_trunc', argTypes: [text, interval], returnType: interval, impl: ([u, v]) => dateTruncInterval(u as string, iv(v)) });
}

/** The current-time functions: now() and its SQL-standard spellings. */
export function registerDatetime(r: FunctionRegistry): void {
  const tz = Types.timestamptz;
  for (const name of ['now', 'current_timestamp', 'transaction_timestamp']) {
    r.add({ name, argTypes: [], returnType: tz, volatility: 'stable', impl: (_, ctx) => ctx.transactionStart });
  }
  r.add({ name: 'statement_timestamp', argTypes: [], returnType: tz, volatility: 'stable', impl: (_, ctx) => ctx.statementStart });
  r.add({
    name: 'clock_timestamp', argTypes: [], returnType: tz, volatility: 'volatile',
    impl: () => Math.round((performance.timeOrigin + performance.now()) * 1000),
  });
  r.add({
    name: 'localtimestamp', argTypes: [], returnType: Types.timestamp, volatility: 'stable',
    impl: (_, ctx) => timestamptzToTimestamp(ctx.transactionStart, ctx.format.timeZone),
  });
  r.add({
    name: 'current_date', argTypes: [], returnType: Types.date, volatility: 'stable',
    impl: (_, ctx) => Math.floor(timestamptzToTimestamp(ctx.transactionStart, ctx.format.timeZone) / MICROS_PER_DAY),
  });
}

/** C's %g: six significant digits, in exponent form for large and small magnitudes. */
function formatG(x: number): string {
  const e = x === 0 ? 0 : Math.floor(Math.log10(Math.abs(x)));
  if (e < -4 || e >= 6) {
    const [m, exp] = x.toExponential(5).split('e') as [string, string];
    const digits = exp.replace(/^([+-])(\d)$/, '$10$2');
    return `${m.replace(/\.?0+$/, '')}e${digits}`;
  }
  return String(Number(x.toPrecision(6)));
}

/** to_timestamp(seconds since 1970): rounded to microseconds as Postgres rounds it. */
function toTimestamp(seconds: number): number {
  if (Number.isNaN(seconds)) throw new SabotError(SqlState.datetimeFieldOverflow, 'timestamp cannot be NaN');
  if (!Number.isFinite(seconds)) return seconds;
  const outOfRange = () => new SabotError(SqlState.datetimeFieldOverflow, `timestamp out of range: "${formatG(seconds)}"`);
  if (seconds * 1e6 < MIN_TIMESTAMP || seconds * 1e6 >= END_TIMESTAMP) throw outOfRange();
  // Postgres rounds microseconds since 2000, which can differ from rounding since 1970.
  const r = rint((seconds - PG_EPOCH_MICROS / 1e6) * 1e6) + PG_EPOCH_MICROS;
  if (r < MIN_TIMESTAMP || r >= END_TIMESTAMP) throw outOfRange();
  return r;
}

/** make_interval(years, months, weeks, days, hours, mins, secs), trailing arguments 0. */
function makeInterval(args: unknown[]): Interval {
  const [years = 0, months = 0, weeks = 0, days = 0, hours = 0, mins = 0, secs = 0] = args as number[];
  if (!Number.isFinite(secs)) throw new SabotError(SqlState.datetimeFieldOverflow, 'interval out of range');
  return Interval.checked(years * 12 + months, weeks * 7 + days, hours * 3_600_000_000 + mins * 60_000_000 + rint(secs * 1e6));
}

/** to_timestamp(double precision) and make_interval. */
export function registerDatetimeConstructors(r: FunctionRegistry): void {
  const { int4, float8 } = Types;
  r.add({ name: 'to_timestamp', argTypes: [float8], returnType: Types.timestamptz, impl: ([s]) => toTimestamp(s as number) });
  // No named arguments (days => 2) yet: one overload per number of leading arguments.
  const parameters = [int4, int4, int4, int4, int4, int4, float8];
  for (let count = 0; count <= parameters.length; count++) {
    r.add({ name: 'make_interval', argTypes: parameters.slice(0, count), returnType: Types.interval, impl: makeInterval });
  }
}
