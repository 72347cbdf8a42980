/**
 * The morsel pool against runChain on one thread: a filter + projection
 *
 *   SELECT a + b * 2 AS x, c FROM t WHERE a > 10 AND c < 0.5      (keeps about 49%)
 *
 * (or, with --query text, one casting numbers to text) over batches (1,048,576 rows by
 * default) of a bigint, an integer and a double precision column (no NULLs), one batch at
 * a time: runChain on the calling thread, two threads on halves of each batch without
 * any copying (the ceiling of two threads here), then morsel pools. Prints input rows per
 * second of wall-clock time and per core (rows / CPU time, user + sys, of the whole
 * process: process.cpuUsage() counts the worker threads), the load average (the machine
 * may be shared), and the peak RSS.
 *
 *   node dist/bench/morsels.js [--seconds N] [--rows 1048576,262144] [--morsels 16384,32768,65536] [--query numeric|text]
 */
import { once } from 'node:events';
import { availableParallelism, loadavg } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type Data, Field, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { DEFAULT_MORSEL_ROWS, MorselPool } from '../src/agent/morsel-pool.js';
import type { StreamDefinition } from '../src/control/catalog/streams.js';
import { builtinFunctions } from '../src/functions/builtins.js';
import { toJobGraph } from '../src/plan/logical-plan.js';
import { arrowType, type ColumnSchema } from '../src/runtime/arrow-types.js';
import { compileChain, dataflowEvalContext, operatorColumns, runChain } from '../src/runtime/operator-chain.js';
import type { CreateDataflowStatement } from '../src/sql/ast.js';
import { bindDataflow } from '../src/sql/binder/dataflow-binder.js';
import { parseScriptUncached } from '../src/sql/parser.js';
import { Types } from '../src/types/sql-type.js';
import { DEFAULT_FORMAT_SETTINGS } from '../src/types/text-format.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const SECONDS = Number(option('seconds', '3'));
const ROWS = option('rows', String(1 << 20)).split(',').map(Number);
const MORSELS = option('morsels', '16384,32768,65536').split(',').map(Number);
/** Pools measured: workers, whether the caller runs morsels too, rows per morsel. */
const CONFIGS: [number, boolean, number][] = [
  ...MORSELS.map((m): [number, boolean, number] => [1, true, m]),
  [1, false, DEFAULT_MORSEL_ROWS],
  [2, true, DEFAULT_MORSEL_ROWS],
];
const BATCHES = 2;
const WINDOWS = 6;

const columns: ColumnSchema[] = [
  { name: 'a', type: Types.int8, nullable: false },
  { name: 'b', type: Types.int4, nullable: false },
  { name: 'c', type: Types.float8, nullable: false },
];
const functions = builtinFunctions();
const streams = new Map<string, StreamDefinition>([['t', { name: 't', connector: 'internal', options: {}, watermark: null, columns }]]);
/** The chains measured: the numeric one of the issue, and one that costs far more per row than copying the row. */
const QUERIES: Record<string, string> = {
  numeric: 'SELECT a + b * 2 AS x, c FROM t WHERE a > 10 AND c < 0.5',
  text: "SELECT CAST(a AS text) || ':' || CAST(b AS text) AS s, c * 2 AS d FROM t WHERE a % 7 <> 3 AND c < 0.9",
};
const SQL = QUERIES[option('query', 'numeric')]!;
const statement = parseScriptUncached(`CREATE DATAFLOW d AS ${SQL}`)[0]!.statement as CreateDataflowStatement;
const graph = toJobGraph(bindDataflow(statement, { streams, functions, format: DEFAULT_FORMAT_SETTINGS }));
const operators = graph.operators.filter((o) => o.type === 'filter' || o.type === 'project');
const input = operatorColumns(graph.operators.find((o) => o.type === 'source')!);
const startedAt = Date.now() * 1000;

/** A seeded xorshift, so runs compare. */
let seed = 0x2545f491;
function random(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}

