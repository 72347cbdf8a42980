/** The App: TypeScript dataflows submitted like CREATE DATAFLOW, run by the in-process agent, read back through SQL. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Int64, Table, vectorFromArray, type RecordBatch } from 'apache-arrow';
import pg from 'pg';
import { App, Stream, compute as pc, type DataflowBuilder, type DataflowJob } from 'sabot';
import { builtinFunctions } from '../../src/functions/builtins.js';
import type { JobGraphOperator } from '../../src/plan/job-graph.js';
import { dataflowEvalContext } from '../../src/runtime/operator-chain.js';
import { userFunctionChain } from '../../src/runtime/user-function.js';
import { Types } from '../../src/types/sql-type.js';
import { freshDatabase } from '../support/postgres.js';
import { tempDataDir } from '../support/server.js';

/** Polls a job's status until it is no longer running (a bounded source ends). */
async function ended(job: DataflowJob | (() => Promise<string>)): Promise<string> {
  const status = typeof job === 'function' ? job : async () => (await job.status()).status;
  for (;;) {
    const s = await status();
    if (s !== 'running' && s !== 'deploying' && s !== 'pending') return s;
    await sleep(20);
  }
}

/** The status of a dataflow's job, by the dataflow's name. */
function dataflowStatus(app: App, name: string): () => Promise<string> {
  return async () => (await app.sql<{ status: string }>(
    `SELECT j.status FROM sabot.jobs j JOIN sabot.dataflows d ON d.job_id = j.job_id WHERE d.name = '${name}'`))[0]!.status;
}

test('JavaScript filter and map functions run end to end: fromStream to toStream, read through SQL', async () => {
  const app = new App({ id: 'fraud', dataDir: tempDataDir() });
  try {
    await app.sql('CREATE STREAM transactions (id BIGINT, amount DOUBLE PRECISION)');
    await app.sql('CREATE STREAM fraud_alerts (id BIGINT, amount DOUBLE PRECISION, alert TEXT)');
    await app.sql('INSERT INTO transactions VALUES (1, 50), (2, 20000), (3, NULL), (4, 15000.5), (5, 10000)');
    app.dataflow('fraud_detection', () =>
      Stream.fromStream('transactions')
        .filter((b) => pc.greater(b.getChild('amount')!, 10000))
        .map((b) => pc.appendColumn(b, 'alert', pc.constant('high_value', b.numRows)))
        .toStream('fraud_alerts'));
    const job = await app.dataflows.fraud_detection!.start({ parallelism: 2 });
    assert.equal((await job.status()).status, 'running');
    await app.sql('INSERT INTO transactions VALUES (6, 99999)');
    await app.sql('FLUSH');
    assert.deepEqual(await app.sql('SELECT id, amount, alert FROM fraud_alerts ORDER BY id'), [
      { id: '2', amount: 20000, alert: 'high_value' },
      { id: '4', amount: 15000.5, alert: 'high_value' },
      { id: '6', amount: 99999, alert: 'high_value' },
    ]);
    const [row] = await app.sql<{ sql_text: string; job_id: string }>("SELECT sql_text, job_id FROM sabot.dataflows WHERE name = 'fraud_detection'");
    assert.equal(row!.job_id, job.jobId);
    assert.match(row!.sql_text, /TypeScript dataflow fraud_detection of file:.*app\.test\.js/);
    await job.stop();
    assert.equal((await job.status()).status, 'canceled');
    assert.deepEqual(await app.sql("SELECT name FROM sabot.dataflows WHERE name = 'fraud_detection'"), []);
  } finally {
    await app.close();
  }
});

/** A map function that fails on the second batch with rows it gets (deterministic at parallelism 1). */
function failingOnSecondBatch() {
  let batches = 0;
  return (b: RecordBatch): RecordBatch => {
    if (b.numRows > 0 && ++batches === 2) throw new Error('unlucky batch');
    return b;
  };
}

