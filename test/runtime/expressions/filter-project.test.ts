/**
 * Filters, projections and the fused filter + projection: results equal the reference
 * evaluator row by row, whichever strategy runs, on random batches; zero-copy pass
 * through; failing rows dropped and reported with their batch row.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordBatch } from 'apache-arrow';
import { SabotError } from '../../../src/errors.js';
import { evaluateScalar } from '../../../src/plan/evaluate.js';
import {
  compileFilter, compileFilterProject, compileProjection, errorRow, type FilterStrategy,
} from '../../../src/runtime/expressions/index.js';
import { bind, col, comparable, ctx, makeBatch, randomValue, readData, Rng, T } from './support.js';

const columns = [
  col('a', T.int8), col('b', T.int4), col('c', T.float8), col('s', T.text), col('f', T.bool), col('n', T.numeric),
  col('k', T.int4, false),
];

const QUERIES: { where: string | null; select: string[] }[] = [
  { where: 'a > 10 and c < 0.5', select: ['a + b * 2', 'c'] },
  { where: 'b > 0', select: ['a', 's', 'f', 'n'] },
  { where: 'f', select: ['b / k', 's || \'!\'', 'n * 2'] },
  { where: 's like \'a%\' or c is null', select: ['coalesce(b, -1)', 'case when f then s else \'no\' end'] },
  { where: 'b in (1, 2, 3, 10, -7) or k > 5', select: ['b::float8 / 2', 'c'] },
  { where: 'true', select: ['a', 'k'] },
  { where: 'false', select: ['a', 'k'] },
  { where: 'k <> 0 and b / k > 1', select: ['b'] },
  { where: null, select: ['a * 3', 's'] },
];

function rowsOf(batch: RecordBatch, types: readonly { type: typeof T.int4 }[]): unknown[][] {
  const cols = types.map((c, i) => readData(batch.data.children[i]!, c.type));
  return Array.from({ length: batch.numRows }, (_, r) => cols.map((c) => c[r]));
}

function expected(where: string | null, select: string[], rows: unknown[][]): unknown[][] {
  const pred = where ? bind(where, columns) : null;
  const items = select.map((s) => bind(s, columns));
  const scope = { params: [], context: ctx };
  return rows.filter((r) => !pred || evaluateScalar(pred, r, scope) === true)
    .map((r) => items.map((e) => comparable(e.type, evaluateScalar(e, r, scope))));
}

/** Random rows in ranges where nothing overflows (errors have their own tests below). */
function tameRows(rng: Rng, n: number): unknown[][] {
  const orNull = <V>(v: V) => (rng.chance(0.15) ? null : v);
  return Array.from({ length: n }, () => [
    orNull(BigInt(rng.int(-50, 50))), orNull(rng.int(-20, 20)), orNull(rng.next()), orNull(randomValue(rng, T.text)),
    orNull(rng.chance(0.5)), orNull(randomValue(rng, T.numeric)), rng.int(1, 9),
  ]);
}

