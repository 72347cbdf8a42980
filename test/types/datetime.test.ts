import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SabotError } from '../../src/errors.js';
import { Interval } from '../../src/types/interval.js';
import {
  civilFromDays, dateAddDays, dateAddInterval, dateDiff, dateToTimestamptz, dateTrunc, dateTruncInterval,
  daysFromCivil, daysInMonth, extract, formatDate, formatOffset, formatTime, formatTimestamp, formatTimestamptz,
  isLeapYear, isValidTimeZone, localToUtc, parseDate, parseTime, parseTimestamp, parseTimestamptz,
  resolveTimeZone, timeAddInterval, timeDiff, timestampAddInterval, timestampDiff, timestampSubInterval,
  timestampToTimestamptz, timestamptzAddInterval, timestamptzToTimestamp, timestamptzToDate, utcToLocal,
} from '../../src/types/datetime.js';
import { throwsSql } from '../support/assertions.js';

const NY = 'America/New_York';
const ts = (s: string): string => formatTimestamp(parseTimestamp(s));
const tz = (s: string, zone = 'UTC'): string => formatTimestamptz(parseTimestamptz(s, { timeZone: zone }), zone);
const iv = (s: string): Interval => Interval.parse(s);


describe('calendar', () => {
  it('converts between dates and day numbers', () => {
    assert.equal(daysFromCivil(1970, 1, 1), 0);
    assert.equal(daysFromCivil(2000, 1, 1), 10957);
    assert.equal(daysFromCivil(1969, 12, 31), -1);
    assert.equal(daysFromCivil(2024, 3, 1) - daysFromCivil(2024, 2, 1), 29);
    assert.deepEqual(civilFromDays(19782), { year: 2024, month: 2, day: 29 });
    assert.deepEqual(civilFromDays(-719528), { year: 0, month: 1, day: 1 });
    for (let d = -800000; d < 800000; d += 997) {
      const c = civilFromDays(d);
      assert.equal(daysFromCivil(c.year, c.month, c.day), d);
    }
  });

  it('knows leap years', () => {
    assert.ok(isLeapYear(2024));
    assert.ok(isLeapYear(2000));
    assert.ok(!isLeapYear(1900));
    assert.ok(!isLeapYear(2023));
    assert.equal(daysInMonth(2024, 2), 29);
    assert.equal(daysInMonth(2023, 2), 28);
    assert.equal(daysInMonth(2024, 4), 30);
  });
});

