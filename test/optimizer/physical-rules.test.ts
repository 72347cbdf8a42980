import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optimize } from '../../src/optimizer/index.js';
import { chainOperators } from '../../src/optimizer/physical/chain-operators.js';
import { explainPhysical } from '../../src/optimizer/physical/explain-physical.js';
import { planJobGraph } from '../../src/optimizer/physical/index.js';
import { keyedExchanges } from '../../src/optimizer/physical/keyed-exchanges.js';
import { twoPhaseAggregation } from '../../src/optimizer/physical/two-phase-aggregation.js';
import { toJobGraph } from '../../src/plan/logical-plan.js';
import { plan } from './plans.js';

const edges = (lines: string[]) => lines.filter((l) => l.includes(' -> '));

test('keyed exchanges: a GROUP BY gets a hash edge on its key, also at equal parallelism', () => {
  const graph = toJobGraph(optimize(plan('CREATE DATAFLOW d WITH (parallelism = 3) AS SELECT status, count(*) AS n FROM orders GROUP BY status')), { parallelism: 3 });
  assert.deepEqual(edges(explainPhysical(graph)), [
    'source_0 -> project_1: forward',
    'project_1 -> aggregate_2: forward',
    'aggregate_2 -> project_3: forward',
    'project_3 -> sink_4: forward',
  ]);
  assert.deepEqual(edges(explainPhysical(keyedExchanges.apply(graph))), [
    'source_0 -> project_1: forward',
    'project_1 -> aggregate_2: hash (status)',
    'aggregate_2 -> project_3: forward',
    'project_3 -> sink_4: forward',
  ]);
});

test('keyed exchanges: both sides of a join are hashed on their own key columns', () => {
  const graph = keyedExchanges.apply(toJobGraph(optimize(plan(
    'CREATE DATAFLOW d WITH (parallelism = 2) AS SELECT o.status, p.amount FROM orders AS o JOIN pending AS p ON o.id = p.id')), { parallelism: 2 }));
  const join = graph.edges.filter((e) => e.to.startsWith('join'));
  assert.deepEqual(join.map((e) => [e.type, e.keys, e.input ?? 0]), [['hash', ['id'], 0], ['hash', ['id'], 1]]);
});

test('keyed exchanges: an aggregate without keys and what it feeds run as one task', () => {
  const lines = explainPhysical(planJobGraph(optimize(plan('CREATE DATAFLOW d WITH (parallelism = 4) AS SELECT count(*) AS n FROM orders')), { parallelism: 4 }));
  assert.deepEqual(lines.map((l) => l.replace(/: .* \[parallelism/, ' [parallelism')), [
    'source_0 [parallelism 4]',
    'project_1 [parallelism 4]',
    'aggregate_2 [parallelism 1, two-phase: partial aggregate before the exchange]',
    'project_3 [parallelism 1]',
    'sink_4 [parallelism 1]',
    'source_0 -> project_1: forward chained',
    'project_1 -> aggregate_2: rebalance',
    'aggregate_2 -> project_3: forward chained',
    'project_3 -> sink_4: forward chained',
  ]);
});

test('two-phase aggregation marks every aggregate, and nothing else', () => {
  const graph = toJobGraph(optimize(plan('CREATE DATAFLOW d AS SELECT status, sum(amount) AS s FROM orders GROUP BY status')));
  const marked = twoPhaseAggregation.apply(graph);
  assert.deepEqual(marked.operators.filter((o) => o.params?.twoPhase === true).map((o) => o.type), ['aggregate']);
  assert.equal(graph.operators.some((o) => o.params?.twoPhase === true), false, 'the input graph is left as it was');
});

test('chaining: stateless operators chain into the task before them; hash edges never chain', () => {
  const graph = keyedExchanges.apply(toJobGraph(optimize(plan(
    "CREATE DATAFLOW d WITH (parallelism = 2) AS SELECT status, count(*) AS n FROM orders WHERE status <> 'x' GROUP BY status HAVING count(*) > 1")), { parallelism: 2 }));
  assert.deepEqual(edges(explainPhysical(chainOperators.apply(graph))), [
    'source_0 -> filter_1: forward chained',
    'filter_1 -> project_2: forward chained',
    'project_2 -> aggregate_3: hash (status)',
    'aggregate_3 -> filter_4: forward chained',
    'filter_4 -> project_5: forward chained',
    'project_5 -> sink_6: forward chained',
  ]);
});
