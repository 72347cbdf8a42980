import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SabotError } from '../../src/errors.js';
import { Types, type SqlType } from '../../src/types/sql-type.js';
import { Decimal } from '../../src/types/decimal.js';
import { Interval } from '../../src/types/interval.js';
import {
  DEFAULT_FORMAT_SETTINGS, formatBytea, formatText, parseBool, parseBytea, parseInt2, parseInt4, parseInt8, parseName,
  parseOid, parseText, type FormatSettings,
} from '../../src/types/text-format.js';
import { throwsSql } from '../support/assertions.js';

const S = DEFAULT_FORMAT_SETTINGS;
const roundTrip = (t: SqlType, text: string, settings: FormatSettings = S): string =>
  formatText(t, parseText(t, text, settings), settings);


describe('bool', () => {
  it('reads every spelling Postgres accepts and prints t/f', () => {
    for (const t of [' t ', 'TRUE', 'true', 'tr', 'y', 'ye', 'yes', 'on', 'ON', '1']) assert.equal(parseBool(t), true, t);
    for (const t of ['f', 'false ', 'FALSE', 'n', 'nO', 'no', 'of', 'OFF', '0']) assert.equal(parseBool(t), false, t);
    for (const t of ['o', '10', 'tr ue', '', 'yess', '2', 'truee']) {
      throwsSql(() => parseBool(t), '22P02', `invalid input syntax for type boolean: "${t}"`);
    }
    assert.equal(formatText(Types.bool, true, S), 't');
    assert.equal(formatText(Types.bool, false, S), 'f');
  });
});

describe('integers', () => {
  it('reads with whitespace and sign, checks ranges', () => {
    assert.equal(parseInt4(' 12 '), 12);
    assert.equal(parseInt4('+12'), 12);
    assert.equal(parseInt4('\t7\n'), 7);
    assert.equal(parseInt4('00012'), 12);
    assert.equal(parseInt4('-2147483648'), -2147483648);
    assert.equal(parseInt4('2147483647'), 2147483647);
    assert.ok(Object.is(parseInt4('-0'), 0));
    assert.equal(parseInt2('-32768'), -32768);
    assert.equal(parseInt2(' -5 '), -5);
    assert.equal(parseInt8('9223372036854775807'), 9223372036854775807n);
    assert.equal(parseInt8('-9223372036854775808'), -9223372036854775808n);
    assert.equal(parseInt8('123456789012345678'), 123456789012345678n);
    assert.equal(parseInt8(' -00000000000000000000000000042 '), -42n);
  });

  it('rejects bad syntax (22P02) and out-of-range values (22003)', () => {
    for (const t of ['1.5', '', ' ', '1e3', '0x10', '1_000', '-', '12 3', 'abc']) {
      throwsSql(() => parseInt4(t), '22P02', `invalid input syntax for type integer: "${t}"`);
    }
    throwsSql(() => parseInt2('abc'), '22P02', 'invalid input syntax for type smallint: "abc"');
    throwsSql(() => parseInt8('abc'), '22P02', 'invalid input syntax for type bigint: "abc"');
    throwsSql(() => parseInt4('2147483648'), '22003', 'value "2147483648" is out of range for type integer');
    throwsSql(() => parseInt4('-2147483649'), '22003', 'value "-2147483649" is out of range for type integer');
    throwsSql(() => parseInt4('99999999999999999999999'), '22003',
      'value "99999999999999999999999" is out of range for type integer');
    throwsSql(() => parseInt2('32768'), '22003', 'value "32768" is out of range for type smallint');
    throwsSql(() => parseInt8('9223372036854775808'), '22003', 'value "9223372036854775808" is out of range for type bigint');
    throwsSql(() => parseInt8('-9223372036854775809'), '22003', 'value "-9223372036854775809" is out of range for type bigint');
  });

  it('prints ints and bigints', () => {
    assert.equal(formatText(Types.int4, -2147483648, S), '-2147483648');
    assert.equal(formatText(Types.int2, 7, S), '7');
    assert.equal(formatText(Types.int8, 9223372036854775807n, S), '9223372036854775807');
    assert.equal(formatText(Types.int8, -9223372036854775808n, S), '-9223372036854775808');
    assert.equal(formatText(Types.int8, 42, S), '42');
  });

  it('reads oids as strtoul does', () => {
    assert.equal(parseOid('-1'), 4294967295);
    assert.equal(parseOid(' 12 '), 12);
    assert.equal(parseOid('-2147483648'), 2147483648);
    assert.equal(parseOid('4294967295'), 4294967295);
    throwsSql(() => parseOid('4294967296'), '22003', 'value "4294967296" is out of range for type oid');
    throwsSql(() => parseOid('-2147483649'), '22003', 'value "-2147483649" is out of range for type oid');
    throwsSql(() => parseOid('abc'), '22P02', 'invalid input syntax for type oid: "abc"');
    assert.equal(formatText(Types.oid, 4294967295, S), '4294967295');
  });
});