describe('timestamp input and output', () => {
  it('reads ISO forms and prints them as Postgres does', () => {
    const cases: Array<[string, string]> = [
      ['2024-01-02 03:04:05', '2024-01-02 03:04:05'],
      ['2024-01-02T03:04:05.123456', '2024-01-02 03:04:05.123456'],
      ['2024-01-02t03:04:05', '2024-01-02 03:04:05'],
      ['2024-01-02 03:04:05.5', '2024-01-02 03:04:05.5'],
      ['2024-01-02 03:04:05.250', '2024-01-02 03:04:05.25'],
      ['2024-01-02', '2024-01-02 00:00:00'],
      ['2024-01-02T03:04', '2024-01-02 03:04:00'],
      ['2024/01/02 03:04', '2024-01-02 03:04:00'],
      ['2024-1-2', '2024-01-02 00:00:00'],
      ['20240102', '2024-01-02 00:00:00'],
      ['  2024-01-02   03:04:05  ', '2024-01-02 03:04:05'],
      ['2024-01-02 3:4:5', '2024-01-02 03:04:05'],
      ['2024-01-02 03:04:05.', '2024-01-02 03:04:05'],
      ['2024-01-02 03:04:05+02', '2024-01-02 03:04:05'],
      ['2024-01-02 03:04:05 Europe/Paris', '2024-01-02 03:04:05'],
      ['2024-01-02 03:04:05.1234567', '2024-01-02 03:04:05.123457'],
      ['2024-01-02 23:59:59.9999999', '2024-01-03 00:00:00'],
      ['2024-01-01 24:00:00', '2024-01-02 00:00:00'],
      ['2024-01-01 23:59:60', '2024-01-02 00:00:00'],
      ['2024-02-29 12:00', '2024-02-29 12:00:00'],
      ['1600-02-29', '1600-02-29 00:00:00'],
      ['1969-12-31 23:59:59.999999', '1969-12-31 23:59:59.999999'],
      ['1000-01-01 00:00:00.5', '1000-01-01 00:00:00.5'],
      ['0001-01-01', '0001-01-01 00:00:00'],
      ['0001-01-01 BC', '0001-01-01 00:00:00 BC'],
      ['10000-01-01', '10000-01-01 00:00:00'],
      ['294276-12-31 23:59:59', '294276-12-31 23:59:59'],
      ['epoch', '1970-01-01 00:00:00'],
      ['infinity', 'infinity'],
      ['-infinity', '-infinity'],
    ];
    for (const [input, out] of cases) assert.equal(ts(input), out, input);
    assert.equal(parseTimestamp('2024-01-02 03:04:05'), 1704164645000000);
    assert.equal(parseTimestamp('epoch'), 0);
  });

  it('reads now, today, tomorrow and yesterday from the given instant and zone', () => {
    const now = parseTimestamptz('2024-07-01 02:30:00+00');
    assert.equal(formatTimestamp(parseTimestamp('now', { now, timeZone: NY })), '2024-06-30 22:30:00');
    assert.equal(formatTimestamp(parseTimestamp('today', { now, timeZone: NY })), '2024-06-30 00:00:00');
    assert.equal(formatTimestamp(parseTimestamp('tomorrow', { now })), '2024-07-02 00:00:00');
    assert.equal(formatTimestamp(parseTimestamp('yesterday', { now })), '2024-06-30 00:00:00');
    assert.equal(parseTimestamptz('now', { now }), now);
    assert.equal(formatTimestamptz(parseTimestamptz('today', { now, timeZone: NY }), 'UTC'), '2024-06-30 04:00:00+00');
    assert.equal(formatDate(parseDate('today', { now, timeZone: 'Asia/Tokyo' })), '2024-07-01');
  });

  it('rejects bad syntax with 22007 and bad fields with 22008', () => {
    for (const t of ['garbage', 'x', '', '12:00', '2024-01-02 03', '2024-01-02 03:04:05 x y']) {
      throwsSql(() => parseTimestamp(t), '22007', `invalid input syntax for type timestamp: "${t}"`);
    }
    for (const t of ['2024-02-30 10:00', '2024-01-02 25:00', '2024-01-02 03:60', '2024-01-01 24:00:01', '0000-01-01',
      '2023-02-29', '1900-02-29']) {
      throwsSql(() => parseTimestamp(t), '22008', `date/time field value out of range: "${t}"`);
    }
    assert.throws(() => parseTimestamp('2024-13-01'), (e: unknown) => e instanceof SabotError && e.code === '22008'
      && e.hint === 'Perhaps you need a different "datestyle" setting.');
    throwsSql(() => parseTimestamp('294277-01-01'), '22008', 'timestamp out of range: "294277-01-01"');
  });
});

