import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pruneSourceColumns } from '../../src/optimizer/prune-source-columns.js';
import { evaluateScalar } from '../../src/plan/evaluate.js';
import { beforeAfter, plan } from './plans.js';

test('a source decodes only the columns read above it, and the expressions read them at their new places', () => {
  const { before, after } = beforeAfter(pruneSourceColumns, 'CREATE DATAFLOW d AS SELECT n * 2 AS twice FROM events WHERE flag');
  assert.deepEqual(before, [
    'Result [twice integer]',
    '  Project (n * 2) AS twice',
    '    Filter flag',
    '      Source events (internal) [payload text, at timestamp without time zone, flag boolean, n integer]',
  ]);
  assert.deepEqual(after, [
    'Result [twice integer]',
    '  Project (n * 2) AS twice',
    '    Filter flag',
    '      Source events (internal) [flag boolean, n integer]',
  ]);
  // The expressions compute the same from the pruned row as from the whole one.
  const ctx = { params: [], context: {} as never };
  const exprs = (p: ReturnType<typeof plan>) => p.operators.flatMap((op) => (op.kind === 'filter' ? [op.predicate] : op.kind === 'project' ? op.exprs : []));
  const p = plan('CREATE DATAFLOW d AS SELECT n * 2 AS twice FROM events WHERE flag');
  const [predicate, twice] = exprs(p);
  const [prunedPredicate, prunedTwice] = exprs(pruneSourceColumns.apply(p));
  assert.equal(evaluateScalar(prunedPredicate!, [true, 21], ctx), evaluateScalar(predicate!, ['x', 0, true, 21], ctx));
  assert.equal(evaluateScalar(prunedTwice!, [true, 21], ctx), evaluateScalar(twice!, ['x', 0, true, 21], ctx));
});

test('each branch of a union is pruned separately', () => {
  const { after } = beforeAfter(pruneSourceColumns,
    'CREATE DATAFLOW d AS SELECT id FROM orders WHERE amount > 5 UNION ALL SELECT id + 1 FROM pending');
  assert.deepEqual(after, [
    'Result [id bigint]',
    '  UnionAll',
    '    Project id AS id',
    '      Filter (amount > 5)',
    '        Source orders (internal) [id bigint, amount double precision]',
    '    Project (id + 1) AS ?column?',
    '      Source pending (internal) [id bigint]',
  ]);
});

test('a source none of whose columns is read keeps its narrowest one', () => {
  const { after } = beforeAfter(pruneSourceColumns, 'CREATE DATAFLOW d AS SELECT 1 AS one FROM events');
  assert.deepEqual(after, [
    'Result [one integer]',
    '  Project 1 AS one',
    '    Source events (internal) [flag boolean]',
  ]);
});

test('SELECT * keeps every column', () => {
  const p = plan("CREATE DATAFLOW d AS SELECT * FROM orders WHERE status = 'a'");
  assert.equal(pruneSourceColumns.apply(p), p);
});

test('through a join each side decodes what is read above it and what the join reads: keys, condition, time bounds', () => {
  const { after } = beforeAfter(pruneSourceColumns,
    "CREATE DATAFLOW d AS SELECT o.status, p.amount FROM orders AS o JOIN pending AS p ON o.id = p.id AND p.amount > o.amount");
  assert.deepEqual(after, [
    'Result [status text, amount double precision]',
    '  Project status AS status, amount AS amount',
    '    Join on [id = id] filter (amount > amount) unbounded state',
    '      Source orders (internal) [id bigint, status text, amount double precision]',
    '      Source pending (internal) [id bigint, amount double precision]',
  ]);
  const { after: narrower } = beforeAfter(pruneSourceColumns,
    'CREATE DATAFLOW d AS SELECT p.amount FROM orders AS o JOIN pending AS p ON o.id = p.id');
  assert.deepEqual(narrower, [
    'Result [amount double precision]',
    '  Project amount AS amount',
    '    Join on [id = id] unbounded state',
    '      Source orders (internal) [id bigint]',
    '      Source pending (internal) [id bigint, amount double precision]',
  ]);
});
