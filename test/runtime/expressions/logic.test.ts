/**
 * SQL's three-valued logic, spelled out: AND, OR, NOT, IS [NOT] NULL, IN with NULLs,
 * CASE and COALESCE over every combination of TRUE, FALSE and NULL, with column and
 * constant operands.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression } from '../../../src/runtime/expressions/index.js';
import { bind, col, ctx, makeBatch, readData, T } from './support.js';

const V = [true, false, null] as const;
const columns = [col('p', T.bool), col('q', T.bool), col('r', T.bool), col('x', T.int4)];
const pairs = V.flatMap((p) => V.map((q) => [p, q] as const));
const triples = V.flatMap((p) => V.flatMap((q) => V.map((r) => [p, q, r] as const)));

function and(...xs: (boolean | null)[]): boolean | null {
  if (xs.includes(false)) return false;
  return xs.includes(null) ? null : true;
}
function or(...xs: (boolean | null)[]): boolean | null {
  if (xs.includes(true)) return true;
  return xs.includes(null) ? null : false;
}

function evaluate(sql: string, rows: unknown[][]): unknown[] {
  const expr = bind(sql, columns);
  return readData(compileExpression(expr, columns, ctx).evaluate(makeBatch(columns, rows)), expr.type);
}

describe('three-valued logic', () => {
  const rows2 = pairs.map(([p, q]) => [p, q, null, 1]);
  const rows3 = triples.map(([p, q, r]) => [p, q, r, 1]);

  it('AND', () => {
    assert.deepStrictEqual(evaluate('p and q', rows2), pairs.map(([p, q]) => and(p, q)));
    assert.deepStrictEqual(evaluate('p and q and r', rows3), triples.map(([p, q, r]) => and(p, q, r)));
  });

  it('OR', () => {
    assert.deepStrictEqual(evaluate('p or q', rows2), pairs.map(([p, q]) => or(p, q)));
    assert.deepStrictEqual(evaluate('p or q or r', rows3), triples.map(([p, q, r]) => or(p, q, r)));
  });

  it('mixed AND / OR and NOT', () => {
    assert.deepStrictEqual(evaluate('p and (q or r)', rows3), triples.map(([p, q, r]) => and(p, or(q, r))));
    assert.deepStrictEqual(evaluate('not (p or q) and r', rows3), triples.map(([p, q, r]) => {
      const o = or(p, q);
      return and(o === null ? null : !o, r);
    }));
    assert.deepStrictEqual(evaluate('not p', rows2), pairs.map(([p]) => (p === null ? null : !p)));
  });

  it('with constant operands', () => {
    for (const c of V) {
      const lit = c === null ? 'null' : String(c);
      assert.deepStrictEqual(evaluate(`p and ${lit}`, rows2), pairs.map(([p]) => and(p, c)), `p and ${lit}`);
      assert.deepStrictEqual(evaluate(`${lit} and p`, rows2), pairs.map(([p]) => and(c, p)), `${lit} and p`);
      assert.deepStrictEqual(evaluate(`p or ${lit}`, rows2), pairs.map(([p]) => or(p, c)), `p or ${lit}`);
      assert.deepStrictEqual(evaluate(`${lit} or p or q`, rows2), pairs.map(([p, q]) => or(c, p, q)), `${lit} or p or q`);
    }
  });

  it('IS [NOT] NULL is never NULL', () => {
    assert.deepStrictEqual(evaluate('p is null', rows2), pairs.map(([p]) => p === null));
    assert.deepStrictEqual(evaluate('p is not null', rows2), pairs.map(([p]) => p !== null));
    assert.deepStrictEqual(evaluate('(p and q) is null', rows2), pairs.map(([p, q]) => and(p, q) === null));
    assert.deepStrictEqual(evaluate('null is null', rows2), pairs.map(() => true));
  });

  it('IN and NOT IN with NULLs', () => {
    const xs = [1, 2, null];
    const rows = xs.map((x) => [null, null, null, x]);
    assert.deepStrictEqual(evaluate('x in (1, 3)', rows), [true, false, null]);
    assert.deepStrictEqual(evaluate('x in (1, null)', rows), [true, null, null]);
    assert.deepStrictEqual(evaluate('x not in (1, 3)', rows), [false, true, null]);
    assert.deepStrictEqual(evaluate('x not in (1, null)', rows), [false, null, null]);
    assert.deepStrictEqual(evaluate('x in (null)', rows), [null, null, null]);
    assert.deepStrictEqual(evaluate('p in (true, null)', rows2), pairs.map(([p]) => (p === true ? true : null)));
  });

  it('CASE takes the first WHEN that is TRUE (not NULL)', () => {
    assert.deepStrictEqual(evaluate('case when p then 1 when q then 2 else 3 end', rows2),
      pairs.map(([p, q]) => (p === true ? 1 : q === true ? 2 : 3)));
    assert.deepStrictEqual(evaluate('case when p then 1 when q then 2 end', rows2),
      pairs.map(([p, q]) => (p === true ? 1 : q === true ? 2 : null)));
    assert.deepStrictEqual(evaluate('case p when true then \'t\' when false then \'f\' else \'n\' end', rows2),
      pairs.map(([p]) => (p === true ? 't' : p === false ? 'f' : 'n')));
  });

  it('COALESCE takes the first non-NULL', () => {
    assert.deepStrictEqual(evaluate('coalesce(p, q)', rows2), pairs.map(([p, q]) => p ?? q));
    assert.deepStrictEqual(evaluate('coalesce(p, q, r, false)', rows3), triples.map(([p, q, r]) => p ?? q ?? r ?? false));
  });
});
