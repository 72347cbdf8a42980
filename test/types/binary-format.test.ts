import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SabotError } from '../../src/errors.js';
import { Types, type SqlType } from '../../src/types/sql-type.js';
import { Decimal } from '../../src/types/decimal.js';
import { Interval } from '../../src/types/interval.js';
import { decodeBinary, encodeBinary } from '../../src/types/binary-format.js';
import { DEFAULT_FORMAT_SETTINGS as S, formatText, parseText } from '../../src/types/text-format.js';

const hex = (t: SqlType, text: string): string => encodeBinary(t, parseText(t, text, S)).toString('hex');
const fromHex = (t: SqlType, h: string): string => formatText(t, decodeBinary(t, Buffer.from(h, 'hex')), S);

function badFormat(fn: () => unknown, message = 'incorrect binary data format'): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SabotError, `expected SabotError, got ${String(e)}`);
    assert.equal(e.code, '22P03');
    assert.equal(e.message, message);
    return true;
  });
}

describe('binary format: bytes as Postgres sends them', () => {
  // Expected bytes come from PostgreSQL 15's typsend functions (encode(xxx_send(v), 'hex')).
  const cases: Array<[SqlType, string, string]> = [
    [Types.bool, 't', '01'],
    [Types.bool, 'f', '00'],
    [Types.int2, '-2', 'fffe'],
    [Types.int4, '66051', '00010203'],
    [Types.int8, '-4294967297', 'fffffffeffffffff'],
    [Types.int8, '9223372036854775807', '7fffffffffffffff'],
    [Types.int8, '-9223372036854775808', '8000000000000000'],
    [Types.float4, '1.5', '3fc00000'],
    [Types.float4, '0.1', '3dcccccd'],
    [Types.float8, '0.1', '3fb999999999999a'],
    [Types.numeric, '12345.6789', '0003000100000004000109291a85'],
    [Types.numeric, '-0.0001', '0001ffff400000040001'],
    [Types.numeric, '0.00', '0000000000000002'],
    [Types.numeric, '100000000', '00010002000000000001'],
    [Types.numeric, '-12.3400', '0002000040000004000c0d48'],
    [Types.numeric, 'NaN', '00000000c0000000'],
    [Types.numeric, 'Infinity', '00000000d0000020'],
    [Types.numeric, '-Infinity', '00000000f0000020'],
    [Types.text, 'é€😀', 'c3a9e282acf09f9880'],
    [Types.bytea, '\\x0001ff', '0001ff'],
    [Types.timestamp, '2024-01-02 03:04:05.123456', '0002b0ec8517d580'],
    [Types.timestamp, '1970-01-01', 'fffca2fec4c82000'],
    [Types.timestamp, 'infinity', '7fffffffffffffff'],
    [Types.timestamp, '-infinity', '8000000000000000'],
    [Types.timestamptz, '2024-07-01 12:00+02', '0002bf2b6dcbe800'],
    [Types.date, '2024-02-29', '00002279'],
    [Types.date, '1970-01-01', 'ffffd533'],
    [Types.date, 'infinity', '7fffffff'],
    [Types.time, '12:34:56.789', '0000000a8be62608'],
    [Types.interval, '1 year 2 mons 3 days 04:05:06.789', '000000036c97ca88000000030000000e'],
    [Types.interval, '-7 mons -1 sec', 'fffffffffff0bdc000000000fffffff9'],
    [Types.jsonb, '{"b":1,"a":[1.50,null]}', '017b2261223a205b312e35302c206e756c6c5d2c202262223a20317d'],
    [Types.json, '[1]', '5b315d'],
    [Types.oid, '4294967295', 'ffffffff'],
    [Types.void, '', ''],
  ];

  it('encodes', () => {
    for (const [t, text, h] of cases) assert.equal(hex(t, text), h, `${t.name} ${text}`);
  });

  it('decodes', () => {
    for (const [t, text, h] of cases) {
      assert.equal(fromHex(t, h), formatText(t, parseText(t, text, S), S), `${t.name} ${text}`);
    }
  });
});

