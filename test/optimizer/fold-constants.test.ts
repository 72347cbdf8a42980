import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldConstants } from '../../src/optimizer/fold-constants.js';
import { beforeAfter, plan } from './plans.js';

test('immutable calls and casts over constants become constants', () => {
  const { before, after } = beforeAfter(foldConstants,
    "CREATE DATAFLOW d AS SELECT id, 2 * 3 + amount, upper('a') || status AS s, 5 - NULL AS nothing FROM orders WHERE amount > 10 * 10");
  assert.deepEqual(before, [
    'Result [id bigint, ?column? double precision, s text, nothing integer]',
    "  Project id AS id, (CAST((2 * 3) AS double precision) + amount) AS ?column?, (upper('a') || status) AS s, (5 - NULL) AS nothing",
    '    Filter (amount > CAST((10 * 10) AS double precision))',
    '      Source orders (internal) [id bigint, status text, amount double precision]',
  ]);
  assert.deepEqual(after, [
    'Result [id bigint, ?column? double precision, s text, nothing integer]',
    "  Project id AS id, (6 + amount) AS ?column?, ('A' || status) AS s, NULL AS nothing",
    '    Filter (amount > 100)',
    '      Source orders (internal) [id bigint, status text, amount double precision]',
  ]);
});

test('a folded expression keeps its type', () => {
  const p = plan("CREATE DATAFLOW d AS SELECT 2 * 3 + amount AS a, 1 + 1 AS b, 2.5 * 2 AS c, 1 = 1 AS d, CAST(upper('7') AS bigint) AS e, 5 - NULL AS f FROM orders");
  const exprs = (q: typeof p) => q.operators.flatMap((op) => (op.kind === 'project' ? op.exprs : []));
  const folded = exprs(foldConstants.apply(p));
  assert.deepEqual(folded.map((e) => e.type), exprs(p).map((e) => e.type));
  assert.deepEqual(folded.slice(1).map((e) => e.kind), ['constant', 'constant', 'constant', 'constant', 'constant']);
});

test('AND, OR and NOT with constant operands', () => {
  const filterOf = (where: string) =>
    beforeAfter(foldConstants, `CREATE DATAFLOW d AS SELECT id FROM orders WHERE ${where}`).after[2];
  assert.equal(filterOf("status = 'a' AND 1 = 1"), "    Filter (status = 'a')");
  assert.equal(filterOf("status = 'a' AND 1 = 2"), '    Filter f');
  assert.equal(filterOf("status = 'a' OR 1 < 2"), '    Filter t');
  assert.equal(filterOf("status = 'a' OR FALSE OR amount > 1"), "    Filter ((status = 'a') OR (amount > 1))");
  assert.equal(filterOf("NOT NOT (status = 'a')"), "    Filter (status = 'a')");
  // x AND NULL is not x: NULL when x is TRUE.
  assert.equal(filterOf("status = 'a' AND NULL"), "    Filter ((status = 'a') AND NULL)");
});

test('CASE drops the WHENs never taken and ends at one always taken; COALESCE drops NULLs and ends at a constant', () => {
  const { before, after } = beforeAfter(foldConstants,
    "CREATE DATAFLOW d AS SELECT CASE WHEN 1 > 2 THEN 'a' WHEN status = 'x' THEN 'b' WHEN true THEN 'c' ELSE 'd' END AS c, "
    + "CASE WHEN NULL THEN 1 ELSE id END AS e, COALESCE(NULL, status, 'z', status) AS z, COALESCE(NULL, 'a') AS a FROM orders");
  assert.deepEqual(before[1], "  Project CASE WHEN (1 > 2) THEN 'a' WHEN (status = 'x') THEN 'b' WHEN t THEN 'c' ELSE 'd' END AS c, "
    + 'CASE WHEN NULL THEN 1 ELSE id END AS e, '
    + "COALESCE(NULL, status, 'z', status) AS z, COALESCE(NULL, 'a') AS a");
  assert.deepEqual(after[1], "  Project CASE WHEN (status = 'x') THEN 'b' ELSE 'c' END AS c, id AS e, COALESCE(status, 'z') AS z, 'a' AS a");
});

test('stable and volatile calls, session-dependent casts and failing expressions stay for run time', () => {
  const { after } = beforeAfter(foldConstants,
    "CREATE DATAFLOW d AS SELECT now() AS t, clock_timestamp() AS r, CAST(upper('2024-01-01') AS timestamptz) AS tz, 1 / 0 AS x, n FROM events");
  assert.equal(after[1], "  Project now() AS t, clock_timestamp() AS r, CAST('2024-01-01' AS timestamp with time zone) AS tz, (1 / 0) AS x, n AS n");
});

test('a plan with nothing to fold is returned as it is', () => {
  const p = plan("CREATE DATAFLOW d AS SELECT id, amount * 2 FROM orders WHERE status = 'a'");
  assert.equal(foldConstants.apply(p), p);
});
