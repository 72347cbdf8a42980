import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldConstants } from '../../src/optimizer/fold-constants.js';
import { removeTrivialFilters } from '../../src/optimizer/remove-trivial-filters.js';
import { explainLogical } from '../../src/plan/logical-plan.js';
import { beforeAfter, plan } from './plans.js';

test('a filter that is constant TRUE is removed', () => {
  const { before, after } = beforeAfter(removeTrivialFilters, 'CREATE DATAFLOW d AS SELECT id FROM orders WHERE TRUE');
  assert.deepEqual(before, [
    'Result [id bigint]',
    '  Project id AS id',
    '    Filter t',
    '      Source orders (internal) [id bigint, status text, amount double precision]',
  ]);
  assert.deepEqual(after, [
    'Result [id bigint]',
    '  Project id AS id',
    '    Source orders (internal) [id bigint, status text, amount double precision]',
  ]);
});

test('a filter folded to TRUE is removed, in each branch of a union', () => {
  const p = foldConstants.apply(plan("CREATE DATAFLOW d AS SELECT id FROM orders WHERE status = 'x' OR 1 < 2 UNION ALL SELECT id FROM pending WHERE 2 > 1"));
  assert.deepEqual(explainLogical(removeTrivialFilters.apply(p)), [
    'Result [id bigint]',
    '  UnionAll',
    '    Project id AS id',
    '      Source orders (internal) [id bigint, status text, amount double precision]',
    '    Project id AS id',
    '      Source pending (internal) [id bigint, amount double precision]',
  ]);
});

test('filters that are constant FALSE or NULL, or not constant, stay', () => {
  for (const where of ['FALSE', 'NULL', "status = 'a'"]) {
    const p = plan(`CREATE DATAFLOW d AS SELECT id FROM orders WHERE ${where}`);
    assert.equal(removeTrivialFilters.apply(p), p, where);
  }
});
