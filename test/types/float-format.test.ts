import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatFloat4, formatFloat8, parseFloat4, parseFloat8 } from '../../src/types/float-format.js';
import { throwsSql } from '../support/assertions.js';


describe('float8 output (extra_float_digits = 1)', () => {
  it('prints as Postgres 12+ does (checked against PostgreSQL 15)', () => {
    const cases: Array<[number, string]> = [
      [1e15, '1e+15'],
      [123456789012345, '123456789012345'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [-0, '-0'],
      [0, '0'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [-Infinity, '-Infinity'],
      [0.1 + 0.2, '0.30000000000000004'],
      [100, '100'],
      [1e14, '100000000000000'],
      [-1.5, '-1.5'],
      [1e22, '1e+22'],
      [1e23, '9.999999999999999e+22'],
      [2 ** 60, '1.152921504606847e+18'],
      [9007199254740993, '9.007199254740992e+15'],
      [4.5e15, '4.5e+15'],
      [41714828118643264, '4.1714828118643264e+16'],
      [1.5e-7, '1.5e-07'],
      [123.456, '123.456'],
      [1 / 3, '0.3333333333333333'],
    ];
    for (const [v, s] of cases) assert.equal(formatFloat8(v), s, String(v));
  });

  it('breaks ties to even where the shortest digits are not unique', () => {
    // 1125899906842624.25 lies halfway between ...6242 and ...6243 (17 digits).
    assert.equal(formatFloat8(1125899906842624.25), '1.1258999068426242e+15');
    assert.equal(formatFloat8(1125899906842624.75), '1.1258999068426248e+15');
    assert.equal(formatFloat8(112589990684262.25), '112589990684262.25');
  });

  it('every output reads back as the same double', () => {
    const view = new DataView(new ArrayBuffer(8));
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) >>> 0);
    for (let i = 0; i < 3000; i++) {
      view.setUint32(0, next());
      view.setUint32(4, next());
      const v = view.getFloat64(0);
      if (!Number.isFinite(v)) continue;
      const s = formatFloat8(v);
      assert.equal(parseFloat8(s), v, s);
      assert.ok(s.replace(/^-/, '').replace(/e.*/, '').replace('.', '').replace(/^0+/, '').length <= 17, s);
    }
  });
});

describe('float8 output with extra_float_digits <= 0', () => {
  it('prints %.15g and fewer digits', () => {
    assert.equal(formatFloat8(1e15, 0), '1e+15');
    assert.equal(formatFloat8(123456789012345, 0), '123456789012345');
    assert.equal(formatFloat8(0.1 + 0.2, 0), '0.3');
    assert.equal(formatFloat8(1 / 3, 0), '0.333333333333333');
    assert.equal(formatFloat8(1e100, 0), '1e+100');
    assert.equal(formatFloat8(0.00001, 0), '1e-05');
    assert.equal(formatFloat8(100, 0), '100');
    assert.equal(formatFloat8(2.5, 0), '2.5');
    assert.equal(formatFloat8(1 / 3, -3), '0.333333333333');
    assert.equal(formatFloat8(-0, 0), '-0');
  });

  it('rounds exact ties to even as printf does', () => {
    assert.equal(formatFloat8(88687701517671.25, 0), '88687701517671.2');
    assert.equal(formatFloat8(693462199115644.5, 0), '693462199115644');
    assert.equal(formatFloat8(693462199115645.5, 0), '693462199115646');
  });
});

