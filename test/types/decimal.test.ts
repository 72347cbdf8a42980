import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SabotError } from '../../src/errors.js';
import { Decimal } from '../../src/types/decimal.js';
import { throwsSql } from '../support/assertions.js';

const d = (s: string): Decimal => Decimal.parse(s);

describe('Decimal.parse and toString', () => {
  it('keeps the scale as written', () => {
    assert.equal(d('1.50').toString(), '1.50');
    assert.equal(d('1.50').scale, 2);
    assert.equal(d('1.50').unscaled, 150n);
    assert.equal(d('0').toString(), '0');
    assert.equal(d('0.00').toString(), '0.00');
    assert.equal(d('-0.00').toString(), '0.00');
    assert.equal(d('  12  ').toString(), '12');
    assert.equal(d('+7.25').toString(), '7.25');
    assert.equal(d('-0.001').toString(), '-0.001');
  });

  it('reads a leading or trailing point', () => {
    assert.equal(d('5.').toString(), '5');
    assert.equal(d('.5').toString(), '0.5');
  });

  it('applies exponents as Postgres does (scale = fraction digits - exponent, at least 0)', () => {
    assert.equal(d('1.500e1').toString(), '15.00');
    assert.equal(d('1.5e-3').toString(), '0.0015');
    assert.equal(d('1E+2').toString(), '100');
    assert.equal(d('1e-2').toString(), '0.01');
    assert.equal(d('12.5e-1').toString(), '1.25');
    assert.equal(d('0e5').toString(), '0');
    assert.equal(d('1e131071').toString().length, 131072);
    assert.equal(d('1e-16383').toString().length, 16385);
  });

  it('reads NaN and the infinities', () => {
    assert.equal(d(' nan ').toString(), 'NaN');
    assert.equal(d('NaN').isNaN(), true);
    assert.equal(d('-inf').toString(), '-Infinity');
    assert.equal(d('+Infinity').toString(), 'Infinity');
    assert.equal(d('INF').toString(), 'Infinity');
    assert.equal(d('Infinity').isInfinite(), true);
  });

  it('rejects bad input with 22P02', () => {
    for (const t of ['', ' ', '.', 'abc', '1e', '1 2', '1_000', ' +NaN', '--1', '1.2.3', '0x10', 'e5']) {
      throwsSql(() => d(t), '22P02', `invalid input syntax for type numeric: "${t}"`);
    }
  });

  it('rejects values past the storage limits with 22003', () => {
    throwsSql(() => d('1e131072'), '22003', 'value overflows numeric format');
    throwsSql(() => d('1e-16384'), '22003', 'value overflows numeric format');
    throwsSql(() => d('1e2147483647'), '22003', 'value overflows numeric format');
  });
});