describe('timestamptz input and output', () => {
  it('reads offsets and zone names (session zone UTC)', () => {
    const cases: Array<[string, string]> = [
      ['2024-01-02 03:04:05', '2024-01-02 03:04:05+00'],
      ['2024-01-02 03:04:05.5+02', '2024-01-02 01:04:05.5+00'],
      ['2024-01-02T03:04:05.123456Z', '2024-01-02 03:04:05.123456+00'],
      ['2024-01-02 03:04:05 z', '2024-01-02 03:04:05+00'],
      ['2024-01-02 03:04:05-0800', '2024-01-02 11:04:05+00'],
      ['2024-01-02 03:04:05-08:00:30', '2024-01-02 11:04:35+00'],
      ['2024-01-02 03:04:05+05:30', '2024-01-01 21:34:05+00'],
      ['2024-01-02 03:04:05+0530', '2024-01-01 21:34:05+00'],
      ['2024-01-02 03:04:05+1:30', '2024-01-02 01:34:05+00'],
      ['2024-01-02 03:04:05+130', '2024-01-02 01:34:05+00'],
      ['2024-01-02 03:04:05 +02', '2024-01-02 01:04:05+00'],
      ['2024-01-02T03:04:05+01:00', '2024-01-02 02:04:05+00'],
      ['2024-01-02 03:04:05+15:59', '2024-01-01 11:05:05+00'],
      ['2024-01-02 +02', '2024-01-01 22:00:00+00'],
      ['2024-01-02', '2024-01-02 00:00:00+00'],
      ['2024-01-02 03:04:05 Europe/Paris', '2024-01-02 02:04:05+00'],
      ['2024-01-02 03:04:05 America/New_York', '2024-01-02 08:04:05+00'],
      ['2024-07-02 03:04:05 America/New_York', '2024-07-02 07:04:05+00'],
      ['2024-01-02 03:04:05 Etc/GMT+5', '2024-01-02 08:04:05+00'],
      ['2024-01-02 03:04:05 UTC', '2024-01-02 03:04:05+00'],
      ['2024-01-02 03:04:05 utc', '2024-01-02 03:04:05+00'],
      ['2024-01-02 03:04:05 GMT', '2024-01-02 03:04:05+00'],
      ['2024-01-02 03:04:05 EST', '2024-01-02 08:04:05+00'],
      ['2024-01-02 03:04:05 pst', '2024-01-02 11:04:05+00'],
      ['2024-01-02 03:04:05+02 AD', '2024-01-02 01:04:05+00'],
      ['0001-01-01 00:00:00+00 BC', '0001-01-01 00:00:00+00 BC'],
      ['2024-01-02 03:04:05.123+02 BC', '2024-01-02 01:04:05.123+00 BC'],
      ['epoch', '1970-01-01 00:00:00+00'],
      ['-infinity', '-infinity'],
    ];
    for (const [input, out] of cases) assert.equal(tz(input), out, input);
  });

  it('prints in the session zone with Postgres offsets', () => {
    const t = parseTimestamptz('2024-01-02 03:04:05+00');
    assert.equal(formatTimestamptz(t, 'UTC'), '2024-01-02 03:04:05+00');
    assert.equal(formatTimestamptz(t, 'Asia/Kolkata'), '2024-01-02 08:34:05+05:30');
    assert.equal(formatTimestamptz(t, 'America/Los_Angeles'), '2024-01-01 19:04:05-08');
    assert.equal(formatTimestamptz(t, 'America/St_Johns'), '2024-01-01 23:34:05-03:30');
    assert.equal(formatTimestamptz(t, '+05:30'), '2024-01-02 08:34:05+05:30');
    assert.equal(formatTimestamptz(t, '-08'), '2024-01-01 19:04:05-08');
    assert.equal(formatTimestamptz(t, 'Europe/Paris'), '2024-01-02 04:04:05+01');
    assert.equal(tz('2024-01-02 03:04:05', 'Asia/Kolkata'), '2024-01-02 03:04:05+05:30');
  });

  it('follows daylight saving time in America/New_York', () => {
    assert.equal(tz('2024-01-15 12:00', NY), '2024-01-15 12:00:00-05');
    assert.equal(tz('2024-07-01 12:00', NY), '2024-07-01 12:00:00-04');
    assert.equal(formatTimestamptz(parseTimestamptz('2024-07-01 12:00', { timeZone: NY }), 'UTC'), '2024-07-01 16:00:00+00');
    assert.equal(formatTimestamptz(parseTimestamptz('2024-01-15 12:00', { timeZone: NY }), 'UTC'), '2024-01-15 17:00:00+00');
    // In the spring-forward gap the offset from before it applies: 02:30 EST = 03:30 EDT.
    assert.equal(tz('2024-03-10 02:30', NY), '2024-03-10 03:30:00-04');
    assert.equal(tz('2024-03-10 01:59:59.999999', NY), '2024-03-10 01:59:59.999999-05');
    assert.equal(tz('2024-03-10 03:00', NY), '2024-03-10 03:00:00-04');
    // In the fall-back overlap the offset from after it applies.
    assert.equal(tz('2024-11-03 01:30', NY), '2024-11-03 01:30:00-05');
    assert.equal(tz('2024-11-03 00:59:59', NY), '2024-11-03 00:59:59-04');
    assert.equal(tz('2024-11-03 02:00', NY), '2024-11-03 02:00:00-05');
  });

  it('prints historical offsets with seconds', () => {
    assert.equal(tz('1900-01-01 00:00', 'Europe/Paris'), '1900-01-01 00:00:00+00:09:21');
    assert.equal(tz('1850-06-01 12:00', 'Europe/Paris'), '1850-06-01 12:00:00+00:09:21');
    assert.equal(tz('1900-01-01 00:00', NY), '1900-01-01 00:00:00-05');
  });

  it('rejects unknown zones (22023) and out-of-range displacements (22009)', () => {
    throwsSql(() => parseTimestamptz('2024-01-02 03:04:05 Nowhere/Land'), '22023',
      'time zone "nowhere/land" not recognized');
    throwsSql(() => parseTimestamptz('2024-01-02 03:04:05+16'), '22009',
      'time zone displacement out of range: "2024-01-02 03:04:05+16"');
    throwsSql(() => parseTimestamptz('x'), '22007', 'invalid input syntax for type timestamp with time zone: "x"');
  });
});

