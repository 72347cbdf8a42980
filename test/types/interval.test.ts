import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Interval } from '../../src/types/interval.js';
import { throwsSql } from '../support/assertions.js';

const iv = (s: string): Interval => Interval.parse(s);
const pg = (s: string): string => Interval.parse(s).toString();


describe('Interval.parse', () => {
  it('reads Postgres interval syntax (results checked against PostgreSQL 15)', () => {
    const cases: Array<[string, string]> = [
      ['1 day 2 hours', '1 day 02:00:00'],
      ['1 year 2 mons', '1 year 2 mons'],
      ['3 days 04:05:06', '3 days 04:05:06'],
      ['04:05', '04:05:00'],
      ['-1:30', '-01:30:00'],
      ['1.5 hours', '01:30:00'],
      ['1 week', '7 days'],
      ['2 weeks 3 days', '17 days'],
      ['@ 1 minute ago', '-00:01:00'],
      ['1 year 2 mons 3 days 04:05:06.789', '1 year 2 mons 3 days 04:05:06.789'],
      ['1 2:03:04', '1 day 02:03:04'],
      ['1 day, 2 hours', '1 day 02:00:00'],
      ['1day', '1 day'],
      ['-1 day +2 hours', '-1 days +02:00:00'],
      ['1.5', '00:00:01.5'],
      ['1', '00:00:01'],
      ['+1', '00:00:01'],
      ['- 1 day', '-1 days'],
      ['1 2 hours', '1 day 02:00:00'],
      ['2 hours 1', '02:00:01'],
      ['1 hour 30', '01:00:30'],
      ['1.5 mons', '1 mon 15 days'],
      ['1.5 years', '1 year 6 mons'],
      ['0.5 weeks', '3 days 12:00:00'],
      ['-1.5 days', '-1 days -12:00:00'],
      ['1 millisecond', '00:00:00.001'],
      ['1.5 ms', '00:00:00.0015'],
      ['1 us', '00:00:00.000001'],
      ['1 microseconds', '00:00:00.000001'],
      ['1 milliseconds', '00:00:00.001'],
      ['2 centuries', '200 years'],
      ['1 decade', '10 years'],
      ['1 mil', '1000 years'],
      ['1:2:3', '01:02:03'],
      ['1:2:3.5', '01:02:03.5'],
      ['25:00', '25:00:00'],
      ['1 day -2:30', '1 day -02:30:00'],
      ['1-2', '1 year 2 mons'],
      ['-1-2', '-1 years -2 mons'],
      ['10-2 3 4:05:06', '10 years 2 mons 3 days 04:05:06'],
      ['1:30.5', '00:01:30.5'],
      ['1 hours 2 mins 3 secs ago', '-01:02:03'],
      ['1 year ago', '-1 years'],
      ['1 day ago 2 hours', '-1 days -02:00:00'],
      ['@1 day', '1 day'],
      ['5 m', '00:05:00'],
      ['3 s', '00:00:03'],
      ['2 y 1 mon', '2 years 1 mon'],
      ['1 d 1 h', '1 day 01:00:00'],
      ['1 hr 30 min', '01:30:00'],
      ['1 day 1', '1 day 00:00:01'],
      ['.5 day', '12:00:00'],
      ['1.5 week', '10 days 12:00:00'],
      ['2147483647 days', '2147483647 days'],
      ['1 week 1 day', '8 days'],
      ['  1 DAY  ', '1 day'],
      ['0', '00:00:00'],
      ['3 days 04:05:06.5', '3 days 04:05:06.5'],
      ['1 day hours', '1 day'],
    ];
    for (const [input, out] of cases) assert.equal(pg(input), out, input);
  });

  it('reads ISO 8601 intervals', () => {
    const cases: Array<[string, string]> = [
      ['P1Y2M3DT4H5M6S', '1 year 2 mons 3 days 04:05:06'],
      ['P1Y2M3DT4H5M6.789S', '1 year 2 mons 3 days 04:05:06.789'],
      ['PT1M', '00:01:00'],
      ['P1W', '7 days'],
      ['P1.5M', '1 mon 15 days'],
      ['P1.5Y', '1 year 6 mons'],
      ['PT1.5H', '01:30:00'],
      ['PT-1H', '-01:00:00'],
      ['P-1.5D', '-1 days -12:00:00'],
      ['P0001-02-03T04:05:06', '1 year 2 mons 3 days 04:05:06'],
      ['P0001-02', '1 year 2 mons'],
      ['P00010203T040506', '1 year 2 mons 3 days 04:05:06'],
      ['PT', '00:00:00'],
    ];
    for (const [input, out] of cases) assert.equal(pg(input), out, input);
  });

  it('uses the qualifier for bare numbers and to drop lower fields', () => {
    assert.equal(Interval.parse('4', 'second').toString(), '00:00:04');
    assert.equal(Interval.parse('-4', 'second').toString(), '-00:00:04');
    assert.equal(Interval.parse('10', 'minute').toString(), '00:10:00');
    assert.equal(Interval.parse('1.5', 'minute').toString(), '00:01:00');
    assert.equal(Interval.parse('5', 'day').toString(), '5 days');
    assert.equal(Interval.parse('1.5', 'day').toString(), '1 day');
    assert.equal(Interval.parse('3', 'year').toString(), '3 years');
    assert.equal(Interval.parse('13', 'month').toString(), '1 year 1 mon');
    assert.equal(Interval.parse('25', 'hour').toString(), '25:00:00');
    assert.equal(Interval.parse('1:30', 'minute', 'second').toString(), '00:01:30');
    assert.equal(Interval.parse('1:30', 'hour', 'minute').toString(), '01:30:00');
    assert.equal(Interval.parse('1:30', 'second').toString(), '01:30:00');
    assert.equal(Interval.parse('1 day 2 hours', 'day').toString(), '1 day');
    assert.equal(Interval.parse('4:05:06', 'hour', 'minute').toString(), '04:05:00');
    assert.equal(Interval.parse('1 2', 'day', 'hour').toString(), '1 day 02:00:00');
    assert.equal(Interval.parse('2', 'day', 'hour').toString(), '02:00:00');
    assert.equal(Interval.parse('1 2:03', 'day', 'minute').toString(), '1 day 02:03:00');
    assert.equal(Interval.parse('1-2', 'year', 'month').toString(), '1 year 2 mons');
    assert.equal(Interval.parse('1.7 years', 'year').toString(), '1 year');
    assert.equal(Interval.parse('1 year 3 mons 5 days', 'month').toString(), '1 year 3 mons');
    assert.equal(Interval.parse('100', 'hour', 'second').toString(), '00:01:40');
    assert.equal(Interval.parse('1 day 04:05:06.7', 'day', 'second').toString(), '1 day 04:05:06.7');
    assert.equal(iv('1 day 02:03:04').restrictTo('hour').toString(), '1 day 02:00:00');
  });

  it('applies a leading minus to every field under sql_standard', () => {
    assert.equal(Interval.parse('-1 2:00', undefined, undefined, 'sql_standard').toString(), '-1 days -02:00:00');
    assert.equal(Interval.parse('-1 mon 1 day', undefined, undefined, 'sql_standard').toString(), '-1 mons -1 days');
    assert.equal(Interval.parse('-1 mon +1 day', undefined, undefined, 'sql_standard').toString(), '-1 mons +1 day');
    assert.equal(Interval.parse('-1 mon 1 day').toString(), '-1 mons +1 day');
  });

  it('rejects bad syntax with 22007', () => {
    for (const t of ['', '1 2', 'ago', '1 ago', 'p1y', ' P1Y', '1 quarter', '1 day 2 days', '1 weeks 1 week',
      '1 min 2 m', '1 dayx', '1,5 days', 'infinity', 'now', '1e3 sec', '1 timezone', 'x']) {
      throwsSql(() => iv(t), '22007', `invalid input syntax for type interval: "${t}"`);
    }
  });

  it('rejects out-of-range fields with 22015', () => {
    for (const t of ['00:60:00', '1:60', '1-12', '2147483648 days']) {
      throwsSql(() => iv(t), '22015', `interval field value out of range: "${t}"`);
    }
  });
});

