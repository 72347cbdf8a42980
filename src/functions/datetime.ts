import { Decimal } from '../types/decimal.js';
import {
  dateAddDays, dateAddInterval, dateDiff, dateTrunc, extract, timestampAddInterval, timestampDiff,
  timestampSubInterval, timestamptzAddInterval, timestamptzSubInterval, timestamptzToTimestamp, type DateTimeKind,
} from '../types/datetime.js';
import type { Interval } from '../types/interval.js';
import { Types } from '../types/sql-type.js';
import type { FunctionRegistry } from './scalar-function.js';

const MICROS_PER_DAY = 86_400_000_000;

/** Date and time arithmetic, date_trunc and extract. */
export function registerDatetimeArithmetic(r: FunctionRegistry): void {
  const { timestamp, timestamptz, date, interval, int4, float8, text, numeric } = Types;
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
  r.add({ name: '+', argTypes: [interval, interval], returnType: interval, impl: ([a, b]) => iv(a).add(iv(b)) });
  r.add({ name: '-', argTypes: [interval, interval], returnType: interval, impl: ([a, b]) => iv(a).sub(iv(b)) });
  r.add({ name: '-', argTypes: [interval], returnType: interval, impl: ([a]) => iv(a).neg() });
  r.add({ name: '*', argTypes: [interval, float8], returnType: interval, impl: ([a, b]) => iv(a).multiply(n(b)) });
  r.add({ name: '*', argTypes: [float8, interval], returnType: interval, impl: ([a, b]) => iv(b).multiply(n(a)) });
  r.add({ name: '/', argTypes: [interval, float8], returnType: interval, impl: ([a, b]) => iv(a).divide(n(b)) });
  r.add({ name: 'date_trunc', argTypes: [text, timestamp], returnType: timestamp, impl: ([u, t]) => dateTrunc(u as string, n(t)) });
  r.add({ name: 'date_trunc', argTypes: [text, timestamptz], returnType: timestamptz, volatility: 'stable',
    impl: ([u, t], ctx) => dateTrunc(u as string, n(t), ctx.format.timeZone) });
  const kinds: [typeof timestamp, DateTimeKind][] = [[timestamp, 'timestamp'], [timestamptz, 'timestamptz'], [date, 'date'], [Types.time, 'time']];
  for (const [type, kind] of kinds) {
    r.add({
      name: 'extract', argTypes: [text, type], returnType: numeric, volatility: kind === 'timestamptz' ? 'stable' : 'immutable',
      impl: ([f, v], ctx) => toNumeric(extract(f as string, kind, n(v), ctx.format.timeZone)),
    });
  }
  r.add({ name: 'extract', argTypes: [text, interval], returnType: numeric, impl: ([f, v]) => toNumeric(extract(f as string, 'interval', iv(v))) });
}

function toNumeric(v: number | null): Decimal | null {
  return v === null ? null : Decimal.fromNumber(v);
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