describe('date and time', () => {
  it('reads and prints dates', () => {
    const cases: Array<[string, string]> = [
      ['2024-01-02', '2024-01-02'], ['2024-01-02 03:04:05', '2024-01-02'], ['20240102', '2024-01-02'],
      ['epoch', '1970-01-01'], ['infinity', 'infinity'], ['-infinity', '-infinity'], ['1969-12-31', '1969-12-31'],
      ['0002-03-04 BC', '0002-03-04 BC'], ['5874897-12-31', '5874897-12-31'], ['2024-02-29', '2024-02-29'],
    ];
    for (const [input, out] of cases) assert.equal(formatDate(parseDate(input)), out, input);
    assert.equal(parseDate('2000-01-01'), 10957);
    throwsSql(() => parseDate('x'), '22007', 'invalid input syntax for type date: "x"');
    throwsSql(() => parseDate('2024-02-30'), '22008', 'date/time field value out of range: "2024-02-30"');
    throwsSql(() => parseDate('5874898-01-01'), '22008', 'date out of range: "5874898-01-01"');
  });

  it('reads and prints times', () => {
    const cases: Array<[string, string]> = [
      ['12:34', '12:34:00'], ['24:00', '24:00:00'], ['23:59:59.9999999', '24:00:00'], ['03:04:05.25', '03:04:05.25'],
      ['2024-01-02 03:04:05', '03:04:05'], ['03:04:05+02', '03:04:05'], ['allballs', '00:00:00'],
      ['1:2', '01:02:00'], ['03:04:05.999999499', '03:04:05.999999'], ['00:00:00.25', '00:00:00.25'],
    ];
    for (const [input, out] of cases) assert.equal(formatTime(parseTime(input)), out, input);
    throwsSql(() => parseTime('x'), '22007', 'invalid input syntax for type time: "x"');
    throwsSql(() => parseTime('2024-01-02'), '22007', 'invalid input syntax for type time: "2024-01-02"');
    throwsSql(() => parseTime('25:00'), '22008', 'date/time field value out of range: "25:00"');
    throwsSql(() => parseTime('24:00:01'), '22008', 'date/time field value out of range: "24:00:01"');
  });
});

