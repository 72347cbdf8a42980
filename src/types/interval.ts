/**
 * INTERVAL values as Postgres keeps them: months, days and microseconds, each with its own
 * sign, never normalized into one another except by the justify functions. Arithmetic,
 * comparison, input (Postgres's interval syntax, ISO 8601, units qualifiers such as
 * `INTERVAL '4' SECOND`) and output in every IntervalStyle follow Postgres.
 */
import { SabotError, SqlState } from '../errors.js';

export type IntervalStyle = 'postgres' | 'iso_8601' | 'sql_standard' | 'postgres_verbose';

/** A field of an interval qualifier: `INTERVAL '...' DAY TO SECOND`. */
export type IntervalField = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second';

export const USECS_PER_SEC = 1_000_000;
export const USECS_PER_MINUTE = 60_000_000;
export const USECS_PER_HOUR = 3_600_000_000;
export const USECS_PER_DAY = 86_400_000_000;
const DAYS_PER_MONTH = 30;
const SECS_PER_DAY = 86_400;
const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;
/** Largest magnitude of the time part we keep exact (2^53 - 1 µs, about 285 years). */
const MAX_MICROS = Number.MAX_SAFE_INTEGER;

const INTERVAL_FIELD_OVERFLOW = SqlState.intervalFieldOverflow;

function outOfRange(): SabotError {
  return new SabotError(SqlState.datetimeFieldOverflow, 'interval out of range');
}

function fitsInt32(v: number): boolean {
  return v >= INT32_MIN && v <= INT32_MAX;
}