describe('Interval output', () => {
  const values = ['1 year 2 mons 3 days 04:05:06.789', '-1 days +02:00:00', '0', '1 day', '-1 year -2 mons',
    '1 year -2 mons', '-04:05:06', '1 mon -1 day 00:00:01', '-0.5 sec', '100 hours', '1 day -0.000001 sec',
    '-1 mon 1 day', '-1 day -1 sec', '1 sec', '-1 sec', '-3 mons -1 day'];

  it('postgres style', () => {
    assert.deepEqual(values.map((v) => iv(v).toString('postgres')), [
      '1 year 2 mons 3 days 04:05:06.789', '-1 days +02:00:00', '00:00:00', '1 day', '-1 years -2 mons',
      '10 mons', '-04:05:06', '1 mon -1 days +00:00:01', '-00:00:00.5', '100:00:00', '1 day -00:00:00.000001',
      '-1 mons +1 day', '-1 days -00:00:01', '00:00:01', '-00:00:01', '-3 mons -1 days']);
  });

  it('iso_8601 style', () => {
    assert.deepEqual(values.map((v) => iv(v).toString('iso_8601')), [
      'P1Y2M3DT4H5M6.789S', 'P-1DT2H', 'PT0S', 'P1D', 'P-1Y-2M', 'P10M', 'PT-4H-5M-6S', 'P1M-1DT1S', 'PT-0.5S',
      'PT100H', 'P1DT-0.000001S', 'P-1M1D', 'P-1DT-1S', 'PT1S', 'PT-1S', 'P-3M-1D']);
  });

  it('sql_standard style', () => {
    assert.deepEqual(values.map((v) => iv(v).toString('sql_standard')), [
      '+1-2 +3 +4:05:06.789', '+0-0 -1 +2:00:00', '0', '1 0:00:00', '-1-2', '0-10', '-4:05:06',
      '+0-1 -1 +0:00:01', '-0:00:00.5', '100:00:00', '+0-0 +1 -0:00:00.000001', '-0-1 +1 +0:00:00',
      '-1 0:00:01', '0:00:01', '-0:00:01', '-0-3 -1 +0:00:00']);
  });

  it('postgres_verbose style', () => {
    assert.deepEqual(values.map((v) => iv(v).toString('postgres_verbose')), [
      '@ 1 year 2 mons 3 days 4 hours 5 mins 6.789 secs', '@ 1 day -2 hours ago', '@ 0', '@ 1 day',
      '@ 1 year 2 mons ago', '@ 10 mons', '@ 4 hours 5 mins 6 secs ago', '@ 1 mon -1 days 1 sec',
      '@ 0.5 secs ago', '@ 100 hours', '@ 1 day -0.000001 secs', '@ 1 mon -1 days ago', '@ 1 day 1 sec ago',
      '@ 1 sec', '@ 1 sec ago', '@ 3 mons 1 day ago']);
  });
});