describe('Decimal arithmetic', () => {
  it('adds and subtracts with the larger scale', () => {
    assert.equal(d('1.5').add(d('1.25')).toString(), '2.75');
    assert.equal(d('1.5').sub(d('1.5')).toString(), '0.0');
    assert.equal(d('-0.001').add(d('1000')).toString(), '999.999');
    assert.equal(d('99999999999999999999').add(d('1')).toString(), '100000000000000000000');
  });

  it('multiplies with the sum of the scales', () => {
    assert.equal(d('1.5').mul(d('2.25')).toString(), '3.375');
    assert.equal(d('0.00').mul(d('1.0')).toString(), '0.000');
    assert.equal(d('-1.10').mul(d('3')).toString(), '-3.30');
  });

  it('divides with select_div_scale', () => {
    assert.equal(d('1').div(d('3')).toString(), '0.33333333333333333333');
    assert.equal(d('10.0').div(d('4')).toString(), '2.5000000000000000');
    assert.equal(d('1.000').div(d('3')).toString(), '0.33333333333333333333');
    assert.equal(d('2').div(d('3.00')).toString(), '0.66666666666666666667');
    assert.equal(d('100000').div(d('3')).toString(), '33333.333333333333');
    assert.equal(d('0.0001').div(d('3')).toString(), '0.000033333333333333333333');
    assert.equal(d('1e20').div(d('7')).toString(), '14285714285714285714');
    assert.equal(d('123456789').div(d('0.001')).toString(), '123456789000.00000000');
    assert.equal(d('1e-20').div(d('3')).toString(), '0.0000000000000000000033333333333333333333');
    assert.equal(d('0').div(d('3.0')).toString(), '0.00000000000000000000');
    assert.equal(d('-7').div(d('2')).toString(), '-3.5000000000000000');
  });

  it('rounds the last digit of a quotient half away from zero', () => {
    assert.equal(d('2').div(d('3')).toString(), '0.66666666666666666667');
    assert.equal(d('-2').div(d('3')).toString(), '-0.66666666666666666667');
  });

  it('divides to a given scale', () => {
    assert.equal(d('1').divToScale(d('8'), 2).toString(), '0.13');
    assert.equal(d('-1').divToScale(d('8'), 2).toString(), '-0.13');
  });

  it('takes remainders with the sign of the dividend', () => {
    assert.equal(d('7.5').mod(d('2')).toString(), '1.5');
    assert.equal(d('-7.5').mod(d('2')).toString(), '-1.5');
    assert.equal(d('7').mod(d('-2.00')).toString(), '1.00');
  });

  it('raises 22012 on division by zero', () => {
    throwsSql(() => d('1').div(d('0')), '22012', 'division by zero');
    throwsSql(() => d('5').mod(d('0.0')), '22012', 'division by zero');
    throwsSql(() => d('Infinity').div(d('0')), '22012', 'division by zero');
    throwsSql(() => d('Infinity').mod(d('0')), '22012', 'division by zero');
  });

  it('follows Postgres for NaN and the infinities', () => {
    assert.equal(d('NaN').div(d('0')).toString(), 'NaN');
    assert.equal(d('1').div(d('Infinity')).toString(), '0');
    assert.equal(d('Infinity').mod(d('2')).toString(), 'NaN');
    assert.equal(d('2').mod(d('Infinity')).toString(), '2');
    assert.equal(d('Infinity').mul(d('0')).toString(), 'NaN');
    assert.equal(d('Infinity').sub(d('Infinity')).toString(), 'NaN');
    assert.equal(d('Infinity').add(d('1')).toString(), 'Infinity');
    assert.equal(d('-Infinity').mul(d('-2')).toString(), 'Infinity');
    assert.equal(d('Infinity').div(d('-2')).toString(), '-Infinity');
    assert.equal(d('Infinity').div(d('Infinity')).toString(), 'NaN');
    assert.equal(d('Infinity').neg().toString(), '-Infinity');
    assert.equal(d('-inf').abs().toString(), 'Infinity');
    assert.equal(d('nan').round(2).toString(), 'NaN');
    assert.equal(d('inf').floor().toString(), 'Infinity');
  });

  it('negates and takes absolute values keeping the scale', () => {
    assert.equal(d('1.50').neg().toString(), '-1.50');
    assert.equal(d('-1.50').abs().toString(), '1.50');
    assert.equal(d('0.0').neg().toString(), '0.0');
  });
});

describe('Decimal rounding', () => {
  it('round(scale) rounds half away from zero, also left of the point', () => {
    assert.equal(d('1.5').round(3).toString(), '1.500');
    assert.equal(d('1234.5').round(-2).toString(), '1200');
    assert.equal(d('-2.5').round().toString(), '-3');
    assert.equal(d('2.5').round().toString(), '3');
    assert.equal(d('5.5').round(-1).toString(), '10');
    assert.equal(d('4.9').round(-1).toString(), '0');
    assert.equal(d('0.5').round(-1).toString(), '0');
    assert.equal(d('1.2345').round(2).toString(), '1.23');
    assert.equal(d('1.235').round(2).toString(), '1.24');
  });

  it('trunc(scale) cuts towards zero', () => {
    assert.equal(d('-2.57').trunc(1).toString(), '-2.5');
    assert.equal(d('2.57').trunc().toString(), '2');
    assert.equal(d('1234.5').trunc(-2).toString(), '1200');
  });

  it('floor and ceil', () => {
    assert.equal(d('-1.5').floor().toString(), '-2');
    assert.equal(d('-1.5').ceil().toString(), '-1');
    assert.equal(d('1.50').floor().toString(), '1');
    assert.equal(d('1.01').ceil().toString(), '2');
    assert.equal(d('-1.00').floor().toString(), '-1');
    assert.equal(d('3').ceil().toString(), '3');
  });

  it('trimScale and hashKey ignore trailing zeros', () => {
    assert.equal(d('1.500').trimScale().toString(), '1.5');
    assert.equal(d('0.000').trimScale().toString(), '0');
    assert.equal(d('1.50').hashKey(), d('1.5').hashKey());
  });

  it('withTypmod rounds and checks the precision', () => {
    assert.equal(d('123.456').withTypmod(5, 2).toString(), '123.46');
    assert.throws(() => d('1234.5').withTypmod(5, 2), (e: unknown) => {
      assert.ok(e instanceof SabotError);
      assert.equal(e.code, '22003');
      assert.equal(e.message, 'numeric field overflow');
      assert.equal(e.detail, 'A field with precision 5, scale 2 must round to an absolute value less than 10^3.');
      return true;
    });
    assert.throws(() => d('inf').withTypmod(5, 2), (e: unknown) => e instanceof SabotError
      && e.detail === 'A field with precision 5, scale 2 cannot hold an infinite value.');
    assert.equal(d('NaN').withTypmod(5, 2).toString(), 'NaN');
  });
});