describe('binary format: round trips text → value → binary → value → text', () => {
  it('for every type', () => {
    const samples: Record<string, string[]> = {
      bool: ['t', 'f'], int2: ['-32768', '0', '32767'], int4: ['-2147483648', '2147483647', '-1'],
      int8: ['-9223372036854775808', '9223372036854775807', '0', '-1', '4294967296', '9007199254740993'],
      float4: ['1.1', '-3.4e+38', '1e-45', 'NaN', 'Infinity', '-0'],
      float8: ['0.30000000000000004', '1e+308', '-0', '5e-324', '-Infinity'],
      numeric: ['0', '0.00', '1', '-1', '1.50', '9999.9999', '1e-20', '-123456789012345678901234567890.123456789',
        'NaN', 'Infinity', '-Infinity', '0.1', '1e100'],
      text: ['', 'abc', 'é😀'], varchar: ['x'], bpchar: ['ab  '], name: ['pg_class'], unknown: ['?'],
      bytea: ['\\x', '\\x00ff10'],
      timestamp: ['2000-01-01 00:00:00', '1970-01-01 00:00:00', '2024-01-02 03:04:05.123456', '1900-06-30 12:00:00',
        'infinity', '-infinity', '0001-01-01 00:00:00'],
      timestamptz: ['2000-01-01 00:00:00+00', '2024-07-01 10:00:00+00', 'infinity'],
      date: ['2000-01-01', '1970-01-01', '2024-02-29', 'infinity', '-infinity', '0001-01-01'],
      time: ['00:00:00', '24:00:00', '12:34:56.789'],
      interval: ['00:00:00', '1 year 2 mons 3 days 04:05:06.789', '-1 days +02:00:00', '-7 mons -00:00:01'],
      json: [' {"b":1} '], jsonb: ['{"a": [1.50, null], "b": 1}', '"x"'], oid: ['0', '1234', '4294967295'],
      void: [''],
    };
    for (const [kind, texts] of Object.entries(samples)) {
      const t = Types[kind as keyof typeof Types];
      for (const text of texts) {
        const value = parseText(t, text, S);
        const bin = encodeBinary(t, value);
        if (t.size > 0 && kind !== 'void' && kind !== 'name') assert.equal(bin.length, t.size, `${kind} size`);
        assert.equal(formatText(t, decodeBinary(t, bin), S), formatText(t, value, S), `${kind} ${text}`);
      }
    }
  });

  it('decodes to the in-memory forms of sql-type.ts', () => {
    assert.equal(decodeBinary(Types.int8, Buffer.from('7fffffffffffffff', 'hex')), 9223372036854775807n);
    assert.ok(decodeBinary(Types.numeric, Buffer.from('0000000000000002', 'hex')) instanceof Decimal);
    assert.ok(decodeBinary(Types.interval, Buffer.alloc(16)) instanceof Interval);
    assert.equal(decodeBinary(Types.timestamp, Buffer.alloc(8)), 946684800000000);
    assert.equal(decodeBinary(Types.date, Buffer.alloc(4)), 10957);
    assert.ok(decodeBinary(Types.bytea, Buffer.from([1, 2])) instanceof Uint8Array);
    assert.equal(decodeBinary(Types.bool, Buffer.from([7])), true);
    assert.equal(decodeBinary(Types.void, Buffer.alloc(0)), null);
  });

  it('encodes plain numbers and bigints where they make sense', () => {
    assert.equal(encodeBinary(Types.int8, 5).toString('hex'), '0000000000000005');
    assert.equal(encodeBinary(Types.int8, -5n).toString('hex'), 'fffffffffffffffb');
    assert.equal(encodeBinary(Types.numeric, 1.5).toString('hex'), encodeBinary(Types.numeric, Decimal.parse('1.5')).toString('hex'));
    assert.equal(encodeBinary(Types.float4, 0.1).toString('hex'), '3dcccccd');
  });
});

describe('binary format: bad input', () => {
  it('rejects wrong lengths with 22P03', () => {
    badFormat(() => decodeBinary(Types.int4, Buffer.alloc(3)));
    badFormat(() => decodeBinary(Types.int4, Buffer.alloc(5)));
    badFormat(() => decodeBinary(Types.int2, Buffer.alloc(4)));
    badFormat(() => decodeBinary(Types.int8, Buffer.alloc(4)));
    badFormat(() => decodeBinary(Types.bool, Buffer.alloc(0)));
    badFormat(() => decodeBinary(Types.float8, Buffer.alloc(4)));
    badFormat(() => decodeBinary(Types.timestamp, Buffer.alloc(7)));
    badFormat(() => decodeBinary(Types.date, Buffer.alloc(8)));
    badFormat(() => decodeBinary(Types.interval, Buffer.alloc(12)));
    badFormat(() => decodeBinary(Types.oid, Buffer.alloc(2)));
    badFormat(() => decodeBinary(Types.numeric, Buffer.from('0001000000000000', 'hex')));
    badFormat(() => decodeBinary(Types.numeric, Buffer.alloc(6)));
    badFormat(() => decodeBinary(Types.jsonb, Buffer.alloc(0)));
  });

  it('rejects malformed numeric, jsonb and text like Postgres', () => {
    badFormat(() => decodeBinary(Types.numeric, Buffer.from('0000000012340000', 'hex')),
      'invalid sign in external "numeric" value');
    badFormat(() => decodeBinary(Types.numeric, Buffer.from('0001000000000000ffff', 'hex')),
      'invalid digit in external "numeric" value');
    badFormat(() => decodeBinary(Types.numeric, Buffer.from('000100000000000a2710', 'hex')),
      'invalid digit in external "numeric" value');
    badFormat(() => decodeBinary(Types.jsonb, Buffer.from('027b7d', 'hex')), 'unsupported jsonb version number 2');
    assert.throws(() => decodeBinary(Types.text, Buffer.from([0x61, 0xc3, 0x28])), (e: unknown) =>
      e instanceof SabotError && e.code === '22021' && e.message === 'invalid byte sequence for encoding "UTF8": 0xc3 0x28');
    assert.throws(() => decodeBinary(Types.text, Buffer.from([0x61, 0x00])), (e: unknown) =>
      e instanceof SabotError && e.code === '22021' && e.message === 'invalid byte sequence for encoding "UTF8": 0x00');
    assert.throws(() => decodeBinary(Types.json, Buffer.from('[1,', 'utf8')), (e: unknown) =>
      e instanceof SabotError && e.code === '22P02');
    assert.throws(() => decodeBinary(Types.time, Buffer.from('000000141dd76001', 'hex')), (e: unknown) =>
      e instanceof SabotError && e.code === '22008' && e.message === 'time out of range');
  });

  it('truncates numeric digits hidden by the display scale, as numeric_recv does', () => {
    // 1.2345 sent with dscale 2 reads as 1.23.
    assert.equal(fromHex(Types.numeric, '000200000000000200010929'), '1.23');
    assert.equal(fromHex(Types.numeric, '000200004000000200010929'), '-1.23');
  });
});

describe('binary format: values that do not fit', () => {
  it('raise 22003 like the casts do', () => {
    for (const [t, v] of [[Types.int2, 40000], [Types.int4, 2 ** 31], [Types.int8, 2n ** 63n], [Types.int8, 1e20]] as const) {
      assert.throws(() => encodeBinary(t, v), (e: unknown) =>
        e instanceof SabotError && e.code === '22003' && e.message === `${t.name} out of range`);
    }
  });
});
