import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import type { RecordBatch } from 'apache-arrow';
import { MorselPool, type PreparedChain } from '../../src/agent/morsel-pool.js';
import type { StreamDefinition } from '../../src/control/catalog/streams.js';
import { builtinFunctions } from '../../src/functions/builtins.js';
import type { JobGraphOperator } from '../../src/plan/job-graph.js';
import { toJobGraph } from '../../src/plan/logical-plan.js';
import type { ColumnSchema } from '../../src/runtime/arrow-types.js';
import { compileChain, dataflowEvalContext, operatorColumns, runChain } from '../../src/runtime/operator-chain.js';
import { batchFromRows, rowsFromBatch } from '../../src/runtime/rows.js';
import type { CreateDataflowStatement } from '../../src/sql/ast.js';
import { bindDataflow } from '../../src/sql/binder/dataflow-binder.js';
import { parseScriptUncached } from '../../src/sql/parser.js';
import { Types } from '../../src/types/sql-type.js';
import { DEFAULT_FORMAT_SETTINGS } from '../../src/types/text-format.js';

const functions = builtinFunctions();
const STARTED_AT = Date.UTC(2024, 0, 1) * 1000;
/** Small morsels, so small batches make many of them. */
const MORSEL = 64;

const columns: ColumnSchema[] = [
  { name: 'id', type: Types.int8, nullable: false },
  { name: 's', type: Types.int2, nullable: true },
  { name: 'i', type: Types.int4, nullable: true },
  { name: 'b', type: Types.int8, nullable: true },
  { name: 'r', type: Types.float4, nullable: true },
  { name: 'd', type: Types.float8, nullable: true },
  { name: 'flag', type: Types.bool, nullable: true },
  { name: 't', type: Types.text, nullable: true },
  { name: 'ts', type: Types.timestamp, nullable: true },
  { name: 'day', type: Types.date, nullable: true },
  { name: 'n', type: Types.numeric, nullable: true },
];

/** Job graph operators (filter, project) of a dataflow over a stream of `input` columns. */
function operatorsOf(sql: string, input: ColumnSchema[] = columns): { operators: JobGraphOperator[]; input: ColumnSchema[] } {
  const streams = new Map<string, StreamDefinition>([['t', { name: 't', connector: 'internal', options: {}, watermark: null, columns: input }]]);
  const statement = parseScriptUncached(`CREATE DATAFLOW d AS ${sql}`)[0]!.statement as CreateDataflowStatement;
  const graph = toJobGraph(bindDataflow(statement, { streams, functions, format: DEFAULT_FORMAT_SETTINGS }));
  return {
    operators: graph.operators.filter((o) => o.type === 'filter' || o.type === 'project'),
    input: operatorColumns(graph.operators.find((o) => o.type === 'source')!),
  };
}

/** Two dataflows one after the other, as one chain of two stages that can both reject rows. */
function twoStages(): { operators: JobGraphOperator[]; input: ColumnSchema[] } {
  const first = operatorsOf('SELECT id, b / s AS q, s, t FROM t WHERE i IS NULL OR i <> 7');
  const middle = operatorColumns(first.operators.at(-1)!);
  const second = operatorsOf('SELECT id, q / (s + 1) AS w, t FROM t WHERE q IS NULL OR q > -1000000000000', middle);
  return { operators: [...first.operators, ...second.operators.map((o) => ({ ...o, id: `second_${o.id}` }))], input: first.input };
}