describe('floats and numeric', () => {
  it('formats with extra_float_digits from the settings', () => {
    assert.equal(formatText(Types.float8, 0.1 + 0.2, S), '0.30000000000000004');
    assert.equal(formatText(Types.float8, 0.1 + 0.2, { ...S, extraFloatDigits: 0 }), '0.3');
    assert.equal(formatText(Types.float4, 0.1, S), '0.1');
    assert.equal(roundTrip(Types.float8, ' 1e3 '), '1000');
    assert.equal(roundTrip(Types.float4, '-inf'), '-Infinity');
  });

  it('reads and prints numeric keeping the scale', () => {
    assert.equal(roundTrip(Types.numeric, '1.50'), '1.50');
    assert.equal(roundTrip(Types.numeric, ' -0.00 '), '0.00');
    assert.equal(roundTrip(Types.numeric, '1e5'), '100000');
    assert.equal(roundTrip(Types.numeric, 'NaN'), 'NaN');
    assert.ok(parseText(Types.numeric, '2.5', S) instanceof Decimal);
    assert.equal(formatText(Types.numeric, 0.1, S), '0.1');
    assert.equal(formatText(Types.numeric, 12n, S), '12');
    throwsSql(() => parseText(Types.numeric, '1.2.3', S), '22P02', 'invalid input syntax for type numeric: "1.2.3"');
  });
});

describe('text kinds', () => {
  it('keep text as is; name is cut to 63 bytes', () => {
    assert.equal(roundTrip(Types.text, ' a b '), ' a b ');
    assert.equal(roundTrip(Types.varchar, 'é'), 'é');
    assert.equal(roundTrip(Types.bpchar, 'ab'), 'ab');
    assert.equal(roundTrip(Types.unknown, 'x'), 'x');
    assert.equal(parseName('x'.repeat(70)), 'x'.repeat(63));
    assert.equal(parseName('é'.repeat(40)), 'é'.repeat(31));
    assert.equal(parseName('abc'), 'abc');
  });
});

describe('bytea', () => {
  it('prints hex and reads hex and escape formats', () => {
    assert.equal(formatBytea(new Uint8Array([1, 2, 255])), '\\x0102ff');
    assert.equal(formatBytea(new Uint8Array(100).fill(0xab)), '\\x' + 'ab'.repeat(100));
    assert.equal(formatBytea(new Uint8Array(0)), '\\x');
    assert.deepEqual(parseBytea('\\x0102ff'), new Uint8Array([1, 2, 255]));
    assert.deepEqual(parseBytea('\\x01 02'), new Uint8Array([1, 2]));
    assert.deepEqual(parseBytea('\\xABcd'), new Uint8Array([0xab, 0xcd]));
    assert.deepEqual(parseBytea('\\x'), new Uint8Array(0));
    assert.deepEqual(parseBytea(''), new Uint8Array(0));
    assert.equal(roundTrip(Types.bytea, 'abc\\\\def\\001'), '\\x6162635c64656601');
    assert.equal(roundTrip(Types.bytea, 'é'), '\\xc3a9');
    assert.equal(roundTrip(Types.bytea, '\\377\\000x'), '\\xff0078');
  });

  it('rejects bad input as Postgres does', () => {
    throwsSql(() => parseBytea('\\x0'), '22023', 'invalid hexadecimal data: odd number of digits');
    throwsSql(() => parseBytea('\\xzz'), '22023', 'invalid hexadecimal digit: "z"');
    throwsSql(() => parseBytea('\\x0 1'), '22023', 'invalid hexadecimal digit: " "');
    for (const t of ['abc\\', 'a\\9', '\\X0102']) {
      throwsSql(() => parseBytea(t), '22P02', 'invalid input syntax for type bytea');
    }
  });
});