describe('time zones', () => {
  it('resolves IANA names and ISO-signed offsets', () => {
    assert.equal(resolveTimeZone('UTC').fixedOffset, 0);
    assert.equal(resolveTimeZone('+02').fixedOffset, 7200);
    assert.equal(resolveTimeZone('-05:30').fixedOffset, -19800);
    assert.equal(resolveTimeZone('+0545').fixedOffset, 20700);
    assert.equal(resolveTimeZone('europe/paris').name, 'Europe/Paris');
    assert.equal(resolveTimeZone(NY), resolveTimeZone(NY));
    assert.ok(isValidTimeZone('Asia/Kolkata'));
    assert.ok(!isValidTimeZone('Mars/Olympus'));
    throwsSql(() => resolveTimeZone('Mars/Olympus'), '22023', 'time zone "Mars/Olympus" not recognized');
  });

  it('gives the offset in effect at an instant', () => {
    const z = resolveTimeZone(NY);
    assert.equal(z.offsetAt(parseTimestamptz('2024-01-15 12:00+00')), -5 * 3600);
    assert.equal(z.offsetAt(parseTimestamptz('2024-07-15 12:00+00')), -4 * 3600);
    // The transition instant itself: 2024-03-10 07:00 UTC.
    assert.equal(z.offsetAt(parseTimestamptz('2024-03-10 06:59:59.999+00')), -5 * 3600);
    assert.equal(z.offsetAt(parseTimestamptz('2024-03-10 07:00:00+00')), -4 * 3600);
    assert.equal(formatOffset(-12600), '-03:30');
    assert.equal(formatOffset(561), '+00:09:21');
    assert.equal(formatOffset(0), '+00');
  });

  it('converts wall clocks and instants (AT TIME ZONE)', () => {
    const local = parseTimestamp('2024-07-01 12:00');
    assert.equal(formatTimestamptz(timestampToTimestamptz(local, NY), 'UTC'), '2024-07-01 16:00:00+00');
    assert.equal(formatTimestamptz(timestampToTimestamptz(parseTimestamp('2024-03-10 02:30'), NY), NY),
      '2024-03-10 03:30:00-04');
    assert.equal(formatTimestamp(timestamptzToTimestamp(parseTimestamptz('2024-07-01 12:00+00'), NY)),
      '2024-07-01 08:00:00');
    assert.equal(formatTimestamp(timestamptzToTimestamp(parseTimestamptz('2024-01-01 12:00+00'), NY)),
      '2024-01-01 07:00:00');
    assert.equal(formatTimestamp(timestamptzToTimestamp(parseTimestamptz('2024-01-01 12:00+00'), '-05:30')),
      '2024-01-01 06:30:00');
    assert.equal(utcToLocal(0, '+01'), 3600000000);
    assert.equal(localToUtc(3600000000, '+01'), 0);
    assert.equal(timestamptzToDate(parseTimestamptz('2024-07-01 02:00+00'), NY), parseDate('2024-06-30'));
    assert.equal(formatTimestamptz(dateToTimestamptz(parseDate('2024-07-01'), NY), 'UTC'), '2024-07-01 04:00:00+00');
    assert.equal(timestampToTimestamptz(Infinity, NY), Infinity);
  });
});

