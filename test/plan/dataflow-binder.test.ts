import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamDefinition } from '../../src/control/catalog/streams.js';
import { SabotError } from '../../src/errors.js';
import { builtinFunctions } from '../../src/functions/builtins.js';
import { evaluateScalar } from '../../src/plan/evaluate.js';
import { expressionFromJson, expressionToJson } from '../../src/plan/expression-json.js';
import { parseJobGraph } from '../../src/plan/job-graph.js';
import { explainLogical, toJobGraph, type LogicalPlan } from '../../src/plan/logical-plan.js';
import type { CreateDataflowStatement } from '../../src/sql/ast.js';
import { bindDataflow } from '../../src/sql/binder/dataflow-binder.js';
import { parseScriptUncached } from '../../src/sql/parser.js';
import { Types } from '../../src/types/sql-type.js';
import { DEFAULT_FORMAT_SETTINGS } from '../../src/types/text-format.js';

const functions = builtinFunctions();
const streams = new Map<string, StreamDefinition>([
  ['orders', {
    name: 'orders', connector: 'internal', options: {}, watermark: null,
    columns: [
      { name: 'id', type: Types.int8, nullable: true }, { name: 'status', type: Types.text, nullable: true },
      { name: 'amount', type: Types.float8, nullable: true },
    ],
  }],
  ['pending', {
    name: 'pending', connector: 'internal', options: {}, watermark: null,
    columns: [{ name: 'id', type: Types.int8, nullable: true }, { name: 'amount', type: Types.float8, nullable: true }],
  }],
  ['counts', { name: 'counts', connector: 'internal', options: {}, watermark: null, columns: [{ name: 'n', type: Types.int4, nullable: true }] }],
]);

function plan(sql: string): LogicalPlan {
  const statement = parseScriptUncached(sql)[0]!.statement as CreateDataflowStatement;
  return bindDataflow(statement, { streams, functions, format: DEFAULT_FORMAT_SETTINGS });
}

test('INSERT INTO a stream SELECT ... WHERE: source, filter, project, sink', () => {
  const p = plan(`CREATE DATAFLOW order_processing AS INSERT INTO pending SELECT id, amount * 1.1 FROM orders WHERE status = 'pending'`);
  assert.deepEqual(explainLogical(p), [
    'Sink pending [id bigint, amount double precision]',
    '  Project id AS id, (amount * 1.1) AS ?column?',
    "    Filter (status = 'pending')",
    '      Source orders (internal) [id bigint, status text, amount double precision]',
  ]);
});

test('a kept result, UNION ALL, and casts into the target stream types', () => {
  assert.deepEqual(explainLogical(plan('CREATE DATAFLOW big AS SELECT id FROM orders WHERE amount > 100 UNION ALL SELECT id FROM pending')), [
    'Result [id bigint]',
    '  UnionAll',
    '    Project id AS id',
    '      Filter (amount > 100)',
    '        Source orders (internal) [id bigint, status text, amount double precision]',
    '    Project id AS id',
    '      Source pending (internal) [id bigint, amount double precision]',
  ]);
  assert.deepEqual(explainLogical(plan('CREATE DATAFLOW c AS INSERT INTO counts SELECT id FROM orders')), [
    'Sink counts [n integer]',
    '  Project CAST(id AS integer) AS n',
    '    Project id AS id',
    '      Source orders (internal) [id bigint, status text, amount double precision]',
  ]);
});

test('errors name what is wrong, with SQLSTATEs', () => {
  const cases: [string, string, RegExp][] = [
    ['CREATE DATAFLOW x AS INSERT INTO nowhere SELECT id FROM orders', '42P01', /stream "nowhere" does not exist/],
    ['CREATE DATAFLOW x AS INSERT INTO pending SELECT id FROM nothing', '42P01', /stream "nothing" does not exist/],
    ['CREATE DATAFLOW x AS INSERT INTO pending SELECT id, status FROM orders', '42804', /column "amount" is of type double precision but expression is of type text/],
    ['CREATE DATAFLOW x AS INSERT INTO pending SELECT id FROM orders', '42601', /more target columns than expressions/],
    ['CREATE DATAFLOW x AS SELECT nope FROM orders', '42703', /column "nope" does not exist/],
    ['CREATE DATAFLOW x AS SELECT id FROM orders WHERE amount', '42804', /cannot be used where boolean is expected/],
  ];
  for (const [sql, code, message] of cases) {
    assert.throws(() => plan(sql), (e: SabotError) => e.code === code && message.test(e.message), sql);
  }
});

test('the job graph JSON carries the plan and its expressions round trip', () => {
  const p = plan(`CREATE DATAFLOW f AS INSERT INTO pending SELECT id, CASE WHEN amount IS NULL THEN 0 ELSE amount * 2 END FROM orders WHERE status IN ('a', 'b') AND id > 10`);
  const graph = parseJobGraph(JSON.stringify(toJobGraph(p, { parallelism: 2 })));
  assert.deepEqual(graph.operators.map((o) => o.type), ['source', 'filter', 'project', 'sink']);
  assert.deepEqual(graph.edges, [{ from: 'source_0', to: 'filter_1' }, { from: 'filter_1', to: 'project_2' }, { from: 'project_2', to: 'sink_3' }]);
  const filter = p.operators[1]!;
  assert.equal(filter.kind, 'filter');
  if (filter.kind !== 'filter') return;
  const restored = expressionFromJson(JSON.parse(JSON.stringify(expressionToJson(filter.predicate))), functions);
  const ctx = { context: { format: DEFAULT_FORMAT_SETTINGS } as never, params: [] };
  for (const row of [[11n, 'a', 1.5], [11n, 'c', 1.5], [5n, 'b', null], [null, 'a', 0]]) {
    assert.equal(evaluateScalar(restored, row, ctx), evaluateScalar(filter.predicate, row, ctx), JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
  }
});