describe('Decimal comparison', () => {
  it('compares numerically, ignoring the scale', () => {
    assert.equal(d('1.5').compare(d('1.50')), 0);
    assert.ok(d('1.5').equals(d('1.500')));
    assert.equal(d('-1').compare(d('0.001')), -1);
    assert.equal(d('10').compare(d('9.99999')), 1);
  });

  it('sorts NaN above everything and the infinities at the ends', () => {
    const sorted = ['NaN', '1', '-Infinity', 'Infinity', '-5.5', '0'].map(d).sort(Decimal.compare).map(String);
    assert.deepEqual(sorted, ['-Infinity', '-5.5', '0', '1', 'Infinity', 'NaN']);
    assert.equal(d('NaN').compare(d('NaN')), 0);
    assert.equal(d('NaN').compare(d('Infinity')), 1);
  });

  it('sign and isZero', () => {
    assert.equal(d('-0.5').sign(), -1);
    assert.equal(d('0.00').sign(), 0);
    assert.ok(d('0.00').isZero());
    assert.ok(!d('NaN').isZero());
    assert.ok(Number.isNaN(d('NaN').sign()));
  });
});

describe('Decimal conversions', () => {
  it('fromNumber casts as float8::numeric does (15 significant digits)', () => {
    assert.equal(Decimal.fromNumber(0.1).toString(), '0.1');
    assert.equal(Decimal.fromNumber(1e20).toString(), '100000000000000000000');
    assert.equal(Decimal.fromNumber(1.5e-10).toString(), '0.00000000015');
    assert.equal(Decimal.fromNumber(1 / 3).toString(), '0.333333333333333');
    assert.equal(Decimal.fromNumber(123456789.123).toString(), '123456789.123');
    assert.equal(Decimal.fromNumber(0.1 + 0.2).toString(), '0.3');
    assert.equal(Decimal.fromNumber(-2.5).toString(), '-2.5');
    assert.equal(Decimal.fromNumber(Math.fround(0.1), 6).toString(), '0.1');
    assert.equal(Decimal.fromNumber(NaN).toString(), 'NaN');
    assert.equal(Decimal.fromNumber(-Infinity).toString(), '-Infinity');
    assert.equal(Decimal.fromNumber(42).toString(), '42');
  });

  it('fromBigInt and of', () => {
    assert.equal(Decimal.fromBigInt(12n).toString(), '12');
    assert.equal(Decimal.fromBigInt(12n, 2).toString(), '12.00');
    assert.equal(Decimal.of(-1234n, 3).toString(), '-1.234');
    assert.equal(Decimal.of(5n, 3).toString(), '0.005');
  });

  it('toNumber is the nearest double', () => {
    assert.equal(d('0.1').toNumber(), 0.1);
    assert.equal(d('123456789012345678901234567890.5').toNumber(), 1.2345678901234568e29);
    assert.equal(d('-2.5').toNumber(), -2.5);
    assert.equal(d('1e-400').toNumber(), 0);
    assert.equal(d('NaN').toNumber(), NaN);
    assert.equal(d('-inf').toNumber(), -Infinity);
  });

  it('toBigInt rounds half away from zero and checks the range', () => {
    assert.equal(d('2.5').toBigInt(), 3n);
    assert.equal(d('-2.5').toBigInt(), -3n);
    assert.equal(d('9223372036854775807').toBigInt(), 9223372036854775807n);
    throwsSql(() => d('9223372036854775808').toBigInt(), '22003', 'bigint out of range');
    throwsSql(() => d('NaN').toBigInt(), '0A000', 'cannot convert NaN to bigint');
    throwsSql(() => d('inf').toBigInt(), '0A000', 'cannot convert infinity to bigint');
  });

  it('base-10000 digits round trip', () => {
    for (const s of ['0', '0.00', '1', '-1', '1.50', '12345.6789', '-0.0001', '10000', '100000000', '1e-20',
      '123456789012345678901234567890.123456789', '9999.9999', '-12.3400']) {
      const v = d(s);
      const { digits, weight } = v.toBase10000();
      const back = Decimal.fromBase10000(digits, weight, v.sign() < 0, v.scale);
      assert.equal(back.toString(), v.toString(), s);
    }
    assert.deepEqual(d('12345.6789').toBase10000(), { digits: [1, 2345, 6789], weight: 1 });
    assert.deepEqual(d('0.0001').toBase10000(), { digits: [1], weight: -1 });
    assert.deepEqual(d('100000000').toBase10000(), { digits: [1], weight: 2 });
  });
});