describe('arithmetic', () => {
  it('adds months first, clamping to the end of the month, then days, then time', () => {
    const add = (a: string, i: string): string => formatTimestamp(timestampAddInterval(parseTimestamp(a), iv(i)));
    assert.equal(add('2024-01-31', '1 month'), '2024-02-29 00:00:00');
    assert.equal(add('2023-01-31', '1 month'), '2023-02-28 00:00:00');
    assert.equal(add('2024-02-29', '1 year'), '2025-02-28 00:00:00');
    assert.equal(add('2024-01-31 10:00', '1 mon 1 day 1 hour'), '2024-03-01 11:00:00');
    assert.equal(add('2024-05-31', '-3 mons'), '2024-02-29 00:00:00');
    assert.equal(add('2024-12-15', '1 mon'), '2025-01-15 00:00:00');
    assert.equal(add('2024-01-15', '-13 mons'), '2022-12-15 00:00:00');
    assert.equal(add('2024-01-01', '1.5 days'), '2024-01-02 12:00:00');
    assert.equal(add('2000-02-29', '100 years'), '2100-02-28 00:00:00');
    assert.equal(add('2024-01-01', '-1 day -1 sec'), '2023-12-30 23:59:59');
    assert.equal(add('2024-01-31', '11 mons'), '2024-12-31 00:00:00');
    assert.equal(formatTimestamp(timestampSubInterval(parseTimestamp('2024-03-31'), iv('1 month'))), '2024-02-29 00:00:00');
    assert.equal(timestampAddInterval(Infinity, iv('1 day')), Infinity);
    throwsSql(() => timestampAddInterval(parseTimestamp('294276-12-31'), iv('1 year')), '22008', 'timestamp out of range');
  });

  it('adds days to timestamptz on the wall clock of the zone', () => {
    const add = (a: string, i: string): string =>
      formatTimestamptz(timestamptzAddInterval(parseTimestamptz(a, { timeZone: NY }), iv(i), NY), NY);
    assert.equal(add('2024-03-09 12:00', '1 day'), '2024-03-10 12:00:00-04');
    assert.equal(add('2024-03-09 12:00', '24 hours'), '2024-03-10 13:00:00-04');
    assert.equal(add('2024-11-03 00:30', '1 hour'), '2024-11-03 01:30:00-04');
    assert.equal(add('2024-11-03 00:30', '2 hours'), '2024-11-03 01:30:00-05');
    assert.equal(add('2024-02-10 02:30', '1 mon'), '2024-03-10 03:30:00-04');
    assert.equal(add('2024-10-31 12:00', '1 mon 3 days'), '2024-12-03 12:00:00-05');
    assert.equal(add('2024-11-02 01:30', '1 day'), '2024-11-03 01:30:00-05');
  });

  it('subtracts timestamps into days and time, never months', () => {
    const diff = (a: string, b: string): string => timestampDiff(parseTimestamp(a), parseTimestamp(b)).toString();
    assert.equal(diff('2024-03-01 00:00', '2024-02-01 12:00'), '28 days 12:00:00');
    assert.equal(diff('2024-01-01', '2024-01-02 03:00'), '-1 days -03:00:00');
    assert.equal(diff('2024-01-01 00:00:00.5', '2023-01-01'), '365 days 00:00:00.5');
    assert.equal(diff('2024-01-01', '2024-01-01'), '00:00:00');
    assert.equal(timestampDiff(parseTimestamptz('2024-03-11 00:00-04'), parseTimestamptz('2024-03-10 00:00-05')).toString(),
      '23:00:00');
    throwsSql(() => timestampDiff(Infinity, 0), '22008', 'cannot subtract infinite timestamps');
  });

  it('does date and time arithmetic', () => {
    assert.equal(formatDate(dateAddDays(parseDate('2024-02-28'), 1)), '2024-02-29');
    assert.equal(dateDiff(parseDate('2024-03-01'), parseDate('2024-02-01')), 29);
    assert.equal(formatTimestamp(dateAddInterval(parseDate('2024-01-31'), iv('1 month'))), '2024-02-29 00:00:00');
    assert.equal(formatTimestamp(dateAddInterval(parseDate('2024-01-31'), iv('-1 hour'))), '2024-01-30 23:00:00');
    assert.equal(formatTime(timeAddInterval(parseTime('23:00'), iv('2 hours'))), '01:00:00');
    assert.equal(formatTime(timeAddInterval(parseTime('01:00'), iv('-2 hours'))), '23:00:00');
    assert.equal(timeDiff(parseTime('10:00'), parseTime('12:30')).toString(), '-02:30:00');
  });
});