describe('filter + projection', () => {
  const rng = new Rng(7);
  const cases = [0, 1, 9, 100, 4096].map((n) => {
    const rows = tameRows(rng, n);
    return { rows, batch: makeBatch(columns, rows) };
  });
  {
    const rows = tameRows(rng, 500);
    cases.push({ rows: rows.slice(37, 400), batch: makeBatch(columns, rows).slice(37, 400) });
  }

  for (const q of QUERIES) {
    it(`SELECT ${q.select.join(', ')}${q.where ? ` WHERE ${q.where}` : ''}`, () => {
      const items = q.select.map((s, i) => ({ name: `c${i}`, expr: bind(s, columns) }));
      for (const fuse of [true, false]) checkQuery(q, items, fuse);
    });
  }

  function checkQuery(q: { where: string | null; select: string[] }, items: { name: string; expr: ReturnType<typeof bind> }[], fuse: boolean): void {
    {
      const fp = compileFilterProject(q.where ? bind(q.where, columns) : null, items, columns, ctx, { fuse });
      assert.deepStrictEqual(fp.columns.map((c) => [c.name, c.type.kind]), items.map((it) => [it.name, it.expr.type.kind]));
      assert.deepStrictEqual(fp.schema.fields.map((f) => f.name), items.map((it) => it.name));
      for (const { rows, batch } of cases) {
        const want = expected(q.where, q.select, rows);
        for (const strategy of ['auto', 'early', 'late'] as FilterStrategy[]) {
          const out = fp.run(batch, [], { strategy });
          assert.equal(out.numRows, want.length, strategy);
          assert.deepStrictEqual(rowsOf(out, fp.columns), want, strategy);
        }
        // The same through the separate filter and projection.
        const proj = compileProjection(items, columns, ctx, { fuse });
        if (q.where) {
          const filter = compileFilter(bind(q.where, columns), columns, ctx, { fuse });
          const sel = filter.selection(batch);
          assert.deepStrictEqual(rowsOf(proj.project(batch, [], { selection: sel }), proj.columns), want);
          assert.deepStrictEqual(rowsOf(proj.project(filter.apply(batch)), proj.columns), want);
          assert.equal(filter.apply(batch).numRows, want.length);
        } else {
          assert.deepStrictEqual(rowsOf(proj.project(batch), proj.columns), want);
        }
      }
    }
  }

  it('passes columns through without copying when every row is kept', () => {
    const { batch } = cases[3]!;
    const fp = compileFilterProject(bind('k = k', columns), [{ name: 'x', expr: bind('a', columns) }], columns, ctx);
    assert.equal(fp.run(batch).data.children[0], batch.data.children[0]);
    const filter = compileFilter(bind('true', columns), columns, ctx);
    assert.equal(filter.apply(batch), batch);
  });

  it('a filter of NULL or FALSE keeps nothing', () => {
    const { batch } = cases[3]!;
    const filter = compileFilter(bind('null::bool', columns), columns, ctx);
    assert.equal(filter.selection(batch).length, 0);
    assert.equal(filter.apply(batch).numRows, 0);
  });
});

describe('failing rows in filter + projection', () => {
  const cols = [col('x', T.int4), col('y', T.int4)];
  const rows = [[1, 1], [2, 0], [3, 1], [4, 0], [5, 1], [6, 1], [7, 1], [8, 0]];
  const batch = makeBatch(cols, rows);

  for (const [strategy, fuse] of [['early', false], ['late', false], ['auto', true]] as [FilterStrategy, boolean][]) {
    it(`projection errors carry the batch row (${strategy}${fuse ? ', fused' : ''})`, () => {
      // x > 1 keeps rows 1..7; 100 / y fails on rows 1, 3 and 7.
      const fp = compileFilterProject(bind('x > 1', cols), [{ name: 'q', expr: bind('100 / y', cols) }, { name: 'x', expr: bind('x', cols) }], cols, ctx, { fuse });
      assert.throws(() => fp.run(batch, [], { strategy }), (err: unknown) => err instanceof SabotError && err.code === '22012' && errorRow(err) === 1);
      const dead: number[] = [];
      const out = fp.run(batch, [], { strategy, onRowError: (row) => dead.push(row) });
      assert.deepStrictEqual(dead.sort((a, b) => a - b), [1, 3, 7]);
      assert.deepStrictEqual(readData(out.data.children[1]!, T.int4), [3, 5, 6, 7]);
      assert.deepStrictEqual(readData(out.data.children[0]!, T.int4), [100, 100, 100, 100]);
    });

    it(`predicate errors drop the row (${strategy}${fuse ? ', fused' : ''})`, () => {
      const fp = compileFilterProject(bind('x / y > 1', cols), [{ name: 'x', expr: bind('x', cols) }], cols, ctx, { fuse });
      const dead: number[] = [];
      const out = fp.run(batch, [], { strategy, onRowError: (row) => dead.push(row) });
      assert.deepStrictEqual(dead.sort((a, b) => a - b), [1, 3, 7]);
      assert.deepStrictEqual(readData(out.data.children[0]!, T.int4), [3, 5, 6, 7]);
    });
  }

  it('rows filtered out are not projected', () => {
    for (const fuse of [true, false]) {
      const fp = compileFilterProject(bind('y <> 0', cols), [{ name: 'q', expr: bind('x / y', cols) }], cols, ctx, { fuse });
      for (const strategy of ['early', 'late'] as FilterStrategy[]) {
        assert.deepStrictEqual(readData(fp.run(batch, [], { strategy }).data.children[0]!, T.int4), [1, 3, 5, 6, 7]);
      }
    }
  });
});
