import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adaptiveChainRunner } from '../../src/agent/chain-runner.js';
import { MorselPool } from '../../src/agent/morsel-pool.js';
import type { StreamDefinition } from '../../src/control/catalog/streams.js';
import { builtinFunctions } from '../../src/functions/builtins.js';
import { toJobGraph } from '../../src/plan/logical-plan.js';
import type { ColumnSchema } from '../../src/runtime/arrow-types.js';
import { batchFromRows, rowsFromBatch } from '../../src/runtime/rows.js';
import type { CreateDataflowStatement } from '../../src/sql/ast.js';
import { bindDataflow } from '../../src/sql/binder/dataflow-binder.js';
import { parseScriptUncached } from '../../src/sql/parser.js';
import { Types } from '../../src/types/sql-type.js';
import { DEFAULT_FORMAT_SETTINGS } from '../../src/types/text-format.js';

const columns: ColumnSchema[] = [{ name: 'n', type: Types.int8, nullable: true }, { name: 'd', type: Types.int4, nullable: true }];
const streams = new Map<string, StreamDefinition>([['t', { name: 't', connector: 'internal', options: {}, watermark: null, columns }]]);
const statement = parseScriptUncached('CREATE DATAFLOW c AS SELECT n, 1000 / d AS q FROM t WHERE n % 3 <> 0')[0]!.statement as CreateDataflowStatement;
const operators = toJobGraph(bindDataflow(statement, { streams, functions: builtinFunctions(), format: DEFAULT_FORMAT_SETTINGS }))
  .operators.filter((o) => o.type === 'filter' || o.type === 'project');
const rows = Array.from({ length: 5000 }, (_, i) => [BigInt(i), i % 10]);
const batch = batchFromRows(columns, rows);
const expected = rows.filter(([n, d]) => (n as bigint) % 3n !== 0n && d !== 0).map(([n, d]) => [n, Math.trunc(1000 / (d as number))]);

for (const [name, threshold, pooled] of [['a chain that is dear per row', 0, true], ['a chain that is cheap per row', Infinity, false]] as const) {
  test(`${name} runs its large batches ${pooled ? 'over the pool once timed' : 'inline'}, with the same rows and rejections`, async () => {
    const pool = new MorselPool({ workers: 1, morselRows: 1024 });
    try {
      const chain = pool.prepare(operators, columns, 0);
      const run = adaptiveChainRunner(pool, chain, threshold);
      for (let k = 0; k < 5; k++) {
        const result = await run(batch);
        assert.deepEqual(rowsFromBatch(chain.columns as ColumnSchema[], result.batch), expected);
        assert.equal(result.rejected.length, 333, 'd = 0 where n % 3 <> 0');
        assert.equal('stats' in result, pooled && k >= 3, `batch ${k}: ${'stats' in result ? 'pooled' : 'inline'}`);
      }
      const small = await run(batch.slice(0, 100));
      assert.equal('stats' in small, false, 'a batch of at most a morsel stays inline');
    } finally {
      await pool.close();
    }
  });
}