test('an App keeping its catalog in PostgreSQL runs a dataflow with functions', async () => {
  const db = await freshDatabase('sabot_app');
  const app = new App({ id: 'pg', catalog: db.url, dataDir: tempDataDir() });
  try {
    await app.sql('CREATE STREAM readings (sensor INT, celsius REAL)');
    await app.sql('CREATE STREAM hot (sensor INT, celsius REAL, fahrenheit DOUBLE PRECISION)');
    app.dataflow('hot_sensors', () => Stream.fromStream('readings')
      .filter((b) => pc.greater_equal(b.getChild('celsius')!, 30))
      .map((b) => pc.appendColumn(b, 'fahrenheit', pc.add(pc.multiply(b.getChild('celsius')!, 1.8), 32)))
      .toStream('hot'));
    await app.dataflows.hot_sensors!.start();
    await app.sql('INSERT INTO readings VALUES (1, 21.5), (2, 30), (3, NULL), (4, 35.5)');
    await app.sql('FLUSH');
    assert.deepEqual(await app.sql('SELECT * FROM hot ORDER BY sensor'), [
      { sensor: 2, celsius: 30, fahrenheit: 86 },
      { sensor: 4, celsius: 35.5, fahrenheit: 95.9 },
    ]);
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const jobs = await admin.query("SELECT job_name, status FROM sabot.jobs");
    await admin.end();
    assert.deepEqual(jobs.rows, [{ job_name: 'hot_sensors', status: 'running' }]);
  } finally {
    await app.close();
    await db.drop();
  }
});

