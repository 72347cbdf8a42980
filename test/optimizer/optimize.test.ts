import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinFunctions } from '../../src/functions/builtins.js';
import { optimize } from '../../src/optimizer/index.js';
import { expressionFromJson, type ExpressionJson } from '../../src/plan/expression-json.js';
import { parseJobGraph } from '../../src/plan/job-graph.js';
import { explainLogical, toJobGraph } from '../../src/plan/logical-plan.js';
import { plan } from './plans.js';

test('the rules together: folded, filter removed, projections merged, source pruned', () => {
  const p = plan("CREATE DATAFLOW d AS INSERT INTO counts SELECT id + (2 * 3) FROM orders WHERE status = 'x' OR 1 < 2");
  assert.deepEqual(explainLogical(p), [
    'Sink counts [n integer]',
    '  Project CAST(?column? AS integer) AS n',
    '    Project (id + CAST((2 * 3) AS bigint)) AS ?column?',
    "      Filter ((status = 'x') OR (1 < 2))",
    '        Source orders (internal) [id bigint, status text, amount double precision]',
  ]);
  assert.deepEqual(explainLogical(optimize(p)), [
    'Sink counts [n integer]',
    '  Project CAST((id + 6) AS integer) AS n',
    '    Source orders (internal) [id bigint]',
  ]);
});

test('an optimized plan is optimized already, and its job graph JSON reads back', () => {
  const p = optimize(plan("CREATE DATAFLOW d AS INSERT INTO pending SELECT n, 1.5 + 1 FROM events WHERE payload = upper('a') AND TRUE"));
  assert.equal(optimize(p), p);
  assert.deepEqual(explainLogical(p), [
    'Sink pending [id bigint, amount double precision]',
    '  Project CAST(n AS bigint) AS id, 2.5 AS amount',
    "    Filter (payload = 'A')",
    '      Source events (internal) [payload text, n integer]',
  ]);
  const graph = parseJobGraph(JSON.stringify(toJobGraph(p)));
  assert.deepEqual(graph.operators.map((o) => o.id), ['source_0', 'filter_1', 'project_3', 'sink_4']);
  // What an agent reads back is the plan's expressions, folded constants included.
  const exprs = (graph.operators[2]!.params!.exprs as ExpressionJson[]).map((j) => expressionFromJson(j, builtinFunctions()));
  const project = p.operators[2]!;
  assert.equal(project.kind, 'project');
  if (project.kind === 'project') assert.deepEqual(exprs, project.exprs);
});