describe('float4 output', () => {
  it('prints the shortest digits that read back as float32', () => {
    const cases: Array<[number, string]> = [
      [1e6, '1e+06'],
      [123456, '123456'],
      [1234567, '1.234567e+06'],
      [0.1, '0.1'],
      [1.1, '1.1'],
      [3.4e38, '3.4e+38'],
      [1e-45, '1e-45'],
      [123456.7, '123456.7'],
      [1e-5, '1e-05'],
      [0.0001, '0.0001'],
      [16777216, '1.6777216e+07'],
      [33554432, '3.3554432e+07'],
      [73083136, '7.3083136e+07'],
      [3907527.25, '3.9075272e+06'],
      [1e23, '1e+23'],
      [0.5, '0.5'],
      [-2.5, '-2.5'],
      [-0, '-0'],
      [NaN, 'NaN'],
      [-Infinity, '-Infinity'],
      [Math.fround(0.1) * 3, '0.3'],
    ];
    for (const [v, s] of cases) assert.equal(formatFloat4(v), s, String(v));
  });

  it('prints %.6g with extra_float_digits 0', () => {
    assert.equal(formatFloat4(1.1, 0), '1.1');
    assert.equal(formatFloat4(1234567, 0), '1.23457e+06');
    assert.equal(formatFloat4(123456, -3), '1.23e+05');
    assert.equal(formatFloat4(567340.5, 0), '567340');
    assert.equal(formatFloat4(6921805, 0), '6.9218e+06');
  });

  it('every output reads back as the same float32', () => {
    const view = new DataView(new ArrayBuffer(4));
    let seed = 777;
    for (let i = 0; i < 3000; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      view.setUint32(0, seed);
      const f = view.getFloat32(0);
      if (!Number.isFinite(f)) continue;
      const s = formatFloat4(f);
      assert.equal(parseFloat4(s), f, s);
    }
  });
});

describe('float input', () => {
  it('reads decimal, exponent and special forms', () => {
    assert.equal(parseFloat8('1.5'), 1.5);
    assert.equal(parseFloat8(' 1.5 '), 1.5);
    assert.equal(parseFloat8('1e3'), 1000);
    assert.equal(parseFloat8('.5'), 0.5);
    assert.equal(parseFloat8('5.'), 5);
    assert.equal(parseFloat8('+.5e-3'), 0.0005);
    assert.equal(parseFloat8('Infinity'), Infinity);
    assert.equal(parseFloat8('inFinity'), Infinity);
    assert.equal(parseFloat8('-inf'), -Infinity);
    assert.ok(Number.isNaN(parseFloat8('NaN')));
    assert.ok(Number.isNaN(parseFloat8('-nan')));
    assert.ok(Object.is(parseFloat8('-0'), -0));
    assert.equal(parseFloat8('1e-320'), 1e-320);
    assert.equal(parseFloat8('4.9e-324'), 5e-324);
    assert.equal(parseFloat8('0x10'), 16);
    assert.equal(parseFloat4('0.1'), Math.fround(0.1));
    assert.equal(parseFloat4('3.4028235e38'), 3.4028234663852886e38);
    assert.equal(parseFloat4('1e-45'), Math.fround(1e-45));
  });

  it('rejects bad syntax with 22P02', () => {
    for (const t of ['abc', '', '1.5e', 'infinit', '1..2', '1 2', '--1']) {
      throwsSql(() => parseFloat8(t), '22P02', `invalid input syntax for type double precision: "${t}"`);
    }
    throwsSql(() => parseFloat4('x'), '22P02', 'invalid input syntax for type real: "x"');
  });

  it('rejects values out of range with 22003', () => {
    throwsSql(() => parseFloat8('1e400'), '22003', '"1e400" is out of range for type double precision');
    throwsSql(() => parseFloat8('1e-400'), '22003', '"1e-400" is out of range for type double precision');
    throwsSql(() => parseFloat8('2e-324'), '22003', '"2e-324" is out of range for type double precision');
    throwsSql(() => parseFloat4('1e39'), '22003', '"1e39" is out of range for type real');
    throwsSql(() => parseFloat4('1e-46'), '22003', '"1e-46" is out of range for type real');
    throwsSql(() => parseFloat4('3.40282357e38'), '22003', '"3.40282357e38" is out of range for type real');
  });
});