test('a Nexmark source, a flatMap and a function that fails: dead letters, and the job completes', async () => {
  const app = new App({ id: 'nexmark', dataDir: tempDataDir() });
  try {
    await app.sql('CREATE STREAM expensive (auction BIGINT, price BIGINT)');
    app.dataflow('expensive_bids', () =>
      Stream.fromNexmark({ kind: 'bid', events: 20000, seed: 7 })
        .select('auction', 'price')
        .map(failingOnSecondBatch())
        .flatMap((b) => [b, pc.filter(b, pc.greater(b.getChild('price')!, 10000))])
        .toStream('expensive'));
    const job = await app.dataflows.expensive_bids!.start();
    assert.equal(await ended(job), 'completed');
    const [source] = await app.sql<{ name: string }>("SELECT name FROM sabot.streams WHERE name LIKE 'nexmark_bid_%'");
    const count = async (sql: string) => Number((await app.sql<{ n: string }>(sql))[0]!.n);
    const dead = await app.sql<{ payload: string; reason: string }>(`SELECT payload, reason FROM sabot.dead_letters WHERE job_id = '${job.jobId}'`);
    assert.ok(dead.length > 0);
    assert.match(dead[0]!.reason, /function #0 of dataflow "expensive_bids" failed: unlucky batch/);
    // Every bid once and the costly ones twice, but for the batch the function failed on.
    const lost = dead.map((d) => JSON.parse(d.payload) as { price: string });
    const all = await count(`SELECT count(*) AS n FROM ${source!.name}`);
    const costly = await count(`SELECT count(*) AS n FROM ${source!.name} WHERE price > 10000`);
    const lostCostly = lost.filter((r) => Number(r.price) > 10000).length;
    assert.equal(await count('SELECT count(*) AS n FROM expensive'), all - lost.length + costly - lostCostly);
  } finally {
    await app.close();
  }
});

test('the same job graph JSON from CREATE DATAFLOW and from the Stream API, in the catalog', async () => {
  const app = new App({ id: 'graphs', dataDir: tempDataDir() });
  try {
    await app.sql("CREATE STREAM bids WITH (connector = 'nexmark', kind = 'bid')");
    await app.sql("CREATE STREAM old_bids WITH (connector = 'nexmark', kind = 'bid', seed = '5')");
    await app.sql('CREATE STREAM out (auction BIGINT, price DOUBLE PRECISION)');
    const pairs: [string, () => ReturnType<Stream['toStream']>][] = [
      ['INSERT INTO out SELECT auction, price * 0.908 AS price FROM bids WHERE auction % 123 = 0',
        () => Stream.fromStream('bids').filter('auction % 123 = 0').select('auction', 'price * 0.908 AS price').toStream('out')],
      ['INSERT INTO out SELECT auction, price FROM bids UNION ALL SELECT auction, price FROM old_bids WHERE price > 100',
        () => Stream.fromStream('bids').select('auction', 'price').union(Stream.fromStream('old_bids').filter('price > 100').select('auction', 'price')).toStream('out')],
    ];
    for (const [i, [sql, build]] of pairs.entries()) {
      const name = `q${i}`;
      await app.sql(`CREATE DATAFLOW ${name} WITH (parallelism = 2) AS ${sql}`);
      const [fromSql] = await app.sql<{ job_id: string; job_graph_json: string }>(
        `SELECT j.job_id, j.job_graph_json FROM sabot.jobs j JOIN sabot.dataflows d ON d.job_id = j.job_id WHERE d.name = '${name}'`);
      await app.sql(`DROP DATAFLOW ${name}`);
      const job = await app.dataflow(name, build).start({ parallelism: 2 });
      const [fromTs] = await app.sql<{ job_graph_json: string }>(`SELECT job_graph_json FROM sabot.jobs WHERE job_id = '${job.jobId}'`);
      assert.equal(fromTs!.job_graph_json, fromSql!.job_graph_json);
      // The same graph is the same job, submitted again after the first was canceled.
      assert.equal(job.jobId, `${fromSql!.job_id}_2`);
      await job.stop();
    }
  } finally {
    await app.close();
  }
});

test('keyBy, window and aggregate run on the agent with the results of the same SQL dataflow', async () => {
  const app = new App({ id: 'windows', dataDir: tempDataDir() });
  try {
    await app.sql("CREATE STREAM bids WITH (connector = 'nexmark', kind = 'bid', events = '30000', seed = '3')");
    const columns = '(auction BIGINT, window_start TIMESTAMP, window_end TIMESTAMP, bids BIGINT, top BIGINT)';
    await app.sql(`CREATE STREAM counts_sql ${columns}`);
    await app.sql(`CREATE STREAM counts_ts ${columns}`);
    await app.sql(`CREATE DATAFLOW by_sql WITH (parallelism = 2) AS INSERT INTO counts_sql
      SELECT auction, window_start, window_end, count(*) AS bids, max(price) AS top
      FROM TUMBLE(bids, date_time, INTERVAL '5' SECOND) WHERE price > 1000 GROUP BY auction, window_start, window_end`);
    const ts = await app.dataflow('by_ts', () => Stream.fromStream('bids').filter('price > 1000').keyBy('auction')
      .window({ kind: 'tumble', on: 'date_time', size: '5 seconds' }).aggregate('count(*) AS bids', 'max(price) AS top').toStream('counts_ts')).start({ parallelism: 2 });
    assert.equal(await ended(ts), 'completed');
    assert.equal(await ended(dataflowStatus(app, 'by_sql')), 'completed');
    const order = 'ORDER BY window_start, auction';
    const fromTs = await app.sql(`SELECT * FROM counts_ts ${order}`);
    assert.ok(fromTs.length > 10);
    assert.deepEqual(fromTs, await app.sql(`SELECT * FROM counts_sql ${order}`));
  } finally {
    await app.close();
  }
});

test('a join and a hop window run on the agent with the results of the same SQL dataflows', async () => {
  const app = new App({ id: 'joins', dataDir: tempDataDir() });
  try {
    await app.sql("CREATE STREAM bids WITH (connector = 'nexmark', kind = 'bid', events = '20000', seed = '4')");
    await app.sql("CREATE STREAM auctions WITH (connector = 'nexmark', kind = 'auction', events = '20000', seed = '4')");
    // Kept results (a builder returning a Stream), read by the dataflow's name.
    const pairs: [string, string, DataflowBuilder][] = [
      ['auction, price, seller',
        'SELECT bids.auction, bids.price, auctions.seller FROM bids JOIN auctions ON bids.auction = auctions.id WHERE bids.price > 5000',
        () => Stream.fromStream('bids').filter('price > 5000').join(Stream.fromStream('auctions'), 'bids.auction = auctions.id')
          .select('bids.auction', 'bids.price', 'auctions.seller')],
      ['auction, window_start, window_end',
        "SELECT auction, window_start, window_end FROM HOP(bids, date_time, INTERVAL '2' SECOND, INTERVAL '4' SECOND) WHERE price > 9000000",
        () => Stream.fromStream('bids').filter('price > 9000000').window({ kind: 'hop', on: 'date_time', slide: '2 seconds', size: '4 seconds' })
          .select('auction', 'window_start', 'window_end')],
    ];
    for (const [i, [order, sql, build]] of pairs.entries()) {
      await app.sql(`CREATE DATAFLOW sql_${i} AS ${sql}`);
      const job = await app.dataflow(`ts_${i}`, build).start();
      assert.equal(await ended(job), 'completed');
      assert.equal(await ended(dataflowStatus(app, `sql_${i}`)), 'completed');
      const fromTs = await app.sql(`SELECT * FROM ts_${i} ORDER BY ${order}`);
      assert.ok(fromTs.length > 5);
      assert.deepEqual(fromTs, await app.sql(`SELECT * FROM sql_${i} ORDER BY ${order}`));
    }
  } finally {
    await app.close();
  }
});

test('app.agent warns once, becomes a dataflow, and its yields land in <topic>_agent', async () => {
  const app = new App({ id: 'agents', dataDir: tempDataDir() });
  const warnings: Error[] = [];
  const onWarning = (w: Error) => { if (w.name === 'DeprecationWarning') warnings.push(w); };
  process.on('warning', onWarning);
  try {
    await app.sql('CREATE STREAM orders (id BIGINT, amount DOUBLE PRECISION, placed TIMESTAMP)');
    await app.sql('CREATE STREAM refunds (id BIGINT)');
    const agent = app.agent('orders', async function* (order) {
      if ((order.amount as number) > 100) yield { id: order.id, big: true, day: (order.placed as Date).toISOString().slice(0, 10) };
      if (order.id === 2n) throw new Error('order 2 is bad');
    });
    app.agent('refunds', async function* (refund) { yield refund; });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /app\.agent\(\) is deprecated/);
    assert.equal(agent.name, 'agent_orders');
    await agent.start();
    await app.sql("INSERT INTO orders VALUES (1, 50, '2024-05-01 10:00'), (2, 500, '2024-05-02 10:00'), (3, 150, '2024-05-03 12:00')");
    await app.sql('FLUSH');
    const rows = await app.sql<{ value: unknown }>('SELECT value FROM orders_agent');
    // Order 2 yielded, then failed: a row's values count only when its generator finishes.
    assert.deepEqual(rows.map((r) => r.value), [{ id: 3, big: true, day: '2024-05-03' }]);
    const dead = await app.sql<{ reason: string }>('SELECT reason FROM sabot.dead_letters');
    assert.equal(dead.length, 1);
    assert.match(dead[0]!.reason, /order 2 is bad/);
  } finally {
    process.off('warning', onWarning);
    await app.close();
  }
});

test('an agent imports the module that defines a dataflow to find its functions', async () => {
  const module = new URL('./fixtures/remote-dataflow.js', import.meta.url).href;
  const columns = [{ name: 'n', type: Types.int8, nullable: true }];
  const op: JobGraphOperator = {
    id: 'map_1', type: 'map', name: 'Map',
    params: { mode: 'map', function: { module, dataflow: 'doubled', index: 0 },
      columns: [{ name: 'n', type: 'int8', nullable: true }, { name: 'doubled', type: 'int8', nullable: true }] },
  };
  const run = await userFunctionChain([op], columns, builtinFunctions(), dataflowEvalContext(new AbortController().signal));
  const batch = new Table({ n: vectorFromArray([1n, 2n, null], new Int64()) }).batches[0]!;
  const { batch: out, rejected } = await run(batch);
  assert.deepEqual(rejected, []);
  assert.deepEqual([...out.getChild('doubled')!], [2n, 4n, null]);
  await assert.rejects(userFunctionChain([{ ...op, params: { ...op.params, function: { module, dataflow: 'nope', index: 0 } } }],
    columns, builtinFunctions(), dataflowEvalContext(new AbortController().signal)), /does not define dataflow "nope"/);
});
