import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinFunctions } from '../../src/functions/builtins.js';
import { mergeProjections } from '../../src/optimizer/merge-projections.js';
import type { BoundExpression } from '../../src/plan/expression.js';
import { explainLogical, type LogicalPlan } from '../../src/plan/logical-plan.js';
import { Types } from '../../src/types/sql-type.js';
import { beforeAfter, plan } from './plans.js';

test("INSERT's shaping projection merges into the SELECT's", () => {
  const { before, after } = beforeAfter(mergeProjections, "CREATE DATAFLOW d AS INSERT INTO counts SELECT id * 2 FROM orders WHERE status = 'a'");
  assert.deepEqual(before, [
    'Sink counts [n integer]',
    '  Project CAST(?column? AS integer) AS n',
    '    Project (id * 2) AS ?column?',
    "      Filter (status = 'a')",
    '        Source orders (internal) [id bigint, status text, amount double precision]',
  ]);
  assert.deepEqual(after, [
    'Sink counts [n integer]',
    '  Project CAST((id * 2) AS integer) AS n',
    "    Filter (status = 'a')",
    '      Source orders (internal) [id bigint, status text, amount double precision]',
  ]);
});

test('the shaping projection reordering columns and filling the missing ones with NULL merges too', () => {
  const { after } = beforeAfter(mergeProjections, 'CREATE DATAFLOW d AS INSERT INTO pending (amount, id) SELECT n + 1, n FROM events');
  assert.deepEqual(after, [
    'Sink pending [id bigint, amount double precision]',
    '  Project CAST(n AS bigint) AS id, CAST((n + 1) AS double precision) AS amount',
    '    Source events (internal) [payload text, at timestamp without time zone, flag boolean, n integer]',
  ]);
});

test('a volatile expression read once, not under a condition, merges', () => {
  const { after } = beforeAfter(mergeProjections, 'CREATE DATAFLOW d AS INSERT INTO pending (amount) SELECT extract(epoch from clock_timestamp()) FROM events');
  assert.deepEqual(after, [
    'Sink pending [id bigint, amount double precision]',
    "  Project NULL AS id, CAST(extract('epoch', clock_timestamp()) AS double precision) AS amount",
    '    Source events (internal) [payload text, at timestamp without time zone, flag boolean, n integer]',
  ]);
});

/** Project outer over Project inner (one volatile column, clock_timestamp()) over a source. */
function overVolatile(outer: (v: BoundExpression) => BoundExpression[]): LogicalPlan {
  const fn = builtinFunctions().overloads('clock_timestamp')[0]!;
  const ts = { name: 't', type: Types.timestamptz, nullable: true };
  const v: BoundExpression = { kind: 'column', type: Types.timestamptz, index: 0, name: 't' };
  const exprs = outer(v);
  return {
    name: 'd',
    operators: [
      { kind: 'source', id: 'source_0', stream: 'events', connector: 'internal', options: {}, columns: [{ name: 'n', type: Types.int4, nullable: true }] },
      { kind: 'project', id: 'project_1', input: 'source_0', exprs: [{ kind: 'call', type: Types.timestamptz, fn, args: [] }], columns: [ts] },
      { kind: 'project', id: 'project_2', input: 'project_1', exprs, columns: exprs.map((_, i) => ({ ...ts, name: `t${i}` })) },
      { kind: 'sink', id: 'sink_3', input: 'project_2', stream: null, upsertKeys: null, columns: exprs.map((_, i) => ({ ...ts, name: `t${i}` })) },
    ],
  };
}

test('a volatile expression that would be duplicated, dropped or reached only on some rows stays in its own projection', () => {
  const isNull = (v: BoundExpression): BoundExpression => ({ kind: 'is-null', type: Types.bool, arg: v, negated: false });
  const cases: [string, (v: BoundExpression) => BoundExpression[]][] = [
    ['duplicated', (v) => [v, v]],
    ['dropped', () => [{ kind: 'constant', type: Types.timestamptz, value: null }]],
    ['in a CASE branch', (v) => [{ kind: 'case', type: Types.timestamptz, whens: [{ when: isNull(v), then: v }], else: v }]],
    ['in COALESCE', (v) => [{ kind: 'coalesce', type: Types.timestamptz, args: [{ kind: 'constant', type: Types.timestamptz, value: null }, v] }]],
  ];
  for (const [what, outer] of cases) {
    const p = overVolatile(outer);
    assert.equal(mergeProjections.apply(p), p, what);
  }
  const once = overVolatile((v) => [v]);
  assert.deepEqual(explainLogical(mergeProjections.apply(once)), [
    'Result [t0 timestamp with time zone]',
    '  Project clock_timestamp() AS t0',
    '    Source events (internal) [n integer]',
  ]);
});

test('a single projection has nothing to merge', () => {
  const p = plan('CREATE DATAFLOW d AS INSERT INTO pending SELECT id, amount FROM orders');
  assert.equal(mergeProjections.apply(p), p);
});