/** Postgres's TSROUND: rounds to 6 decimal places. */
function tsRound(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** C's rint(): round half to even. */
export function rint(v: number): number {
  const r = Math.round(v);
  // Math.round rounds .5 up; fix exact halves that went to an odd number.
  if (r - v === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

export class Interval {
  /** Months (int32). */
  readonly months: number;
  /** Days (int32). */
  readonly days: number;
  /** Microseconds (an integer; exact within ±2^53). */
  readonly micros: number;

  constructor(months: number, days: number, micros: number) {
    this.months = months;
    this.days = days;
    this.micros = micros;
  }

  static readonly ZERO = new Interval(0, 0, 0);

  /** Checks the int32 ranges of months and days and the range of the time part. */
  static checked(months: number, days: number, micros: number): Interval {
    if (!fitsInt32(months) || !fitsInt32(days) || !(Math.abs(micros) <= MAX_MICROS)) throw outOfRange();
    return new Interval(months, days, micros);
  }

  static fromMicros(micros: number): Interval {
    return new Interval(0, 0, micros);
  }

  add(other: Interval): Interval {
    return Interval.checked(this.months + other.months, this.days + other.days, this.micros + other.micros);
  }

  sub(other: Interval): Interval {
    return Interval.checked(this.months - other.months, this.days - other.days, this.micros - other.micros);
  }

  neg(): Interval {
    return Interval.checked(-this.months || 0, -this.days || 0, -this.micros || 0);
  }

  isZero(): boolean {
    return this.months === 0 && this.days === 0 && this.micros === 0;
  }

  /**
   * interval * float8 as Postgres computes it: whole months and days stay, their
   * fractions spill into days (30 per month) and microseconds (a day being 24 hours).
   */
  multiply(factor: number): Interval {
    const monthsD = this.months * factor;
    if (Number.isNaN(monthsD) || !fitsInt32(monthsD)) throw outOfRange();
    const months = Math.trunc(monthsD);
    const daysD = this.days * factor;
    if (Number.isNaN(daysD) || !fitsInt32(daysD)) throw outOfRange();
    let days = Math.trunc(daysD);
    const monthRemainderDays = tsRound((this.months * factor - months) * DAYS_PER_MONTH);
    let secRemainder = tsRound((this.days * factor - days
      + monthRemainderDays - Math.trunc(monthRemainderDays)) * SECS_PER_DAY);
    if (Math.abs(secRemainder) >= SECS_PER_DAY) {
      const extra = Math.trunc(secRemainder / SECS_PER_DAY);
      days += extra;
      secRemainder -= extra * SECS_PER_DAY;
    }
    days += Math.trunc(monthRemainderDays);
    const micros = rint(this.micros * factor + secRemainder * USECS_PER_SEC);
    if (Number.isNaN(micros)) throw outOfRange();
    return Interval.checked(months, days, micros || 0);
  }

  /** interval / float8, as Postgres computes it (division by zero is 22012). */
  divide(factor: number): Interval {
    if (factor === 0) throw new SabotError(SqlState.divisionByZero, 'division by zero');
    const monthsD = this.months / factor;
    if (Number.isNaN(monthsD) || !fitsInt32(monthsD)) throw outOfRange();
    const months = Math.trunc(monthsD);
    const daysD = this.days / factor;
    if (Number.isNaN(daysD) || !fitsInt32(daysD)) throw outOfRange();
    let days = Math.trunc(daysD);
    const monthRemainderDays = tsRound((this.months / factor - months) * DAYS_PER_MONTH);
    let secRemainder = tsRound((this.days / factor - days
      + monthRemainderDays - Math.trunc(monthRemainderDays)) * SECS_PER_DAY);
    if (Math.abs(secRemainder) >= SECS_PER_DAY) {
      const extra = Math.trunc(secRemainder / SECS_PER_DAY);
      days += extra;
      secRemainder -= extra * SECS_PER_DAY;
    }
    days += Math.trunc(monthRemainderDays);
    const micros = rint(this.micros / factor + secRemainder * USECS_PER_SEC);
    if (Number.isNaN(micros)) throw outOfRange();
    return Interval.checked(months, days, micros || 0);
  }

  /**
   * Postgres's ordering: by the total with 30-day months and 24-hour days, so
   * `1 mon` = `30 days` and `1 day` = `24:00:00`. Exact (no float rounding).
   */
  compare(other: Interval): number {
    return Interval.compare(this, other);
  }

  static compare(a: Interval, b: Interval): number {
    const [da, ra] = a.normalizedDays();
    const [db, rb] = b.normalizedDays();
    if (da !== db) return da < db ? -1 : 1;
    return ra < rb ? -1 : ra > rb ? 1 : 0;
  }

  equals(other: Interval): boolean {
    return Interval.compare(this, other) === 0;
  }

  /** A string equal for intervals that compare equal (for hashing and grouping). */
  hashKey(): string {
    const [d, r] = this.normalizedDays();
    return `${d}:${r}`;
  }

  /** Total as (whole days, microseconds in [0, 1 day)), with 30-day months. */
  private normalizedDays(): [number, number] {
    const dayPart = Math.floor(this.micros / USECS_PER_DAY);
    return [this.months * DAYS_PER_MONTH + this.days + dayPart, this.micros - dayPart * USECS_PER_DAY];
  }

  /** The total in microseconds with 30-day months (as a double; exact within 2^53). */
  totalMicros(): number {
    return (this.months * DAYS_PER_MONTH + this.days) * USECS_PER_DAY + this.micros;
  }

  /** extract(epoch from interval): seconds, with 365.25-day years and 30-day months. */
  epochSeconds(): number {
    const years = Math.trunc(this.months / 12);
    const months = this.months % 12;
    return years * 365.25 * SECS_PER_DAY + months * DAYS_PER_MONTH * SECS_PER_DAY
      + this.days * SECS_PER_DAY + this.micros / USECS_PER_SEC;
  }

  /** justify_hours: whole 24-hour periods of the time part become days. */
  justifyHours(): Interval {
    let days = this.days + Math.trunc(this.micros / USECS_PER_DAY);
    let micros = this.micros % USECS_PER_DAY;
    if (days > 0 && micros < 0) {
      micros += USECS_PER_DAY;
      days--;
    } else if (days < 0 && micros > 0) {
      micros -= USECS_PER_DAY;
      days++;
    }
    return Interval.checked(this.months, days, micros || 0);
  }

  /** justify_days: whole 30-day periods become months. */
  justifyDays(): Interval {
    let months = this.months + Math.trunc(this.days / DAYS_PER_MONTH);
    let days = this.days % DAYS_PER_MONTH;
    if (months > 0 && days < 0) {
      days += DAYS_PER_MONTH;
      months--;
    } else if (months < 0 && days > 0) {
      days -= DAYS_PER_MONTH;
      months++;
    }
    return Interval.checked(months, days || 0, this.micros);
  }

  /** justify_interval: both, with the signs made to agree. */
  justifyInterval(): Interval {
    let months = this.months;
    let days = this.days + Math.trunc(this.micros / USECS_PER_DAY);
    let micros = this.micros % USECS_PER_DAY;
    months += Math.trunc(days / DAYS_PER_MONTH);
    days %= DAYS_PER_MONTH;
    if (months > 0 && (days < 0 || (days === 0 && micros < 0))) {
      days += DAYS_PER_MONTH;
      months--;
    } else if (months < 0 && (days > 0 || (days === 0 && micros > 0))) {
      days -= DAYS_PER_MONTH;
      months++;
    }
    if (days > 0 && micros < 0) {
      micros += USECS_PER_DAY;
      days--;
    } else if (days < 0 && micros > 0) {
      micros -= USECS_PER_DAY;
      days++;
    }
    return Interval.checked(months, days || 0, micros || 0);
  }

  toJSON(): string {
    return this.toString();
  }

  /** The text Postgres prints under the given IntervalStyle (default `postgres`). */
  toString(style: IntervalStyle = 'postgres'): string {
    const year = Math.trunc(this.months / 12);
    const mon = this.months % 12;
    const mday = this.days;
    let t = this.micros;
    const hour = Math.trunc(t / USECS_PER_HOUR);
    t -= hour * USECS_PER_HOUR;
    const min = Math.trunc(t / USECS_PER_MINUTE);
    t -= min * USECS_PER_MINUTE;
    const sec = Math.trunc(t / USECS_PER_SEC);
    const fsec = t - sec * USECS_PER_SEC;
    switch (style) {
      case 'iso_8601': return formatIso(year, mon, mday, hour, min, sec, fsec);
      case 'sql_standard': return formatSqlStandard(year, mon, mday, hour, min, sec, fsec);
      case 'postgres_verbose': return formatVerbose(year, mon, mday, hour, min, sec, fsec);
      default: return formatPostgres(year, mon, mday, hour, min, sec, fsec);
    }
  }

  /**
   * Postgres interval input. `unit`/`toUnit` are the qualifier of `INTERVAL '...' unit
   * [TO toUnit]`: it says what a bare number means (seconds without one) and which
   * fields are kept (`INTERVAL '1 day 2 hours' DAY` is `1 day`). Under IntervalStyle
   * `sql_standard` a leading minus applies to every field (`-1 2:00` is -1 day -2 hours),
   * as in Postgres.
   */
  static parse(text: string, unit?: IntervalField, toUnit?: IntervalField, style?: IntervalStyle): Interval {
    const range = rangeMask(unit, toUnit);
    const acc: Acc = { usec: 0, mday: 0, mon: 0, year: 0 };
    let err = decodeInterval(text, range, acc, style === 'sql_standard');
    if (err === DTERR_BAD_FORMAT && text.charCodeAt(0) === 80 /* P */) {
      acc.usec = 0;
      acc.mday = 0;
      acc.mon = 0;
      acc.year = 0;
      err = decodeIso8601(text, acc);
    }
    if (err === DTERR_FIELD_OVERFLOW) {
      throw new SabotError(INTERVAL_FIELD_OVERFLOW, `interval field value out of range: "${text}"`);
    }
    if (err !== 0) {
      throw new SabotError(SqlState.invalidDatetimeFormat, `invalid input syntax for type interval: "${text}"`);
    }
    const months = acc.year * 12 + acc.mon;
    if (!fitsInt32(months) || !fitsInt32(acc.mday) || !(Math.abs(acc.usec) <= MAX_MICROS)) throw outOfRange();
    const result = new Interval(months || 0, acc.mday || 0, acc.usec || 0);
    return range === RANGE_FULL ? result : result.restrict(range);
  }

  /** Keeps only the fields of an interval qualifier, as Postgres's typmod does. */
  restrictTo(unit: IntervalField, toUnit?: IntervalField): Interval {
    return this.restrict(rangeMask(unit, toUnit));
  }

  private restrict(range: number): Interval {
    if (range === RANGE_FULL) return this;
    if (range === M_YEAR) return new Interval(Math.trunc(this.months / 12) * 12, 0, 0);
    if (range === M_MONTH || range === (M_YEAR | M_MONTH)) return new Interval(this.months, 0, 0);
    if (range === M_DAY || range === (M_MONTH | M_DAY) || range === (M_YEAR | M_MONTH | M_DAY)) {
      return new Interval(this.months, this.days, 0);
    }
    if (range === M_HOUR || range === (M_DAY | M_HOUR)) {
      return new Interval(this.months, this.days, Math.trunc(this.micros / USECS_PER_HOUR) * USECS_PER_HOUR || 0);
    }
    if (range === M_MINUTE || range === (M_HOUR | M_MINUTE) || range === (M_DAY | M_HOUR | M_MINUTE)) {
      return new Interval(this.months, this.days, Math.trunc(this.micros / USECS_PER_MINUTE) * USECS_PER_MINUTE || 0);
    }
    return this;
  }
}

// ---------------------------------------------------------------------------------------
// Output

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** Seconds and a fraction (trailing zeros trimmed), always unsigned. */
function appendSeconds(sec: number, fsec: number, fillZeros: boolean): string {
  const s = Math.abs(sec);
  const whole = fillZeros ? pad2(s) : String(s);
  if (fsec === 0) return whole;
  let f = String(Math.abs(fsec));
  f = '000000'.slice(f.length) + f;
  let end = 6;
  while (f.charCodeAt(end - 1) === 48) end--;
  return whole + '.' + f.slice(0, end);
}

function formatPostgres(year: number, mon: number, mday: number, hour: number, min: number,
  sec: number, fsec: number): string {
  let out = '';
  let isZero = true;
  let isBefore = false;
  const part = (value: number, unit: string): void => {
    if (value === 0) return;
    out += (isZero ? '' : ' ') + (isBefore && value > 0 ? '+' : '') + value + ' ' + unit
      + (value !== 1 ? 's' : '');
    isBefore = value < 0;
    isZero = false;
  };
  part(year, 'year');
  part(mon, 'mon');
  part(mday, 'day');
  if (isZero || hour !== 0 || min !== 0 || sec !== 0 || fsec !== 0) {
    const minus = hour < 0 || min < 0 || sec < 0 || fsec < 0;
    out += (isZero ? '' : ' ') + (minus ? '-' : isBefore ? '+' : '')
      + pad2(Math.abs(hour)) + ':' + pad2(Math.abs(min)) + ':' + appendSeconds(sec, fsec, true);
  }
  return out;
}

function formatIso(year: number, mon: number, mday: number, hour: number, min: number,
  sec: number, fsec: number): string {
  if (year === 0 && mon === 0 && mday === 0 && hour === 0 && min === 0 && sec === 0 && fsec === 0) {
    return 'PT0S';
  }
  let out = 'P';
  if (year !== 0) out += year + 'Y';
  if (mon !== 0) out += mon + 'M';
  if (mday !== 0) out += mday + 'D';
  if (hour !== 0 || min !== 0 || sec !== 0 || fsec !== 0) out += 'T';
  if (hour !== 0) out += hour + 'H';
  if (min !== 0) out += min + 'M';
  if (sec !== 0 || fsec !== 0) {
    if (sec < 0 || fsec < 0) out += '-';
    out += appendSeconds(sec, fsec, false) + 'S';
  }
  return out;
}

function formatSqlStandard(year: number, mon: number, mday: number, hour: number, min: number,
  sec: number, fsec: number): string {
  const hasNegative = year < 0 || mon < 0 || mday < 0 || hour < 0 || min < 0 || sec < 0 || fsec < 0;
  const hasPositive = year > 0 || mon > 0 || mday > 0 || hour > 0 || min > 0 || sec > 0 || fsec > 0;
  const hasYearMonth = year !== 0 || mon !== 0;
  const hasDayTime = mday !== 0 || hour !== 0 || min !== 0 || sec !== 0 || fsec !== 0;
  const standard = !(hasNegative && hasPositive) && !(hasYearMonth && hasDayTime);
  let out = '';
  if (hasNegative && standard) {
    out = '-';
    year = -year;
    mon = -mon;
    mday = -mday;
    hour = -hour;
    min = -min;
    sec = -sec;
    fsec = -fsec;
  }
  if (!hasNegative && !hasPositive) return '0';
  if (!standard) {
    const yearSign = year < 0 || mon < 0 ? '-' : '+';
    const daySign = mday < 0 ? '-' : '+';
    const secSign = hour < 0 || min < 0 || sec < 0 || fsec < 0 ? '-' : '+';
    return out + yearSign + Math.abs(year) + '-' + Math.abs(mon) + ' ' + daySign + Math.abs(mday)
      + ' ' + secSign + Math.abs(hour) + ':' + pad2(Math.abs(min)) + ':' + appendSeconds(sec, fsec, true);
  }
  if (hasYearMonth) return out + year + '-' + mon;
  if (mday !== 0) {
    return out + mday + ' ' + hour + ':' + pad2(min) + ':' + appendSeconds(sec, fsec, true);
  }
  return out + hour + ':' + pad2(min) + ':' + appendSeconds(sec, fsec, true);
}

function formatVerbose(year: number, mon: number, mday: number, hour: number, min: number,
  sec: number, fsec: number): string {
  let out = '@';
  let isZero = true;
  let isBefore = false;
  const part = (value: number, unit: string): void => {
    if (value === 0) return;
    if (isZero) {
      isBefore = value < 0;
      value = Math.abs(value);
    } else if (isBefore) {
      value = -value;
    }
    out += ' ' + value + ' ' + unit + (value === 1 ? '' : 's');
    isZero = false;
  };
  part(year, 'year');
  part(mon, 'mon');
  part(mday, 'day');
  part(hour, 'hour');
  part(min, 'min');
  if (sec !== 0 || fsec !== 0) {
    out += ' ';
    if (sec < 0 || (sec === 0 && fsec < 0)) {
      if (isZero) isBefore = true;
      else if (!isBefore) out += '-';
    } else if (isBefore) {
      out += '-';
    }
    out += appendSeconds(sec, fsec, false) + ' sec' + (Math.abs(sec) !== 1 || fsec !== 0 ? 's' : '');
    isZero = false;
  }
  if (isZero) out += ' 0';
  if (isBefore) out += ' ago';
  return out;
}

// ---------------------------------------------------------------------------------------
// Input: a tokenizer like Postgres's ParseDateTime, then the fields decoded right to left
// like its DecodeInterval.

const DTERR_BAD_FORMAT = -1;
const DTERR_FIELD_OVERFLOW = -2;

// Field masks (for duplicate detection and for interval qualifiers).
const M_YEAR = 1 << 0;
const M_MONTH = 1 << 1;
const M_DAY = 1 << 2;
const M_HOUR = 1 << 3;
const M_MINUTE = 1 << 4;
const M_SECOND = 1 << 5;
const M_MILLISEC = 1 << 6;
const M_MICROSEC = 1 << 7;
const M_WEEK = 1 << 8;
const M_DECADE = 1 << 9;
const M_CENTURY = 1 << 10;
const M_MILLENNIUM = 1 << 11;
const M_ALL_SECS = M_SECOND | M_MILLISEC | M_MICROSEC;
const M_TIME = M_HOUR | M_MINUTE | M_ALL_SECS;
const RANGE_FULL = 0x7fff;

const FIELD_ORDER: readonly IntervalField[] = ['year', 'month', 'day', 'hour', 'minute', 'second'];
const FIELD_MASK: Record<IntervalField, number> = {
  year: M_YEAR, month: M_MONTH, day: M_DAY, hour: M_HOUR, minute: M_MINUTE, second: M_SECOND,
};

function rangeMask(unit?: IntervalField, toUnit?: IntervalField): number {
  if (unit === undefined) return RANGE_FULL;
  unit = unit.toLowerCase() as IntervalField;
  toUnit = toUnit?.toLowerCase() as IntervalField | undefined;
  const from = FIELD_ORDER.indexOf(unit);
  if (from < 0) throw new SabotError(SqlState.syntaxError, `invalid interval qualifier: ${String(unit)}`);
  if (toUnit === undefined) return FIELD_MASK[unit];
  const to = FIELD_ORDER.indexOf(toUnit);
  if (to <= from) {
    throw new SabotError(SqlState.syntaxError, `invalid interval qualifier: ${unit} to ${String(toUnit)}`);
  }
  let mask = 0;
  for (let i = from; i <= to; i++) mask |= FIELD_MASK[FIELD_ORDER[i]!];
  return mask;
}

// Unit kinds
const U_MICROSEC = 1;
const U_MILLISEC = 2;
const U_SECOND = 3;
const U_MINUTE = 4;
const U_HOUR = 5;
const U_DAY = 6;
const U_WEEK = 7;
const U_MONTH = 8;
const U_YEAR = 9;
const U_DECADE = 10;
const U_CENTURY = 11;
const U_MILLENNIUM = 12;
const U_AGO = 100;
const U_IGNORE = 101;
const U_UNSUPPORTED = 102;

/** Postgres's interval unit words (looked up by their first 10 characters). */
const UNITS = new Map<string, number>([
  ['@', U_IGNORE], ['ago', U_AGO],
  ['c', U_CENTURY], ['cent', U_CENTURY], ['centuries', U_CENTURY], ['century', U_CENTURY],
  ['d', U_DAY], ['day', U_DAY], ['days', U_DAY],
  ['dec', U_DECADE], ['decade', U_DECADE], ['decades', U_DECADE], ['decs', U_DECADE],
  ['h', U_HOUR], ['hour', U_HOUR], ['hours', U_HOUR], ['hr', U_HOUR], ['hrs', U_HOUR],
  ['m', U_MINUTE], ['min', U_MINUTE], ['mins', U_MINUTE], ['minute', U_MINUTE], ['minutes', U_MINUTE],
  ['microsecon', U_MICROSEC], ['us', U_MICROSEC], ['usec', U_MICROSEC], ['usecond', U_MICROSEC],
  ['useconds', U_MICROSEC], ['usecs', U_MICROSEC],
  ['mil', U_MILLENNIUM], ['millennia', U_MILLENNIUM], ['millennium', U_MILLENNIUM], ['mils', U_MILLENNIUM],
  ['millisecon', U_MILLISEC], ['ms', U_MILLISEC], ['msec', U_MILLISEC], ['msecond', U_MILLISEC],
  ['mseconds', U_MILLISEC], ['msecs', U_MILLISEC],
  ['mon', U_MONTH], ['mons', U_MONTH], ['month', U_MONTH], ['months', U_MONTH],
  ['qtr', U_UNSUPPORTED], ['quarter', U_UNSUPPORTED],
  ['s', U_SECOND], ['sec', U_SECOND], ['second', U_SECOND], ['seconds', U_SECOND], ['secs', U_SECOND],
  ['timezone', U_UNSUPPORTED], ['timezone_h', U_UNSUPPORTED], ['timezone_m', U_UNSUPPORTED],
  ['w', U_WEEK], ['week', U_WEEK], ['weeks', U_WEEK],
  ['y', U_YEAR], ['year', U_YEAR], ['years', U_YEAR], ['yr', U_YEAR], ['yrs', U_YEAR],
]);

const F_NUMBER = 1;
const F_DATE = 2;
const F_TIME = 3;
const F_SIGNED = 4;
const F_STRING = 5;
const F_SPECIAL = 6;

interface Acc {
  usec: number;
  mday: number;
  mon: number;
  year: number;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isPunct = (c: number): boolean =>
  (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);

/** Splits interval text into fields; returns false on bad input. */
function tokenize(s: string, fields: string[], types: number[]): boolean {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    let type: number;
    if (isDigit(c)) {
      i++;
      while (i < n && isDigit(s.charCodeAt(i))) i++;
      const d = i < n ? s.charCodeAt(i) : 0;
      if (d === 58 /* : */) {
        type = F_TIME;
        i++;
        while (i < n) {
          const e = s.charCodeAt(i);
          if (!isDigit(e) && e !== 58 && e !== 46) break;
          i++;
        }
      } else if (d === 45 || d === 47 || d === 46) {
        i++;
        if (i < n && isDigit(s.charCodeAt(i))) {
          type = d === 46 ? F_NUMBER : F_DATE;
          while (i < n && isDigit(s.charCodeAt(i))) i++;
          if (i < n && s.charCodeAt(i) === d) {
            type = F_DATE;
            while (i < n && (isDigit(s.charCodeAt(i)) || s.charCodeAt(i) === d)) i++;
          }
        } else {
          type = F_DATE;
          while (i < n && (isDigit(s.charCodeAt(i)) || isAlpha(s.charCodeAt(i)) || s.charCodeAt(i) === d)) i++;
        }
      } else {
        type = F_NUMBER;
      }
    } else if (c === 46 /* . */) {
      i++;
      while (i < n && isDigit(s.charCodeAt(i))) i++;
      type = F_NUMBER;
    } else if (isAlpha(c)) {
      i++;
      while (i < n && isAlpha(s.charCodeAt(i))) i++;
      type = F_STRING;
      const d = i < n ? s.charCodeAt(i) : 0;
      if (d === 45 || d === 47 || d === 46 || d === 43 || isDigit(d)) {
        // Date-like text (`jan-01`, `p1y`): never valid in an interval.
        return false;
      }
    } else if (c === 43 || c === 45) {
      i++;
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      const d = i < n ? s.charCodeAt(i) : 0;
      if (isDigit(d)) {
        type = F_SIGNED;
        const digitsStart = i;
        while (i < n) {
          const e = s.charCodeAt(i);
          if (!isDigit(e) && e !== 58 && e !== 46 && e !== 45) break;
          i++;
        }
        fields.push(s[start]! + s.slice(digitsStart, i));
        types.push(type);
        continue;
      } else if (isAlpha(d)) {
        type = F_SPECIAL;
        while (i < n && isAlpha(s.charCodeAt(i))) i++;
      } else {
        return false;
      }
    } else if (isPunct(c)) {
      i++;
      continue;
    } else {
      return false;
    }
    const f = s.slice(start, i);
    fields.push(type === F_STRING || type === F_SPECIAL || type === F_DATE ? f.toLowerCase() : f);
    types.push(type);
  }
  return true;
}

/** Reads an optionally signed int32 at s[i..]; returns [value, end] or null on overflow. */
function readInt(s: string, i: number): [number, number] | null {
  let neg = false;
  const c = s.charCodeAt(i);
  if (c === 43 || c === 45) {
    neg = c === 45;
    i++;
  }
  let v = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) {
    v = v * 10 + (s.charCodeAt(i) - 48);
    if (v > 2147483648) return null;
    i++;
  }
  if (neg) v = -v;
  if (v > INT32_MAX) return null;
  return [v, i];
}

/** A `.digits` fraction at s[i..] reaching the end of s, as a double; NaN if malformed. */
function readFraction(s: string, i: number): number {
  if (s.charCodeAt(i) !== 46) return NaN;
  for (let j = i + 1; j < s.length; j++) if (!isDigit(s.charCodeAt(j))) return NaN;
  return s.length === i + 1 ? 0 : Number('0' + s.slice(i));
}

function adjustFractMicros(frac: number, scale: number, acc: Acc): void {
  if (frac === 0) return;
  frac *= scale;
  const usec = Math.trunc(frac);
  acc.usec += usec + rint(frac - usec);
}

function adjustFractDays(frac: number, scale: number, acc: Acc): void {
  if (frac === 0) return;
  frac *= scale;
  const extra = Math.trunc(frac);
  acc.mday += extra;
  adjustFractMicros(frac - extra, USECS_PER_DAY, acc);
}

function adjustFractYears(frac: number, scale: number, acc: Acc): void {
  if (frac === 0) return;
  acc.mon += rint(frac * scale * 12);
}

/** hh:mm[:ss[.frac]] or mm:ss.frac (or mm:ss for a MINUTE TO SECOND qualifier) in micros. */
function decodeTime(s: string, range: number): number {
  let p = readInt(s, 0);
  if (p === null) return DTERR_FIELD_OVERFLOW;
  let hour = p[0];
  let i = p[1];
  if (s.charCodeAt(i) !== 58) return DTERR_BAD_FORMAT;
  p = readInt(s, i + 1);
  if (p === null) return DTERR_FIELD_OVERFLOW;
  let min = p[0];
  i = p[1];
  let sec = 0;
  let fsec = 0;
  if (i === s.length) {
    if (range === (M_MINUTE | M_SECOND)) {
      sec = min;
      min = hour;
      hour = 0;
    }
  } else if (s.charCodeAt(i) === 46) {
    const f = readFraction(s, i);
    if (Number.isNaN(f)) return DTERR_BAD_FORMAT;
    fsec = rint(f * 1e6);
    sec = min;
    min = hour;
    hour = 0;
  } else if (s.charCodeAt(i) === 58) {
    p = readInt(s, i + 1);
    if (p === null) return DTERR_FIELD_OVERFLOW;
    sec = p[0];
    i = p[1];
    if (i !== s.length) {
      const f = readFraction(s, i);
      if (Number.isNaN(f)) return DTERR_BAD_FORMAT;
      fsec = rint(f * 1e6);
    }
  } else {
    return DTERR_BAD_FORMAT;
  }
  if (hour < 0 || min < 0 || min > 59 || sec < 0 || sec > 60 || fsec < 0 || fsec > USECS_PER_SEC) {
    return DTERR_FIELD_OVERFLOW;
  }
  return hour * USECS_PER_HOUR + min * USECS_PER_MINUTE + sec * USECS_PER_SEC + fsec;
}

/** Units a bare number takes from an interval qualifier. */
function unitFromRange(range: number): number {
  switch (range) {
    case M_YEAR: return U_YEAR;
    case M_MONTH:
    case M_YEAR | M_MONTH: return U_MONTH;
    case M_DAY: return U_DAY;
    case M_HOUR:
    case M_DAY | M_HOUR: return U_HOUR;
    case M_MINUTE:
    case M_HOUR | M_MINUTE:
    case M_DAY | M_HOUR | M_MINUTE: return U_MINUTE;
    default: return U_SECOND;
  }
}

function decodeInterval(text: string, range: number, acc: Acc, sqlStandard: boolean): number {
  const fields: string[] = [];
  const types: number[] = [];
  if (!tokenize(text, fields, types)) return DTERR_BAD_FORMAT;
  let forceNegative = false;
  if (sqlStandard && fields.length > 0 && fields[0]!.charCodeAt(0) === 45) {
    forceNegative = true;
    for (let k = 1; k < fields.length; k++) {
      const c = fields[k]!.charCodeAt(0);
      if (c === 45 || c === 43) {
        forceNegative = false;
        break;
      }
    }
  }
  let fmask = 0;
  let unit = 0; // 0: no unit seen for the next number leftwards
  let isBefore = false;
  for (let k = fields.length - 1; k >= 0; k--) {
    const f = fields[k]!;
    let ftype = types[k]!;
    let tmask = 0;
    if (ftype === F_SIGNED && f.indexOf(':') > 0) {
      const t = decodeTime(f.slice(1), range);
      if (t >= 0) {
        tmask = M_TIME;
        acc.usec = f.charCodeAt(0) === 45 || forceNegative ? -t : t;
        unit = U_DAY;
        if (tmask & fmask) return DTERR_BAD_FORMAT;
        fmask |= tmask;
        continue;
      }
      ftype = F_NUMBER; // as Postgres: let the number code reject it
    }
    switch (ftype) {
      case F_TIME: {
        const t = decodeTime(f, range);
        if (t < 0) return t;
        tmask = M_TIME;
        acc.usec = forceNegative ? -t : t;
        unit = U_DAY;
        break;
      }
      case F_SIGNED:
      case F_NUMBER:
      case F_DATE: {
        if (unit === 0) unit = unitFromRange(range);
        const p = readInt(f, 0);
        if (p === null) return DTERR_FIELD_OVERFLOW;
        let val = p[0];
        const i = p[1];
        let fval = 0;
        const c = i < f.length ? f.charCodeAt(i) : 0;
        if (c === 45 && i > 0) {
          // SQL year-month: `1-2`
          const q = readInt(f, i + 1);
          if (q === null) return DTERR_FIELD_OVERFLOW;
          let val2 = q[0];
          if (val2 < 0 || val2 >= 12) return DTERR_FIELD_OVERFLOW;
          if (q[1] !== f.length) return DTERR_BAD_FORMAT;
          unit = U_MONTH;
          if (f.charCodeAt(0) === 45) val2 = -val2;
          val = val * 12 + val2;
          if (!fitsInt32(val)) return DTERR_FIELD_OVERFLOW;
        } else if (c === 46) {
          fval = readFraction(f, i);
          if (Number.isNaN(fval)) return DTERR_BAD_FORMAT;
          if (f.charCodeAt(0) === 45) fval = -fval;
        } else if (c !== 0) {
          return DTERR_BAD_FORMAT;
        }
        if (forceNegative) {
          if (val > 0) val = -val;
          if (fval > 0) fval = -fval;
        }
        switch (unit) {
          case U_MICROSEC:
            acc.usec += val + rint(fval);
            tmask = M_MICROSEC;
            break;
          case U_MILLISEC:
            acc.usec += val * 1000;
            adjustFractMicros(fval, 1000, acc);
            tmask = M_MILLISEC;
            break;
          case U_SECOND:
            acc.usec += val * USECS_PER_SEC;
            adjustFractMicros(fval, USECS_PER_SEC, acc);
            tmask = fval === 0 ? M_SECOND : M_ALL_SECS;
            break;
          case U_MINUTE:
            acc.usec += val * USECS_PER_MINUTE;
            adjustFractMicros(fval, USECS_PER_MINUTE, acc);
            tmask = M_MINUTE;
            break;
          case U_HOUR:
            acc.usec += val * USECS_PER_HOUR;
            adjustFractMicros(fval, USECS_PER_HOUR, acc);
            tmask = M_HOUR;
            unit = U_DAY;
            break;
          case U_DAY:
            acc.mday += val;
            adjustFractMicros(fval, USECS_PER_DAY, acc);
            tmask = M_DAY;
            break;
          case U_WEEK:
            acc.mday += val * 7;
            adjustFractDays(fval, 7, acc);
            tmask = M_WEEK;
            break;
          case U_MONTH:
            acc.mon += val;
            adjustFractDays(fval, DAYS_PER_MONTH, acc);
            tmask = M_MONTH;
            break;
          case U_YEAR:
            acc.year += val;
            adjustFractYears(fval, 1, acc);
            tmask = M_YEAR;
            break;
          case U_DECADE:
            acc.year += val * 10;
            adjustFractYears(fval, 10, acc);
            tmask = M_DECADE;
            break;
          case U_CENTURY:
            acc.year += val * 100;
            adjustFractYears(fval, 100, acc);
            tmask = M_CENTURY;
            break;
          case U_MILLENNIUM:
            acc.year += val * 1000;
            adjustFractYears(fval, 1000, acc);
            tmask = M_MILLENNIUM;
            break;
          default:
            return DTERR_BAD_FORMAT;
        }
        break;
      }
      case F_STRING:
      case F_SPECIAL: {
        const u = UNITS.get(f.length > 10 ? f.slice(0, 10) : f);
        if (u === undefined || u === U_UNSUPPORTED) return DTERR_BAD_FORMAT;
        if (u === U_IGNORE) continue;
        if (u === U_AGO) {
          // A number right before `ago` has no unit (Postgres rejects it).
          isBefore = true;
          unit = U_AGO;
          break;
        }
        unit = u;
        break;
      }
      default:
        return DTERR_BAD_FORMAT;
    }
    if (tmask & fmask) return DTERR_BAD_FORMAT;
    fmask |= tmask;
  }
  if (fmask === 0) return DTERR_BAD_FORMAT;
  if (isBefore) {
    acc.usec = -acc.usec;
    acc.mday = -acc.mday;
    acc.mon = -acc.mon;
    acc.year = -acc.year;
  }
  return 0;
}

/** Reads a number as strtod would at s[i..]; returns [int part, fraction, end] or an error. */
function readIsoNumber(s: string, i: number): [number, number, number] | number {
  const c = s.charCodeAt(i);
  if (!(isDigit(c) || c === 45 || c === 46)) return DTERR_BAD_FORMAT;
  const start = i;
  if (c === 45 || c === 43) i++;
  const mantStart = i;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  let digits = i - mantStart;
  if (i < s.length && s.charCodeAt(i) === 46) {
    i++;
    const fs = i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    digits += i - fs;
  }
  if (digits === 0) return DTERR_BAD_FORMAT;
  if (i < s.length && (s.charCodeAt(i) | 0x20) === 101) {
    let j = i + 1;
    if (j < s.length && (s.charCodeAt(j) === 43 || s.charCodeAt(j) === 45)) j++;
    if (j < s.length && isDigit(s.charCodeAt(j))) {
      while (j < s.length && isDigit(s.charCodeAt(j))) j++;
      i = j;
    }
  }
  const val = Number(s.slice(start, i));
  if (Number.isNaN(val) || val < -1e15 || val > 1e15) return DTERR_FIELD_OVERFLOW;
  const ipart = val >= 0 ? Math.floor(val) : -Math.floor(-val);
  return [ipart, val - ipart, i];
}

/** Count of leading characters in `-0123456789` (Postgres's ISO8601_INTEGER_DIGITS). */
function integerDigits(s: string, i: number): number {
  let n = 0;
  while (i + n < s.length && (isDigit(s.charCodeAt(i + n)) || s.charCodeAt(i + n) === 45)) n++;
  return n;
}

function decodeIso8601(s: string, acc: Acc): number {
  if (s.length < 2 || s.charCodeAt(0) !== 80) return DTERR_BAD_FORMAT;
  let i = 1;
  let datePart = true;
  let haveField = false;
  const next = (): [number, number] | number => {
    const r = readIsoNumber(s, i);
    if (typeof r === 'number') return r;
    i = r[2];
    return [r[0], r[1]];
  };
  while (i < s.length) {
    if (s.charCodeAt(i) === 84 /* T */) {
      datePart = false;
      haveField = false;
      i++;
      continue;
    }
    const fieldStart = i;
    let r = next();
    if (typeof r === 'number') return r;
    let [val, fval] = r;
    const unit = i < s.length ? s[i]! : '';
    i++;
    if (datePart) {
      switch (unit) {
        case 'Y':
          acc.year += val;
          adjustFractYears(fval, 1, acc);
          break;
        case 'M':
          acc.mon += val;
          adjustFractDays(fval, DAYS_PER_MONTH, acc);
          break;
        case 'W':
          acc.mday += val * 7;
          adjustFractDays(fval, 7, acc);
          break;
        case 'D':
          acc.mday += val;
          adjustFractMicros(fval, USECS_PER_DAY, acc);
          break;
        case 'T':
        case '':
        case '-': {
          if ((unit === 'T' || unit === '') && integerDigits(s, fieldStart) === 8 && !haveField) {
            acc.year += Math.trunc(val / 10000);
            acc.mon += Math.trunc(val / 100) % 100;
            acc.mday += val % 100;
            adjustFractMicros(fval, USECS_PER_DAY, acc);
            if (unit === '') return 0;
            datePart = false;
            haveField = false;
            continue;
          }
          if (haveField) return DTERR_BAD_FORMAT;
          acc.year += val;
          adjustFractYears(fval, 1, acc);
          if (unit === '') return 0;
          if (unit === 'T') {
            datePart = false;
            haveField = false;
            continue;
          }
          r = next();
          if (typeof r === 'number') return r;
          [val, fval] = r;
          acc.mon += val;
          adjustFractDays(fval, DAYS_PER_MONTH, acc);
          if (i >= s.length) return 0;
          if (s[i] === 'T') {
            datePart = false;
            haveField = false;
            i++;
            continue;
          }
          if (s[i] !== '-') return DTERR_BAD_FORMAT;
          i++;
          r = next();
          if (typeof r === 'number') return r;
          [val, fval] = r;
          acc.mday += val;
          adjustFractMicros(fval, USECS_PER_DAY, acc);
          if (i >= s.length) return 0;
          if (s[i] === 'T') {
            datePart = false;
            haveField = false;
            i++;
            continue;
          }
          return DTERR_BAD_FORMAT;
        }
        default:
          return DTERR_BAD_FORMAT;
      }
    } else {
      switch (unit) {
        case 'H':
          acc.usec += val * USECS_PER_HOUR;
          adjustFractMicros(fval, USECS_PER_HOUR, acc);
          break;
        case 'M':
          acc.usec += val * USECS_PER_MINUTE;
          adjustFractMicros(fval, USECS_PER_MINUTE, acc);
          break;
        case 'S':
          acc.usec += val * USECS_PER_SEC;
          adjustFractMicros(fval, USECS_PER_SEC, acc);
          break;
        case '':
        case ':': {
          if (unit === '' && integerDigits(s, fieldStart) === 6 && !haveField) {
            acc.usec += Math.trunc(val / 10000) * USECS_PER_HOUR
              + (Math.trunc(val / 100) % 100) * USECS_PER_MINUTE + (val % 100) * USECS_PER_SEC;
            adjustFractMicros(fval, 1, acc); // sic: Postgres scales this fraction as microseconds
            return 0;
          }
          if (haveField) return DTERR_BAD_FORMAT;
          acc.usec += val * USECS_PER_HOUR;
          adjustFractMicros(fval, USECS_PER_HOUR, acc);
          if (unit === '') return 0;
          r = next();
          if (typeof r === 'number') return r;
          [val, fval] = r;
          acc.usec += val * USECS_PER_MINUTE;
          adjustFractMicros(fval, USECS_PER_MINUTE, acc);
          if (i >= s.length) return 0;
          if (s[i] !== ':') return DTERR_BAD_FORMAT;
          i++;
          r = next();
          if (typeof r === 'number') return r;
          [val, fval] = r;
          acc.usec += val * USECS_PER_SEC;
          adjustFractMicros(fval, USECS_PER_SEC, acc);
          if (i >= s.length) return 0;
          return DTERR_BAD_FORMAT;
        }
        default:
          return DTERR_BAD_FORMAT;
      }
    }
    haveField = true;
  }
  return 0;
}
