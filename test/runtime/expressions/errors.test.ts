/**
 * Errors raised inside kernels: Postgres's overflow (22003) and division-by-zero (22012)
 * errors with the scalar functions' messages, the row they were raised for, rows where
 * the reference never evaluates the failing operation (NULLs, short circuits), and the
 * collect mode that reports failing rows and goes on.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SabotError } from '../../../src/errors.js';
import { compileExpression, errorRow } from '../../../src/runtime/expressions/index.js';
import { bind, col, ctx, makeBatch, readData, T } from './support.js';

const columns = [
  col('a2', T.int2), col('b2', T.int2), col('a4', T.int4), col('b4', T.int4), col('a8', T.int8), col('b8', T.int8),
  col('f4', T.float4), col('g4', T.float4), col('f8', T.float8), col('g8', T.float8), col('t', T.text),
];

type Row = Partial<Record<'a2' | 'b2' | 'a4' | 'b4' | 'a8' | 'b8' | 'f4' | 'g4' | 'f8' | 'g8' | 't', unknown>>;

/** A batch of `n` harmless rows with `bad` placed at row `at`. */
function batchWith(bad: Row, at: number, n = 20, base: Row = {}) {
  const harmless: Row = { a2: 1, b2: 2, a4: 1, b4: 2, a8: 1n, b8: 2n, f4: 1, g4: 2, f8: 1, g8: 2, t: '12', ...base };
  const rows = Array.from({ length: n }, (_, i) => {
    const r = { ...harmless, ...(i === at ? bad : {}) };
    return columns.map((c) => r[c.name as keyof Row] ?? null);
  });
  return { rows, batch: makeBatch(columns, rows) };
}

function expectError(sql: string, bad: Row, code: string, message: string, at = 7): void {
  const expr = compileExpression(bind(sql, columns), columns, ctx);
  const { batch } = batchWith(bad, at);
  assert.throws(() => expr.evaluate(batch), (err: unknown) => {
    assert.ok(err instanceof SabotError, String(err));
    assert.equal(err.code, code, sql);
    assert.equal(err.message, message, sql);
    assert.equal(errorRow(err), at, sql);
    return true;
  }, sql);
}

