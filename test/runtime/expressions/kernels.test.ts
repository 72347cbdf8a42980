/**
 * The kernel registry follows the function registry: every fast kernel is keyed by an
 * overload that exists in src/functions, and the operators the runtime leans on have one.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { builtinFunctions } from '../../../src/functions/builtins.js';
import { compileExpression, kernelKey, registeredKernels } from '../../../src/runtime/expressions/index.js';
import { bind, col, ctx, makeBatch, readData, T } from './support.js';

describe('kernel registry', () => {
  const functions = builtinFunctions();

  it('keys every kernel by an existing overload', () => {
    for (const key of registeredKernels()) {
      const name = key.slice(0, key.lastIndexOf('('));
      const found = functions.overloads(name).some((fn) => kernelKey(fn.name, fn.argTypes) === key);
      assert.ok(found, `${key} has no overload in src/functions`);
    }
  });

  it('has fast kernels for arithmetic, comparisons and LIKE', () => {
    const keys = new Set(registeredKernels());
    for (const t of ['int2', 'int4', 'int8', 'float4', 'float8']) {
      for (const op of ['+', '-', '*', '/']) assert.ok(keys.has(`${op}(${t},${t})`), `${op} ${t}`);
      assert.ok(keys.has(`-(${t})`), `unary - ${t}`);
    }
    for (const t of ['int2', 'int4', 'int8']) assert.ok(keys.has(`%(${t},${t})`));
    for (const t of ['bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'text', 'timestamp', 'timestamptz', 'date']) {
      for (const op of ['=', '<>', '<', '<=', '>', '>=']) assert.ok(keys.has(`${op}(${t},${t})`), `${op} ${t}`);
    }
    assert.ok(keys.has('~~(text,text)'));
  });

  it('compiles the benchmark query to typed-array kernels only', () => {
    const cols = [col('a', T.int8), col('b', T.int4), col('c', T.float8)];
    for (const sql of ['a + b * 2', 'c', 'a > 10 and c < 0.5']) {
      assert.ok(compileExpression(bind(sql, cols), cols, ctx).vectorized, sql);
    }
    assert.deepStrictEqual(compileExpression(bind('a + b * 2 + c', cols), cols, ctx).columns, [0, 1, 2]);
  });

  it('gives results as Arrow Data and Vectors of the expression type', () => {
    const cols = [col('a', T.int8), col('b', T.int4)];
    const batch = makeBatch(cols, [[1n, 2], [null, 3], [5n, null]]);
    const expr = compileExpression(bind('a + b * 2', cols), cols, ctx);
    const data = expr.evaluate(batch);
    assert.equal(data.length, 3);
    assert.equal(String(data.type), 'Int64');
    assert.equal(data.nullCount, 2);
    const vector = expr.evaluateVector(batch);
    assert.equal(vector.length, 3);
    assert.deepStrictEqual(readData(vector.data[0]!, T.int8), [5n, null, null]);
    const flag = compileExpression(bind('b > 2', cols), cols, ctx).evaluate(batch);
    assert.equal(String(flag.type), 'Bool');
    assert.deepStrictEqual(readData(flag, T.bool), [false, true, null]);
  });
});