describe('date_trunc', () => {
  it('truncates timestamps', () => {
    const trunc = (u: string, v: string): string => formatTimestamp(dateTrunc(u, parseTimestamp(v)));
    assert.equal(trunc('week', '2024-01-03 10:00'), '2024-01-01 00:00:00');
    assert.equal(trunc('week', '2024-01-07 23:59'), '2024-01-01 00:00:00');
    assert.equal(trunc('quarter', '2024-05-15'), '2024-04-01 00:00:00');
    assert.equal(trunc('decade', '2024-05-15'), '2020-01-01 00:00:00');
    assert.equal(trunc('century', '2024-05-15'), '2001-01-01 00:00:00');
    assert.equal(trunc('century', '2000-05-15'), '1901-01-01 00:00:00');
    assert.equal(trunc('millennium', '2024-05-15'), '2001-01-01 00:00:00');
    assert.equal(trunc('millennium', '2000-12-31'), '1001-01-01 00:00:00');
    assert.equal(trunc('millisecond', '2024-05-15 01:02:03.456789'), '2024-05-15 01:02:03.456');
    assert.equal(trunc('microseconds', '2024-01-07 23:59:00.123456'), '2024-01-07 23:59:00.123456');
    assert.equal(trunc('second', '2024-05-15 01:02:03.5'), '2024-05-15 01:02:03');
    assert.equal(trunc('minute', '2024-05-15 01:02:03'), '2024-05-15 01:02:00');
    assert.equal(trunc('hour', '2024-05-15 01:02:03'), '2024-05-15 01:00:00');
    assert.equal(trunc('day', '2024-05-15 23:00'), '2024-05-15 00:00:00');
    assert.equal(trunc('month', '2024-05-15'), '2024-05-01 00:00:00');
    assert.equal(trunc('YEAR', '2024-05-15 01:02:03.5'), '2024-01-01 00:00:00');
    assert.equal(trunc('day', '1969-12-31 23:00'), '1969-12-31 00:00:00');
    throwsSql(() => dateTrunc('foo', 0), '22023', 'unit "foo" not recognized for type timestamp without time zone');
    throwsSql(() => dateTrunc('dow', 0), '22023', 'unit "dow" not recognized for type timestamp without time zone');
  });

  it('truncates timestamptz in a zone', () => {
    const trunc = (u: string, v: string, z: string): string => formatTimestamptz(dateTrunc(u, parseTimestamptz(v), z), z);
    assert.equal(trunc('day', '2024-11-03 12:00-05', NY), '2024-11-03 00:00:00-04');
    assert.equal(trunc('hour', '2024-11-03 01:30-05', NY), '2024-11-03 01:00:00-05');
    assert.equal(trunc('hour', '2024-11-03 01:30-04', NY), '2024-11-03 01:00:00-04');
    assert.equal(trunc('day', '2024-07-01 02:00+00', 'Europe/Paris'), '2024-07-01 00:00:00+02');
    assert.equal(trunc('month', '2024-03-31 23:30+00', 'Europe/Paris'), '2024-04-01 00:00:00+02');
    assert.equal(trunc('week', '2024-03-11 01:00+00', NY), '2024-03-04 00:00:00-05');
    assert.equal(trunc('minute', '2024-03-10 12:00:30.5-04', 'Asia/Kolkata'), '2024-03-10 21:30:00+05:30');
    assert.equal(formatTimestamptz(dateTrunc('day', parseTimestamptz('2024-07-01 02:00+00'), 'Europe/Paris'), NY),
      '2024-06-30 18:00:00-04');
  });

  it('truncates intervals', () => {
    assert.equal(dateTruncInterval('hour', iv('1 year 2 mons 3 days 04:05:06')).toString(), '1 year 2 mons 3 days 04:00:00');
    assert.equal(dateTruncInterval('year', iv('1 year 2 mons 3 days')).toString(), '1 year');
    assert.equal(dateTruncInterval('quarter', iv('1 year 5 mons')).toString(), '1 year 3 mons');
  });
});