describe('overflow and division by zero', () => {
  it('smallint', () => {
    expectError('a2 + b2', { a2: 32767, b2: 1 }, '22003', 'smallint out of range');
    expectError('a2 - b2', { a2: -32768, b2: 1 }, '22003', 'smallint out of range');
    expectError('a2 * b2', { a2: 182, b2: 182 }, '22003', 'smallint out of range');
    expectError('a2 / b2', { a2: -32768, b2: -1 }, '22003', 'smallint out of range');
    expectError('-a2', { a2: -32768 }, '22003', 'smallint out of range');
    expectError('a2 / b2', { b2: 0 }, '22012', 'division by zero');
    expectError('a2 % b2', { b2: 0 }, '22012', 'division by zero');
  });

  it('integer', () => {
    expectError('a4 + b4', { a4: 2147483647, b4: 1 }, '22003', 'integer out of range');
    expectError('a4 - b4', { a4: -2147483648, b4: 1 }, '22003', 'integer out of range');
    expectError('a4 * b4', { a4: 46341, b4: 46341 }, '22003', 'integer out of range');
    expectError('a4 * 2', { a4: 1073741824 }, '22003', 'integer out of range');
    expectError('a4 / b4', { a4: -2147483648, b4: -1 }, '22003', 'integer out of range');
    expectError('abs(a4)', { a4: -2147483648 }, '22003', 'integer out of range');
    expectError('a4 / b4', { b4: 0 }, '22012', 'division by zero');
    expectError('a4 % b4', { b4: 0 }, '22012', 'division by zero');
    expectError('mod(a4, b4)', { b4: 0 }, '22012', 'division by zero');
  });

  it('bigint', () => {
    expectError('a8 + b8', { a8: 9223372036854775807n, b8: 1n }, '22003', 'bigint out of range');
    expectError('a8 - b8', { a8: -9223372036854775808n, b8: 1n }, '22003', 'bigint out of range');
    expectError('a8 * b8', { a8: 3037000500n, b8: 3037000500n }, '22003', 'bigint out of range');
    expectError('a8 * b8', { a8: -9223372036854775808n, b8: -1n }, '22003', 'bigint out of range');
    expectError('a8 / b8', { a8: -9223372036854775808n, b8: -1n }, '22003', 'bigint out of range');
    expectError('-a8', { a8: -9223372036854775808n }, '22003', 'bigint out of range');
    expectError('a8 + a4', { a8: 9223372036854775807n }, '22003', 'bigint out of range');
    expectError('a8 / b8', { b8: 0n }, '22012', 'division by zero');
    expectError('a8 % b8', { b8: 0n }, '22012', 'division by zero');
  });

  it('real and double precision', () => {
    expectError('f4 * g4', { f4: 3e38, g4: 10 }, '22003', 'value out of range: overflow');
    expectError('f4 + g4', { f4: 3.4e38, g4: 3.4e38 }, '22003', 'value out of range: overflow');
    expectError('f8 * g8', { f8: 1e300, g8: 1e300 }, '22003', 'value out of range: overflow');
    expectError('f8 - g8', { f8: -1.7e308, g8: 1.7e308 }, '22003', 'value out of range: overflow');
    expectError('f8 / g8', { g8: 0 }, '22012', 'division by zero');
    expectError('f8 / g8', { g8: -0 }, '22012', 'division by zero');
    expectError('f4 / g4', { g4: 0 }, '22012', 'division by zero');
  });

  it('casts', () => {
    expectError('a8::int4', { a8: 2147483648n }, '22003', 'integer out of range');
    expectError('a4::int2', { a4: 32768 }, '22003', 'smallint out of range');
    expectError('f8::int4', { f8: 2147483647.5 }, '22003', 'integer out of range');
    expectError('f8::int8', { f8: 9.3e18 }, '22003', 'bigint out of range');
    expectError('f8::int8', { f8: NaN }, '22003', 'bigint out of range');
    expectError('f8::float4', { f8: 1e39 }, '22003', 'value out of range: overflow');
    expectError('t::int4', { t: 'x1' }, '22P02', 'invalid input syntax for type integer: "x1"');
  });

  it('infinite operands are no overflow', () => {
    const expr = compileExpression(bind('f8 * g8', columns), columns, ctx);
    const { batch } = batchWith({ f8: Infinity, g8: 2 }, 3);
    assert.equal(readData(expr.evaluate(batch), T.float8)[3], Infinity);
    const nan = batchWith({ f8: NaN, g8: 2 }, 3);
    assert.ok(Number.isNaN(readData(expr.evaluate(nan.batch), T.float8)[3]));
  });

  it('reports the first failing row in throw mode, every failing row once in collect mode', () => {
    const expr = compileExpression(bind('a4 / b4 + 100 / (b4 - 2)', columns), columns, ctx);
    const rows = [[0, 2], [1, 0], [2, 2], [3, 0], [4, 3], [null, 0]].map(([a, b]) => columns.map((c) => (c.name === 'a4' ? a : c.name === 'b4' ? b : null)));
    const batch = makeBatch(columns, rows);
    // Row 0 fails first (100 / 0), as row by row.
    assert.throws(() => expr.evaluate(batch), (err: unknown) => errorRow(err) === 0 && (err as SabotError).code === '22012');
    const failures: [number, string][] = [];
    const out = readData(expr.evaluate(batch, [], { onRowError: (row, err) => failures.push([row, err.code]) }), T.int4);
    // Rows 0 and 2 divide 100 by zero, rows 1 and 3 divide by b4 = 0; row 5 is NULL.
    assert.deepStrictEqual(failures.sort((x, y) => x[0] - y[0]), [[0, '22012'], [1, '22012'], [2, '22012'], [3, '22012']]);
    assert.deepStrictEqual([out[4], out[5]], [1 + 100, null]);
  });
});

