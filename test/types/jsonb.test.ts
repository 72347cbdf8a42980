import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SabotError } from '../../src/errors.js';
import {
  JsonNumber, canonicalJsonb, compareJsonbKeys, parseJson, quoteJsonString, stringifyJsonb, validateJson,
} from '../../src/types/jsonb.js';

function jsonError(text: string, detail: string, where?: string): void {
  assert.throws(() => canonicalJsonb(text), (e: unknown) => {
    assert.ok(e instanceof SabotError, `expected SabotError, got ${String(e)}`);
    assert.equal(e.code, '22P02');
    assert.equal(e.message, 'invalid input syntax for type json');
    assert.equal(e.detail, detail);
    if (where !== undefined) assert.equal(e.where, where);
    return true;
  }, text);
}

describe('canonicalJsonb', () => {
  it('prints as Postgres prints jsonb (checked against PostgreSQL 15)', () => {
    const cases: Array<[string, string]> = [
      ['{"b": 1, "a": 2, "aa": [1, 2, {"c": null}], "a": 3}', '{"a": 3, "b": 1, "aa": [1, 2, {"c": null}]}'],
      ['[1.50, 1e2, -0, -0.0, 1E+2, 0.1e1, 1e-2, 12345678901234567890123]',
        '[1.50, 100, 0, 0.0, 100, 1, 0.01, 12345678901234567890123]'],
      ['"\\u00e9\\n\\t\\"\\\\\\/\\u0001"', '"é\\n\\t\\"\\\\/\\u0001"'],
      ['{"": 1, "é": 2, "z": 3, "ab": 4}', '{"": 1, "z": 3, "ab": 4, "é": 2}'],
      [' true ', 'true'],
      ['null', 'null'],
      ['"\\ud83d\\ude00"', '"😀"'],
      ['{"a":[]}', '{"a": []}'],
      ['[[[]]]', '[[[]]]'],
      ['{"a":{}}', '{"a": {}}'],
      ['[1.0e-5, 100e-2]', '[0.000010, 1.00]'],
      ['-1.5E-3', '-0.0015'],
      ['-0.5', '-0.5'],
      ['{"aaa":1,"b":2,"cc":3}', '{"b": 2, "cc": 3, "aaa": 1}'],
      ['{"ab":1,"aa":2,"b":3}', '{"b": 3, "aa": 2, "ab": 1}'],
      ['  {  "a" : [ 1 , 2 ] , "b" : { } }  ', '{"a": [1, 2], "b": {}}'],
      ['{"a":1, "a":2, "b":{"c":1,"c":[]}}', '{"a": 2, "b": {"c": []}}'],
      ['{"k\\u00e9y": "\\u007f\\u001f", "emoji😀": [1, {"z":1, "y": 2}]}',
        '{"ké": "\u007f\\u001f", "emoji😀": [1, {"y": 2, "z": 1}]}'.replace('"ké"', '"kéy"')],
      ['"é\\r\\b\\f"', '"é\\r\\b\\f"'],
      ['{"a":1,"b":2,"a":3,"é":1,"e":2,"ü":0,"zz":1}', '{"a": 3, "b": 2, "e": 2, "zz": 1, "é": 1, "ü": 0}'],
      ['\n\n  [1,\n 2]', '[1, 2]'],
    ];
    for (const [input, out] of cases) assert.equal(canonicalJsonb(input), out, input);
  });

  it('reports errors with Postgres DETAIL and CONTEXT', () => {
    jsonError('{"a":1,}', 'Expected string, but found "}".', 'JSON data, line 1: {"a":1,}');
    jsonError('[1,2', 'The input string ended unexpectedly.', 'JSON data, line 1: [1,2');
    jsonError('{"a" 1}', 'Expected ":", but found "1".', 'JSON data, line 1: {"a" 1...');
    jsonError('[01]', 'Token "01" is invalid.');
    jsonError('"abc', 'Token ""abc" is invalid.', 'JSON data, line 1: "abc');
    jsonError('{"a":1}x', 'Token "x" is invalid.');
    jsonError("{'a':1}", 'Token "\'" is invalid.');
    jsonError('"\\ud800"', 'Unicode low surrogate must follow a high surrogate.');
    jsonError('"\\x"', 'Escape sequence "\\x" is invalid.');
    jsonError('[1,]', 'Expected JSON value, but found "]".');
    jsonError('', 'The input string ended unexpectedly.');
    jsonError('nul', 'Token "nul" is invalid.');
    jsonError('1.', 'Token "1." is invalid.');
    jsonError('-', 'Token "-" is invalid.');
    jsonError('.5', 'Token "." is invalid.');
    jsonError('1e', 'Token "1e" is invalid.');
    jsonError('[1 2]', 'Expected "," or "]", but found "2".');
    jsonError('{1:2}', 'Expected string or "}", but found "1".');
    jsonError('{"a":}', 'Expected JSON value, but found "}".');
    jsonError('TRUE', 'Token "TRUE" is invalid.');
    jsonError('"a\tb"', 'Character with value 0x09 must be escaped.', 'JSON data, line 1: "a...');
    jsonError('{\n"a": 1,\n "b": x}', 'Token "x" is invalid.', 'JSON data, line 3:  "b": x...');
    jsonError('{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": 1, "b" 2, "c": 3}',
      'Expected ":", but found "2".',
      'JSON data, line 1: ...aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": 1, "b" 2...');
    jsonError('[1,2,3,4,5] 7', 'Expected end of input, but found "7".');
    jsonError('[,', 'Expected JSON value, but found ",".');
    jsonError('"\\u12"', '"\\u" must be followed by four hexadecimal digits.', 'JSON data, line 1: "\\u12"');
    jsonError('"\\ud800\\ud800"', 'Unicode high surrogate must not follow a high surrogate.');
    jsonError('"\\ud800x"', 'Unicode low surrogate must follow a high surrogate.');
    jsonError('"\\uDC00"', 'Unicode low surrogate must follow a high surrogate.');
    jsonError('{"a":"b" "c"}', 'Expected "," or "}", but found ""c"".');
    jsonError('[true false]', 'Expected "," or "]", but found "false".');
    jsonError('truex', 'Token "truex" is invalid.');
    jsonError('1.5.3', 'Token "." is invalid.', 'JSON data, line 1: 1.5....');
    jsonError('-01', 'Token "-01" is invalid.');
    jsonError('1e+', 'Token "1e+" is invalid.');
    jsonError('[1e5x]', 'Token "1e5x" is invalid.');
  });

  it('rejects \\u0000 in jsonb (22P05) but not in json', () => {
    assert.throws(() => canonicalJsonb('"\\u0000"'), (e: unknown) => e instanceof SabotError && e.code === '22P05'
      && e.message === 'unsupported Unicode escape sequence' && e.detail === '\\u0000 cannot be converted to text.');
    validateJson('"\\u0000"');
    validateJson(' [1, 2] ');
    assert.throws(() => validateJson('[1, 2'), (e: unknown) => e instanceof SabotError && e.code === '22P02');
  });

  it('limits nesting depth', () => {
    assert.equal(canonicalJsonb('['.repeat(1000) + ']'.repeat(1000)), '['.repeat(1000) + ']'.repeat(1000));
    assert.throws(() => canonicalJsonb('['.repeat(100000)), (e: unknown) => e instanceof SabotError && e.code === '54001');
  });
});