describe('extract', () => {
  const t = parseTimestamp('2024-01-02 03:04:05.5');
  it('extracts timestamp fields', () => {
    const expected: Record<string, number> = {
      epoch: 1704164645.5, second: 5.5, milliseconds: 5500, microseconds: 5500000, minute: 4, hour: 3, day: 2,
      month: 1, year: 2024, dow: 2, isodow: 2, doy: 2, week: 1, quarter: 1, decade: 202, century: 21,
      millennium: 3, isoyear: 2024, ms: 5500, usec: 5500000, Year: 2024,
    };
    for (const [f, v] of Object.entries(expected)) assert.equal(extract(f, 'timestamp', t), v, f);
    assert.equal(extract('julian', 'timestamp', t), 2460312 + 11045.5 / 86400);
    throwsSql(() => extract('timezone', 'timestamp', t), '0A000', 'unit "timezone" not supported for type timestamp without time zone');
    throwsSql(() => extract('foo', 'timestamp', t), '22023', 'unit "foo" not recognized for type timestamp without time zone');
  });

  it('extracts date fields (ISO weeks, day of week, centuries)', () => {
    const dx = (f: string, s: string): number | null => extract(f, 'date', parseDate(s));
    assert.equal(dx('dow', '2024-01-07'), 0);
    assert.equal(dx('isodow', '2024-01-07'), 7);
    assert.equal(dx('doy', '2024-12-31'), 366);
    assert.equal(dx('week', '2024-12-30'), 1);
    assert.equal(dx('isoyear', '2024-12-30'), 2025);
    assert.equal(dx('week', '2021-01-03'), 53);
    assert.equal(dx('isoyear', '2021-01-03'), 2020);
    assert.equal(dx('quarter', '2024-05-01'), 2);
    assert.equal(dx('decade', '2024-01-01'), 202);
    assert.equal(dx('century', '2000-12-31'), 20);
    assert.equal(dx('century', '2001-01-01'), 21);
    assert.equal(dx('millennium', '2000-01-01'), 2);
    assert.equal(dx('millennium', '2001-01-01'), 3);
    assert.equal(dx('epoch', '2024-01-01'), 1704067200);
    assert.equal(dx('year', '0044-03-15 BC'), -44);
    throwsSql(() => dx('hour', '2024-01-01'), '0A000', 'unit "hour" not supported for type date');
  });

  it('extracts time, timestamptz and interval fields', () => {
    const tm = parseTime('13:14:15.25');
    assert.equal(extract('epoch', 'time', tm), 47655.25);
    assert.equal(extract('hour', 'time', tm), 13);
    assert.equal(extract('second', 'time', tm), 15.25);
    assert.equal(extract('milliseconds', 'time', tm), 15250);
    throwsSql(() => extract('day', 'time', tm), '0A000', 'unit "day" not supported for type time without time zone');

    const z = parseTimestamptz('2024-01-01 00:00+05:30');
    assert.equal(extract('timezone', 'timestamptz', z, 'Asia/Kolkata'), 19800);
    assert.equal(extract('timezone_hour', 'timestamptz', z, 'Asia/Kolkata'), 5);
    assert.equal(extract('timezone_minute', 'timestamptz', z, 'Asia/Kolkata'), 30);
    assert.equal(extract('hour', 'timestamptz', z, 'Asia/Kolkata'), 0);
    assert.equal(extract('hour', 'timestamptz', z, 'UTC'), 18);
    assert.equal(extract('day', 'timestamptz', z, 'UTC'), 31);
    assert.equal(extract('epoch', 'timestamptz', z, 'Asia/Kolkata'), 1704047400);
    assert.equal(extract('hour', 'timestamptz', parseTimestamptz('2024-07-01 12:00+00'), NY), 8);
    assert.equal(extract('hour', 'timestamptz', parseTimestamptz('2024-01-01 12:00+00'), NY), 7);

    const i = iv('1 year 2 mons 3 days 04:05:06.5');
    const expected: Record<string, number> = {
      epoch: 37015506.5, month: 2, year: 1, day: 3, hour: 4, minute: 5, second: 6.5, milliseconds: 6500,
      microseconds: 6500000, quarter: 1, decade: 0, century: 0, millennium: 0,
    };
    for (const [f, v] of Object.entries(expected)) assert.equal(extract(f, 'interval', i), v, f);
    assert.equal(extract('hour', 'interval', iv('-25:30')), -25);
    assert.equal(extract('minute', 'interval', iv('-25:30')), -30);
    assert.equal(extract('month', 'interval', iv('-1 year -14 mons')), -2);
    assert.equal(extract('year', 'interval', iv('-1 year -14 mons')), -2);
    throwsSql(() => extract('week', 'interval', i), '0A000', 'unit "week" not supported for type interval');
  });

  it('gives ±Infinity or null for infinite values', () => {
    assert.equal(extract('year', 'timestamp', Infinity), Infinity);
    assert.equal(extract('epoch', 'date', -Infinity), -Infinity);
    assert.equal(extract('hour', 'timestamp', Infinity), null);
    assert.equal(extract('dow', 'date', -Infinity), null);
  });
});