describe('Interval arithmetic', () => {
  it('adds, subtracts and negates field by field', () => {
    assert.equal(iv('1 mon 2 days').add(iv('3 hours')).toString(), '1 mon 2 days 03:00:00');
    assert.equal(iv('1 day').sub(iv('2 days 1 hour')).toString(), '-1 days -01:00:00');
    assert.equal(iv('1 year -2 days 03:00').neg().toString(), '-1 years +2 days -03:00:00');
    assert.equal(Interval.ZERO.neg().toString(), '00:00:00');
  });

  it('multiplies, spilling fractions of months into days and of days into time', () => {
    assert.equal(iv('1 mon').multiply(0.5).toString(), '15 days');
    assert.equal(iv('1 mon').multiply(1.1).toString(), '1 mon 3 days');
    assert.equal(iv('1 day').multiply(1.5).toString(), '1 day 12:00:00');
    assert.equal(iv('1 year 2 mons 3 days 04:05:06.789').multiply(2.5).toString(),
      '2 years 11 mons 7 days 22:12:46.9725');
    assert.equal(iv('1 year 2 mons 3 days 04:05:06.789').multiply(-0.3).toString(),
      '-4 mons -6 days -22:49:32.0367');
    assert.equal(iv('3 mons 20 days 01:00:00').multiply(0.7).toString(), '2 mons 17 days 00:42:00');
    assert.equal(iv('1 day').multiply(1e-7).toString(), '00:00:00.00864');
    assert.equal(iv('29 days 23:59:59').multiply(1.000001).toString(), '29 days 24:00:01.591999');
  });

  it('divides the same way', () => {
    assert.equal(iv('1 mon 1 day').divide(7).toString(), '4 days 10:17:08.546743');
    assert.equal(iv('1 mon 1 day').divide(3.3).toString(), '9 days 09:27:16.355782');
    assert.equal(iv('-1 mon 2 days').divide(3).toString(), '-10 days +16:00:00');
    assert.equal(iv('01:00:00').divide(3).toString(), '00:20:00');
    assert.equal(iv('1 mon').divide(2).toString(), '15 days');
    throwsSql(() => iv('1 mon').divide(0), '22012', 'division by zero');
  });

  it('raises 22008 when a field overflows', () => {
    throwsSql(() => iv('2147483647 days').add(iv('1 day')), '22008', 'interval out of range');
    throwsSql(() => iv('2000000000 mons').multiply(2), '22008', 'interval out of range');
  });

  it('compares by the total with 30-day months and 24-hour days', () => {
    assert.equal(iv('1 mon').compare(iv('30 days')), 0);
    assert.equal(iv('1 day').compare(iv('24:00:00')), 0);
    assert.ok(iv('1 day').equals(iv('24 hours')));
    assert.equal(iv('1 mon').compare(iv('29 days 23:59:59.999999')), 1);
    assert.equal(iv('-1 day').compare(iv('-23:59:59')), -1);
    assert.equal(iv('1 year').compare(iv('360 days')), 0);
    assert.equal(iv('1 mon -1 day').compare(iv('29 days')), 0);
    assert.equal(iv('1 day').hashKey(), iv('24 hours').hashKey());
    const sorted = ['1 day', '-1 mon', '25 hours', '0', '-1 sec'].map(iv).sort(Interval.compare).map(String);
    assert.deepEqual(sorted, ['-1 mons', '-00:00:01', '00:00:00', '1 day', '25:00:00']);
  });

  it('justifies hours, days and both', () => {
    assert.equal(iv('27 hours').justifyHours().toString(), '1 day 03:00:00');
    assert.equal(iv('1 day -1 hour').justifyHours().toString(), '23:00:00');
    assert.equal(iv('35 days').justifyDays().toString(), '1 mon 5 days');
    assert.equal(iv('1 mon -1 hour').justifyInterval().toString(), '29 days 23:00:00');
  });

  it('epochSeconds uses 365.25-day years', () => {
    assert.equal(iv('1 year 2 mons 3 days 04:05:06.5').epochSeconds(), 37015506.5);
  });
});