describe('parseJson and stringifyJsonb', () => {
  it('builds a tree with numeric text and sorted Map objects', () => {
    const v = parseJson('{"b": [1.50, true, null, "x"], "a": {"y": 1, "x": 2}}');
    assert.ok(v instanceof Map);
    assert.deepEqual(Array.from(v.keys()), ['a', 'b']);
    const b = v.get('b') as unknown[];
    assert.ok(b[0] instanceof JsonNumber);
    assert.equal((b[0] as JsonNumber).text, '1.50');
    assert.equal((b[0] as JsonNumber).toNumber(), 1.5);
    assert.equal((b[0] as JsonNumber).toDecimal().toString(), '1.50');
    assert.deepEqual(b.slice(1), [true, null, 'x']);
    assert.equal(stringifyJsonb(v), '{"a": {"x": 2, "y": 1}, "b": [1.50, true, null, "x"]}');
  });

  it('orders keys by UTF-8 length, then bytes', () => {
    assert.ok(compareJsonbKeys('b', 'aa') < 0);
    assert.ok(compareJsonbKeys('ab', 'é') < 0); // é is two bytes, 0xc3 > 'a'
    assert.ok(compareJsonbKeys('\uffff', '😀') < 0); // 3 bytes before 4 bytes
    assert.equal(compareJsonbKeys('x', 'x'), 0);
  });

  it('escapes strings as Postgres does', () => {
    assert.equal(quoteJsonString('a"b\\c\n\u0000\u001f/é'), '"a\\"b\\\\c\\n\\u0000\\u001f/é"');
  });
});