/** A seeded xorshift, so failures repeat. */
function random(seed: number): () => number {
  let x = seed | 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const WORDS = ['', 'a', 'pending', 'done', 'élan', '日本語', 'x'.repeat(40), '42', '-7', 'ab%c'];

/** Random rows of every column type, about 15% NULLs, s often 0 (for divisions by zero). */
function randomBatch(rows: number, seed: number): RecordBatch {
  const rnd = random(seed);
  const maybe = <T>(v: T): T | null => (rnd() < 0.15 ? null : v);
  const data: unknown[][] = [];
  for (let k = 0; k < rows; k++) {
    data.push([
      BigInt(k),
      maybe(Math.floor(rnd() * 11) - 5),
      maybe(Math.floor(rnd() * 2000) - 1000),
      maybe(BigInt(Math.floor(rnd() * 1e12) - 5e11)),
      maybe(Math.fround(rnd() * 100 - 50)),
      maybe(rnd() * 1e6 - 5e5),
      maybe(rnd() < 0.5),
      maybe(WORDS[Math.floor(rnd() * WORDS.length)]!),
      maybe(1.7e15 + Math.floor(rnd() * 1e12)),
      maybe(19000 + Math.floor(rnd() * 1000)),
      maybe(`${Math.floor(rnd() * 1e6) - 5e5}.${Math.floor(rnd() * 100)}`),
    ]);
  }
  return batchFromRows(columns, data);
}

/** What runChain gives on the calling thread, for comparison. */
function expected(spec: { operators: JobGraphOperator[]; input: ColumnSchema[] }, batch: RecordBatch) {
  const chain = compileChain(spec.operators, spec.input, functions, dataflowEvalContext(new AbortController().signal, STARTED_AT));
  const { batch: out, rejected } = runChain(chain, batch);
  // Without rows, runChain's batch may have the columns of an earlier stage.
  return { rows: out.numRows === 0 ? [] : rowsFromBatch(chain.columns, out), rejected };
}

async function assertSameAsRunChain(pool: MorselPool, prepared: PreparedChain, spec: { operators: JobGraphOperator[]; input: ColumnSchema[] },
  batch: RecordBatch, label: string): Promise<void> {
  const want = expected(spec, batch);
  const got = await pool.run(prepared, batch);
  assert.deepEqual(got.batch.schema.fields.map((f) => [f.name, String(f.type)]), prepared.outputSchema.fields.map((f) => [f.name, String(f.type)]));
  assert.deepEqual(rowsFromBatch(prepared.columns, got.batch), want.rows, `${label}: rows`);
  assert.deepEqual(got.rejected, want.rejected, `${label}: rejected rows`);
  assert.equal(got.stats.byCaller + got.stats.byWorker.reduce((a, b) => a + b, 0), got.stats.morsels, `${label}: every morsel ran once`);
}

const QUERIES = {
  some: `SELECT id, s + 1 AS s1, i * 2 AS i2, b - 1 AS b1, r * 2 AS r2, d / 4 AS d4, NOT flag AS nf, upper(t) || '!' AS shout,
    ts, day, n, t, flag, r, s FROM t WHERE i % 3 <> 0 OR t LIKE 'p%'`,
  none: 'SELECT id, t, n FROM t WHERE i > 5000',
  all: 'SELECT id, s, i, b, r, d, flag, t, ts, day, n FROM t WHERE id >= 0',
  divisionByZero: 'SELECT id, b / s AS q, t, n FROM t WHERE i IS NULL OR i > -900',
  badCast: 'SELECT id, CAST(t AS integer) AS x, flag FROM t WHERE flag OR flag IS NULL',
};

const SIZES = [0, 1, 7, 63, 64, 65, 127, 128, 129, 200, 64 * 7 + 3, 1000, 2051];

for (const workers of [1, 2, 3]) {
  for (const callerRuns of [true, false]) {
    test(`${workers} worker(s)${callerRuns ? ' and the caller' : ''}: the same rows, order and rejections as runChain`, async () => {
      const pool = new MorselPool({ workers, morselRows: MORSEL, callerRuns });
      try {
        const specs = { ...Object.fromEntries(Object.entries(QUERIES).map(([k, sql]) => [k, operatorsOf(sql)])), twoStages: twoStages() };
        for (const [name, spec] of Object.entries(specs)) {
          const prepared = pool.prepare(spec.operators, spec.input, STARTED_AT);
          for (const rows of SIZES) await assertSameAsRunChain(pool, prepared, spec, randomBatch(rows, rows * 31 + workers), `${name}, ${rows} rows`);
          pool.release(prepared);
        }
      } finally {
        await pool.close();
      }
    });
  }
}

test('the checks above see rejections, empty results and whole results', () => {
  const batch = randomBatch(1000, 7);
  assert.ok(expected(operatorsOf(QUERIES.divisionByZero), batch).rejected.length > 20);
  assert.ok(expected(operatorsOf(QUERIES.badCast), batch).rejected.some((r) => r.sqlstate === '22P02'));
  assert.equal(expected(operatorsOf(QUERIES.none), batch).rows.length, 0);
  assert.equal(expected(operatorsOf(QUERIES.all), batch).rows.length, 1000);
  const stages = new Set(expected(twoStages(), batch).rejected.map((r) => r.operator));
  assert.equal(stages.size, 2);
});

test('a batch of more than a morsel is split into morsels; one of at most a morsel runs inline', async () => {
  const pool = new MorselPool({ workers: 2, morselRows: MORSEL });
  try {
    const spec = operatorsOf(QUERIES.some);
    const prepared = pool.prepare(spec.operators, spec.input, STARTED_AT);
    const small = await pool.run(prepared, randomBatch(MORSEL, 1));
    assert.deepEqual(small.stats, { morsels: 1, morselRows: MORSEL, byWorker: [0, 0], byCaller: 1 });
    const big = await pool.run(prepared, randomBatch(MORSEL * 100, 2));
    assert.equal(big.stats.morsels, 100);
    assert.equal(big.stats.byCaller + big.stats.byWorker[0]! + big.stats.byWorker[1]!, 100);
  } finally {
    await pool.close();
  }
});

test('a slice of a batch (bitmaps from mid-byte, text offsets not from 0) gives what runChain gives', async () => {
  const pool = new MorselPool({ workers: 2, morselRows: MORSEL });
  try {
    for (const [name, sql] of Object.entries(QUERIES)) {
      const spec = operatorsOf(sql);
      const prepared = pool.prepare(spec.operators, spec.input, STARTED_AT);
      await assertSameAsRunChain(pool, prepared, spec, randomBatch(1500, 11).slice(3, 1203), `${name}, rows 3 to 1203`);
    }
  } finally {
    await pool.close();
  }
});

/** Rows whose `t ILIKE '%a%a%a%a%b'` backtracks for tens of milliseconds. */
function batchWithSlowRows(rows: number, slowRows: number): RecordBatch {
  const data: unknown[][] = [];
  for (let k = 0; k < rows; k++) {
    data.push([BigInt(k), 1, k, 1n, 1, 1, true, k < slowRows ? 'a'.repeat(52) : 'x', 0, 0, '1']);
  }
  return batchFromRows(columns, data);
}

test('idle threads steal the morsels of a thread stuck on a slow one', async () => {
  const pool = new MorselPool({ workers: 2, morselRows: MORSEL, callerRuns: false });
  try {
    const spec = operatorsOf(`SELECT id FROM t WHERE t ILIKE '%a%a%a%a%b'`);
    const prepared = pool.prepare(spec.operators, spec.input, STARTED_AT);
    await pool.run(prepared, batchWithSlowRows(MORSEL * 4, 0)); // the workers have started and compiled the chain
    // Worker 0 owns morsels 0-7 and starts with morsel 0, the slow one; worker 1 owns 8-15,
    // runs them, and takes 7, 6, ... from worker 0 (or all of them, if worker 0 woke late).
    const { stats, batch } = await pool.run(prepared, batchWithSlowRows(MORSEL * 16, 4));
    assert.equal(batch.numRows, 0);
    assert.equal(stats.byWorker[0]! + stats.byWorker[1]!, 16);
    assert.ok(Math.max(...stats.byWorker) > 8 && Math.min(...stats.byWorker) < 8, `morsels by worker: ${stats.byWorker.join(', ')}`);
  } finally {
    await pool.close();
  }
});

test('a run whose worker dies rejects; the worker is replaced and the pool goes on', async () => {
  const pool = new MorselPool({ workers: 2, morselRows: MORSEL, callerRuns: false });
  try {
    const spec = operatorsOf(`SELECT id FROM t WHERE t ILIKE '%a%a%a%a%b'`);
    const prepared = pool.prepare(spec.operators, spec.input, STARTED_AT);
    await pool.run(prepared, batchWithSlowRows(MORSEL * 4, 0));
    const dead = pool.workerThreads[0]!;
    const running = pool.run(prepared, batchWithSlowRows(MORSEL * 16, 20));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await dead.terminate();
    await assert.rejects(running, /morsel worker 0 exited/);
    assert.notEqual(pool.workerThreads[0], dead);
    const checked = operatorsOf(QUERIES.divisionByZero);
    const again = pool.prepare(checked.operators, checked.input, STARTED_AT);
    await assertSameAsRunChain(pool, again, checked, randomBatch(1000, 3), 'after a crash');
  } finally {
    await pool.close();
  }
});

test('a batch that does not match the chain is refused', async () => {
  const pool = new MorselPool({ workers: 1, morselRows: MORSEL });
  try {
    const spec = operatorsOf(QUERIES.some);
    const prepared = pool.prepare(spec.operators, spec.input, STARTED_AT);
    const other = batchFromRows([{ name: 'x', type: Types.text, nullable: true }], Array.from({ length: 500 }, () => ['x']));
    await assert.rejects(pool.run(prepared, other), /do not match the chain's input/);
  } finally {
    await pool.close();
  }
});

test('close() ends the workers and refuses new runs', async () => {
  const pool = new MorselPool({ workers: 2, morselRows: MORSEL });
  const spec = operatorsOf(QUERIES.all);
  const prepared = pool.prepare(spec.operators, spec.input, STARTED_AT);
  await pool.run(prepared, randomBatch(500, 4));
  const exits = pool.workerThreads.map((w) => once(w, 'exit'));
  await pool.close();
  await Promise.all(exits);
  await assert.rejects(pool.run(prepared, randomBatch(500, 4)), /closed/);
});

test('an idle pool does not keep the process alive', () => {
  const pool = new URL('../../src/agent/morsel-pool.js', import.meta.url).href;
  const types = new URL('../../src/types/sql-type.js', import.meta.url).href;
  const script = `
    import { MorselPool } from ${JSON.stringify(pool)};
    import { Types } from ${JSON.stringify(types)};
    import { makeData, RecordBatch, Schema, Field, Int32, Struct } from 'apache-arrow';
    const fields = [new Field('i', new Int32(), false)];
    const n = 1000;
    const batch = new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: n, children: [makeData({ type: new Int32(), length: n, data: new Int32Array(n).map((_, k) => k) })] }));
    const p = new MorselPool({ workers: 2, morselRows: 64 });
    const chain = p.prepare([{ id: 'f', type: 'filter', name: 'f', params: { predicate: { kind: 'call', type: 'bool', fn: '>', argTypes: ['int4', 'int4'],
      args: [{ kind: 'column', type: 'int4', index: 0, name: 'i' }, { kind: 'constant', type: 'int4', value: '10' }] } } }],
      [{ name: 'i', type: Types.int4, nullable: false }], 0);
    const { batch: out } = await p.run(chain, batch);
    console.log(out.numRows);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.error, undefined, 'the process ended by itself');
  assert.equal(r.stderr, '');
  assert.equal(r.stdout.trim(), '989');
});