describe('rows the reference never evaluates do not fail', () => {
  const ok = (sql: string, bad: Row, expected: unknown, type = T.int4) => {
    const expr = compileExpression(bind(sql, columns), columns, ctx);
    const { batch } = batchWith(bad, 4);
    assert.deepStrictEqual(readData(expr.evaluate(batch), type)[4], expected, sql);
  };

  it('NULL operands of strict functions', () => {
    ok('a4 / b4', { a4: null, b4: 0 }, null);
    ok('a4 * b4', { a4: 2147483647, b4: null }, null);
    ok('a8 / b8', { a8: null, b8: 0n }, null, T.int8);
    ok('a4::int2', { a4: null }, null, T.int2);
  });

  it('AND, OR, CASE and COALESCE short circuits', () => {
    ok('b4 <> 0 and a4 / b4 > 1', { b4: 0 }, false, T.bool);
    ok('b4 = 0 or a4 / b4 > 1', { b4: 0 }, true, T.bool);
    ok('case when b4 = 0 then -1 else a4 / b4 end', { b4: 0 }, -1);
    ok('case when b4 <> 0 then a4 / b4 end', { b4: 0 }, null);
    ok('coalesce(a4, a4 / b4)', { a4: 5, b4: 0 }, 5);
    ok('coalesce(a4, 1, a4 / b4)', { a4: null, b4: 0 }, 1);
    ok('b4 <> 0 and (a4 / b4 > 1 or a8 * b8 > 0)', { b4: 0, a8: 9223372036854775807n }, false, T.bool);
    ok('a4 > 0 and b4 <> 0 and a4 / b4 >= 0', { a4: 0, b4: 0 }, false, T.bool);
  });

  it('but NULL does not stop AND or CASE', () => {
    assert.throws(() => compileExpression(bind('null and a4 / b4 > 1', columns), columns, ctx).evaluate(batchWith({ b4: 0 }, 2).batch),
      (err: unknown) => errorRow(err) === 2);
    assert.throws(() => compileExpression(bind('case when null then 1 else a4 / b4 end', columns), columns, ctx).evaluate(batchWith({ b4: 0 }, 2).batch),
      (err: unknown) => errorRow(err) === 2);
  });

  it('an operation on constants fails on the first row, or on every row in collect mode', () => {
    const expr = compileExpression(bind('a4 + 1 / 0', columns), columns, ctx);
    const { batch } = batchWith({}, 0, 5);
    assert.throws(() => expr.evaluate(batch), (err: unknown) => errorRow(err) === 0 && (err as SabotError).code === '22012');
    const rows: number[] = [];
    expr.evaluate(batch, [], { onRowError: (row) => rows.push(row) });
    assert.deepStrictEqual(rows, [0, 1, 2, 3, 4]);
    // No rows: nothing fails.
    assert.equal(expr.evaluate(batchWith({}, 0, 0).batch).length, 0);
  });

  it('a NULL parameter makes NULLs, but the other operations still raise their errors', () => {
    const cols = [col('x', T.int4), col('y', T.int4)];
    const batch = makeBatch(cols, [[1, 1], [2, 0], [3, 1]]);
    for (const fuse of [true, false]) {
      const sum = compileExpression(bind('x * 2 + $1', cols, [T.int4]), cols, ctx, { fuse });
      assert.deepStrictEqual(readData(sum.evaluate(batch, [null]), T.int4), [null, null, null]);
      assert.deepStrictEqual(readData(sum.evaluate(batch, [10]), T.int4), [12, 14, 16]);
      const div = compileExpression(bind('x / y + $1 * 2', cols, [T.int4]), cols, ctx, { fuse });
      assert.throws(() => div.evaluate(batch, [null]), (err: unknown) => errorRow(err) === 1 && (err as SabotError).code === '22012');
      const pred = compileExpression(bind('x > $1 or y = 0', cols, [T.int4]), cols, ctx, { fuse });
      assert.deepStrictEqual(readData(pred.evaluate(batch, [null]), T.bool), [null, true, null]);
      assert.deepStrictEqual(readData(pred.evaluate(batch, [2]), T.bool), [false, true, true]);
    }
  });

  it('rows outside the active mask do not fail', () => {
    const { batch } = batchWith({ b4: 0 }, 3, 6);
    for (const fuse of [true, false]) {
      for (const sql of ['a4 / b4', 'a4 / b4 + 1', 'case when a4 > 0 then a4 / b4 end']) {
        const expr = compileExpression(bind(sql, columns), columns, ctx, { fuse });
        const active = Uint8Array.from([1, 1, 1, 0, 1, 1]);
        const got = readData(expr.evaluate(batch, [], { active }), T.int4);
        assert.deepStrictEqual([got[0], got[5]], sql === 'a4 / b4 + 1' ? [1, 1] : [0, 0], sql);
        assert.throws(() => expr.evaluate(batch), (err: unknown) => errorRow(err) === 3, sql);
      }
    }
  });

  it('asynchronous functions are refused per row, not silently skipped', () => {
    const cols = [col('s', T.float8)];
    const expr = compileExpression(bind('pg_sleep(s) is null', cols), cols, ctx);
    assert.throws(() => expr.evaluate(makeBatch(cols, [[0], [null], [5]])), (err: unknown) =>
      err instanceof SabotError && err.code === '0A000' && errorRow(err) === 2);
  });
});