describe('date/time kinds', () => {
  it('use the session time zone and interval style', () => {
    const ny: FormatSettings = { ...S, timeZone: 'America/New_York' };
    assert.equal(roundTrip(Types.timestamptz, '2024-07-01 12:00:00+00', ny), '2024-07-01 08:00:00-04');
    assert.equal(roundTrip(Types.timestamptz, '2024-01-01 12:00:00', ny), '2024-01-01 12:00:00-05');
    assert.equal(roundTrip(Types.timestamptz, '2024-01-01 12:00:00'), '2024-01-01 12:00:00+00');
    assert.equal(roundTrip(Types.timestamp, '2024-01-02 03:04:05.500'), '2024-01-02 03:04:05.5');
    assert.equal(roundTrip(Types.date, '2024-02-29'), '2024-02-29');
    assert.equal(roundTrip(Types.time, '03:04:05.25'), '03:04:05.25');
    assert.equal(roundTrip(Types.interval, '1 year 2 mons 3 days 04:05:06.789'), '1 year 2 mons 3 days 04:05:06.789');
    assert.equal(roundTrip(Types.interval, '1 year 2 mons 3 days 04:05:06.789', { ...S, intervalStyle: 'iso_8601' }),
      'P1Y2M3DT4H5M6.789S');
    assert.ok(parseText(Types.interval, '1 day', S) instanceof Interval);
    assert.equal(formatText(Types.timestamp, new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), S), '2024-01-02 03:04:05');
    const now = { ...S, now: 1719792000000000 }; // 2024-07-01 00:00:00+00
    assert.equal(roundTrip(Types.date, 'today', now), '2024-07-01');
    assert.equal(roundTrip(Types.timestamptz, 'now', now), '2024-07-01 00:00:00+00');
  });
});

describe('json, jsonb, void', () => {
  it('json keeps the text, jsonb makes it canonical', () => {
    assert.equal(roundTrip(Types.json, ' {"b":1,"a":2} '), ' {"b":1,"a":2} ');
    assert.equal(roundTrip(Types.jsonb, ' {"b":1,"a":2} '), '{"a": 2, "b": 1}');
    assert.throws(() => parseText(Types.json, '[1, 2', S), (e: unknown) => e instanceof SabotError && e.code === '22P02');
    assert.equal(formatText(Types.void, null, S), '');
    assert.equal(parseText(Types.void, 'anything', S), null);
  });
});

describe('every type', () => {
  it('round-trips its text form (value → text → value → text)', () => {
    const samples: Record<string, string[]> = {
      bool: ['t', 'f'], int2: ['-32768', '0', '32767'], int4: ['-2147483648', '2147483647'],
      int8: ['-9223372036854775808', '9223372036854775807'], float4: ['1.1', '-3.4e+38', '1e-45', 'NaN'],
      float8: ['0.30000000000000004', '1e+308', '-0'], numeric: ['1.50', '-123456789012345678901234567890.5', 'Infinity'],
      text: ['', 'é😀'], varchar: ['x'], bpchar: ['ab'], name: ['pg_class'], unknown: ['?'],
      bytea: ['\\x', '\\x00ff'], timestamp: ['2024-01-02 03:04:05.123456', 'infinity', '1900-01-01 00:00:00'],
      timestamptz: ['2024-01-02 03:04:05.123456+00', '-infinity'], date: ['2024-02-29', '1969-12-31'],
      time: ['00:00:00', '24:00:00', '12:34:56.789'], interval: ['-1 days +02:00:00', '00:00:00'],
      json: ['[1, 2]'], jsonb: ['{"a": [1.50, null]}'], oid: ['0', '4294967295'], void: [''],
    };
    for (const [kind, texts] of Object.entries(samples)) {
      const t = Types[kind as keyof typeof Types];
      for (const text of texts) {
        const once = roundTrip(t, text);
        assert.equal(once, text, `${kind} ${text}`);
        assert.equal(roundTrip(t, once), once, `${kind} ${text}`);
      }
    }
  });
});
