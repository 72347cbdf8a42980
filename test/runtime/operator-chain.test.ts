import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamDefinition } from '../../src/control/catalog/streams.js';
import { builtinFunctions } from '../../src/functions/builtins.js';
import { toJobGraph } from '../../src/plan/logical-plan.js';
import { compileChain, dataflowEvalContext, operatorColumns, runChain } from '../../src/runtime/operator-chain.js';
import { batchFromRows, rowsFromBatch } from '../../src/runtime/rows.js';
import type { CreateDataflowStatement } from '../../src/sql/ast.js';
import { bindDataflow } from '../../src/sql/binder/dataflow-binder.js';
import { parseScriptUncached } from '../../src/sql/parser.js';
import { Types } from '../../src/types/sql-type.js';
import { DEFAULT_FORMAT_SETTINGS } from '../../src/types/text-format.js';

const functions = builtinFunctions();
const columns = [
  { name: 'id', type: Types.int8, nullable: true }, { name: 'a', type: Types.int4, nullable: true }, { name: 'b', type: Types.int4, nullable: true },
];
const streams = new Map<string, StreamDefinition>([
  ['nums', { name: 'nums', connector: 'internal', options: {}, watermark: null, columns }],
]);

function chainOf(sql: string) {
  const statement = parseScriptUncached(sql)[0]!.statement as CreateDataflowStatement;
  const graph = toJobGraph(bindDataflow(statement, { streams, functions, format: DEFAULT_FORMAT_SETTINGS }));
  const source = graph.operators.find((o) => o.type === 'source')!;
  const ops = graph.operators.filter((o) => o.type === 'filter' || o.type === 'project');
  return compileChain(ops, operatorColumns(source), functions, dataflowEvalContext(new AbortController().signal));
}

test('a chain filters and projects; a row that divides by zero is rejected with its row, the others go on', () => {
  const chain = chainOf('CREATE DATAFLOW d AS SELECT id, a / b AS q FROM nums WHERE a > 0');
  const input = batchFromRows(columns, [[1n, 10, 2], [2n, 5, 0], [3n, -1, 0], [4n, 9, null], [5n, 8, 4]]);
  const { batch, rejected } = runChain(chain, input);
  assert.deepEqual(rowsFromBatch(chain.columns, batch), [[1n, 5], [4n, null], [5n, 2]]);
  assert.equal(rejected.length, 1);
  assert.equal(rejected[0]!.sqlstate, '22012');
  assert.equal(rejected[0]!.reason, 'division by zero');
  assert.deepEqual(JSON.parse(rejected[0]!.payload), { id: '2', a: '5', b: '0' });
});

test('a chain without a failing row rejects nothing and keeps every column type', () => {
  const chain = chainOf("CREATE DATAFLOW d AS SELECT id * 2 AS twice, a::text AS t FROM nums");
  const { batch, rejected } = runChain(chain, batchFromRows(columns, [[1n, 7, 0], [null, null, 0]]));
  assert.deepEqual(rejected, []);
  assert.deepEqual(rowsFromBatch(chain.columns, batch), [[2n, '7'], [null, null]]);
  assert.deepEqual(chain.columns.map((c) => c.type.kind), ['int8', 'text']);
});