/** a uniform in [0, 1000), so `a > 10` keeps 99%; c uniform in [0, 1), so `c < 0.5` keeps half. */
function makeBatch(rows: number): RecordBatch {
  const fields = columns.map((c) => new Field(c.name, arrowType(c.type), false));
  const a = new BigInt64Array(rows);
  const b = new Int32Array(rows);
  const c = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    a[i] = BigInt(Math.floor(random() * 1000));
    b[i] = Math.floor(random() * 2_000_000) - 1_000_000;
    c[i] = random();
  }
  const children: Data[] = [a, b, c].map((values, j) => makeData({ type: fields[j]!.type, length: rows, data: values } as never));
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: rows, nullCount: 0, children }));
}

/**
 * Runs f over the batches for SECONDS of wall-clock time after a warm-up, in WINDOWS
 * windows; the best window's input rows per wall second and per CPU second. The best of
 * several, because the machine is shared: other processes only ever make a window slower.
 */
async function measure(batches: RecordBatch[], f: (b: RecordBatch) => unknown): Promise<{ wall: number; core: number }> {
  const warmUntil = performance.now() + SECONDS * 250;
  for (let k = 0; performance.now() < warmUntil; k++) await f(batches[k % batches.length]!);
  let best = { wall: 0, core: 0 };
  for (let w = 0; w < WINDOWS; w++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    let rows = 0;
    for (let k = 0; performance.now() - start < (SECONDS * 1000) / WINDOWS; k++) {
      const b = batches[k % batches.length]!;
      await f(b);
      rows += b.numRows;
    }
    const wall = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    best = { wall: Math.max(best.wall, rows / wall), core: Math.max(best.core, rows / ((used.user + used.system) / 1e6)) };
  }
  return best;
}

const fmt = (r: number): string => `${(r / 1e6).toFixed(1).padStart(6)} M`;
const print = (label: string, r: { wall: number; core: number }): void =>
  console.log(`  ${label.padEnd(44)} ${fmt(r.wall)} rows/s wall   ${fmt(r.core)} rows/s per core`);

const chain = compileChain(operators, input, functions, dataflowEvalContext(new AbortController().signal, startedAt));

/**
 * What two threads give on this machine without any copying or joining: a worker thread
 * runs the chain over batches of its own, of half the rows, while the calling thread runs
 * it over the first half of each batch; one message each way per batch, as a pool run.
 */
async function halves(batches: RecordBatch[]): Promise<{ wall: number; core: number }> {
  const rows = batches[0]!.numRows;
  const worker = new Worker(new URL(import.meta.url), { workerData: { rows: rows >> 1 }, argv: args });
  await once(worker, 'message');
  const firstHalves = batches.map((b) => b.slice(0, rows >> 1));
  let k = 0;
  const figures = await measure(batches, async () => {
    const done = once(worker, 'message');
    worker.postMessage(k);
    runChain(chain, firstHalves[k++ % BATCHES]!);
    await done;
  });
  await worker.terminate();
  return figures;
}

if (isMainThread) {
  const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`${SQL}\nover batches of (a bigint, b integer, c double precision);`
    + ` ${SECONDS} s per figure (best of ${WINDOWS} windows); ${availableParallelism()} cores; load average ${load()}`);
  for (const rows of ROWS) {
    const batches = Array.from({ length: BATCHES }, () => makeBatch(rows));
    const kept = runChain(chain, batches[0]!).batch.numRows / rows;
    console.log(`\n${rows} rows per batch, keeps ${(kept * 100).toFixed(0)}%`);
    print('runChain, whole batch', await measure(batches, (b) => runChain(chain, b)));
    print('2 threads, runChain on halves, no copies', await halves(batches));
    for (const [workers, callerRuns, morselRows] of CONFIGS) {
      const pool = new MorselPool({ workers, morselRows, callerRuns });
      const prepared = pool.prepare(operators, input, startedAt);
      print(`pool, ${workers} worker${callerRuns ? ' + caller' : ''}, morsels of ${morselRows}`, await measure(batches, (b) => pool.run(prepared, b)));
      await pool.close();
    }
  }
  console.log(`\nload average ${load()}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`);
} else {
  const own = Array.from({ length: BATCHES }, () => makeBatch((workerData as { rows: number }).rows));
  parentPort!.on('message', (k: number) => {
    runChain(chain, own[k % BATCHES]!);
    parentPort!.postMessage(k);
  });
  parentPort!.postMessage('ready');
}
