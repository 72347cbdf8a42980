import { extract, type DateTimeKind } from '../types/datetime.js';
import { Decimal } from '../types/decimal.js';
import type { Interval } from '../types/interval.js';
import { Types, type SqlType } from '../types/sql-type.js';
import type { FunctionRegistry } from './scalar-function.js';

const MICROS_PER_DAY = 86_400_000_000;
const JULIAN_DAY_OF_1970 = 2440588;

/**
 * The fields whose extract() result has decimals: second (6), milliseconds (3), epoch
 * (6, or 0 for a date) and julian (a fraction of a day). Matched as types/datetime.ts
 * matches unit words: lower case, first 10 characters.
 */
type Fractional = 'second' | 'milliseconds' | 'epoch' | 'julian';

const FRACTIONAL_WORDS = new Map<string, Fractional>([
  ['second', 'second'], ['seconds', 'second'], ['s', 'second'], ['sec', 'second'], ['secs', 'second'],
  ['millisecon', 'milliseconds'], ['ms', 'milliseconds'], ['msec', 'milliseconds'], ['msecond', 'milliseconds'],
  ['mseconds', 'milliseconds'], ['msecs', 'milliseconds'],
  ['epoch', 'epoch'], ['julian', 'julian'], ['j', 'julian'], ['jd', 'julian'],
]);

function fractionalField(field: string): Fractional | undefined {
  return FRACTIONAL_WORDS.get(field.toLowerCase().slice(0, 10));
}

/** A number with `scale` decimals known to be exact at that scale (seconds of a minute...). */
function scaled(v: number, scale: number): Decimal {
  return Decimal.of(BigInt(Math.round(v * 10 ** scale)), scale);
}

/** Microseconds of an interval as Postgres's epoch counts them: a year is 365.25 days, a month 30. */
function intervalEpochMicros(iv: Interval): bigint {
  const quarterDays = 1461 * Math.trunc(iv.months / 12) + 120 * (iv.months % 12) + 4 * iv.days;
  return BigInt(quarterDays) * 21_600_000_000n + BigInt(iv.micros);
}

/**
 * extract(field FROM v) as Postgres 14+ gives it: a numeric, exact, with 6 decimals for
 * seconds and epoch and 3 for milliseconds; other fields are whole numbers.
 */
export function extractNumeric(field: string, kind: DateTimeKind | 'interval', v: number | Interval, zone: string): Decimal | null {
  const r = extract(field, kind, v, zone);
  if (r === null) return null;
  if (!Number.isFinite(r)) return Decimal.fromNumber(r);
  switch (fractionalField(field)) {
    case 'second': return scaled(r, 6);
    case 'milliseconds': return scaled(r, 3);
    case 'epoch':
      if (kind === 'interval') return Decimal.of(intervalEpochMicros(v as Interval), 6);
      return kind === 'date' ? Decimal.fromNumber(r) : Decimal.of(BigInt(v as number), 6);
    case 'julian': {
      if (kind === 'date') return Decimal.fromNumber(r);
      // The day number plus the fraction of the day, divided as numerics are.
      const offset = kind === 'timestamptz' ? extract('timezone', kind, v, zone)! : 0;
      const local = (v as number) + offset * 1_000_000;
      const days = Math.floor(local / MICROS_PER_DAY);
      const fraction = Decimal.fromNumber(local - days * MICROS_PER_DAY).div(Decimal.fromNumber(MICROS_PER_DAY));
      return Decimal.fromNumber(days + JULIAN_DAY_OF_1970).add(fraction);
    }
    default: return Decimal.fromNumber(r);
  }
}

/** extract (numeric) and date_part (double precision) of every date and time type. */
export function registerDatePart(r: FunctionRegistry): void {
  const { text, numeric, float8 } = Types;
  const kinds: [SqlType, DateTimeKind | 'interval'][] = [
    [Types.timestamp, 'timestamp'], [Types.timestamptz, 'timestamptz'], [Types.date, 'date'], [Types.time, 'time'],
    [Types.interval, 'interval'],
  ];
  for (const [type, kind] of kinds) {
    const volatility = kind === 'timestamptz' ? 'stable' : 'immutable';
    r.add({
      name: 'extract', argTypes: [text, type], returnType: numeric, volatility,
      impl: ([f, v], ctx) => extractNumeric(f as string, kind, v as number | Interval, ctx.format.timeZone),
    });
    // date_part of a date is that of its midnight, as in Postgres.
    const [partKind, toPart] = kind === 'date'
      ? ['timestamp' as const, (v: unknown) => (v as number) * MICROS_PER_DAY]
      : [kind, (v: unknown) => v as number | Interval];
    r.add({
      name: 'date_part', argTypes: [text, type], returnType: float8, volatility,
      impl: ([f, v], ctx) => extract(f as string, partKind, toPart(v), ctx.format.timeZone),
    });
  }
}
