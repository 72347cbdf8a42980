/** `sabot serve` stopped and started again on the same data directory or catalog keeps its catalog. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { freshDatabase } from '../support/postgres.js';
import { sql, startServer, tempDataDir } from '../support/server.js';

for (const [dialect, where] of [['sqlite', async () => ({ args: ['--data-dir', tempDataDir()], drop: async () => undefined })],
  ['postgres', async () => {
    const db = await freshDatabase('sabot_restart');
    return { args: ['--catalog', db.url, '--data-dir', tempDataDir()], drop: db.drop };
  }]] as const) {
  test(`streams and what they hold survive a restart (${dialect}), and the local agent rejoins`, async () => {
    const { args, drop } = await where();
    try {
      const first = await startServer([...args]);
      await sql(first, "CREATE STREAM s1 (a INT, b TEXT); CREATE STREAM s2 WITH (connector = 'nexmark', kind = 'person')");
      await sql(first, "INSERT INTO s1 VALUES (1, 'one'), (2, NULL)");
      assert.deepEqual(await sql(first, "SELECT agent_id, status, max_workers FROM sabot.agents"), [['local', 'alive', 256]]);
      assert.equal(await first.stop(), 0);
      const second = await startServer([...args, '--slots', '4']);
      assert.deepEqual(await sql(second, 'SELECT name, connector FROM sabot.streams ORDER BY name'), [['s1', 'internal'], ['s2', 'nexmark']]);
      await sql(second, "INSERT INTO s1 VALUES (3, 'three')");
      assert.deepEqual(await sql(second, 'SELECT a, b FROM s1 ORDER BY a'), [[1, 'one'], [2, null], [3, 'three']]);
      assert.deepEqual(await sql(second, "SELECT agent_id, status, max_workers, available_slots FROM sabot.agents"), [['local', 'alive', 4, 4]]);
      assert.equal(await second.stop(), 0);
    } finally {
      await drop();
    }
  });
}

test('twenty connections issuing DDL at once leave a consistent catalog', async () => {
  const server = await startServer();
  try {
    const clients = await Promise.all(Array.from({ length: 20 }, async () => {
      const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'u', database: 'd' });
      await c.connect();
      return c;
    }));
    const outcomes = await Promise.all(clients.map(async (c, i) => {
      const results: string[] = [];
      for (let k = 0; k < 5; k++) {
        // Every client also races the others for one shared name.
        for (const name of [`s_${i}_${k}`, 'shared']) {
          try {
            await c.query(`CREATE STREAM ${name} (a INT)`);
            results.push(`created ${name}`);
          } catch (e) {
            results.push(`${(e as pg.DatabaseError).code} ${name}`);
          }
        }
      }
      await c.query(`DROP STREAM s_${i}_0`);
      return results;
    }));
    await Promise.all(clients.map((c) => c.end()));
    const all = outcomes.flat();
    assert.equal(all.filter((r) => r === 'created shared').length, 1, 'exactly one CREATE of the shared name wins');
    assert.ok(all.every((r) => r.startsWith('created') || r === '42P07 shared'), all.find((r) => !r.startsWith('created') && r !== '42P07 shared'));
    const names = (await sql(server, 'SELECT name FROM sabot.streams')).map((r) => r[0] as string);
    assert.equal(names.length, 20 * 4 + 1);
    assert.equal(new Set(names).size, names.length, 'no duplicate rows');
  } finally {
    await server.stop();
  }
});

test('a dataflow resumes after a restart from its recorded position: no row lost, none repeated', async () => {
  const args = ['--data-dir', tempDataDir()];
  const first = await startServer(args);
  await sql(first, `CREATE STREAM src (n INT); CREATE STREAM dst (n INT, doubled BIGINT);
    CREATE DATAFLOW doubler AS INSERT INTO dst SELECT n, n * 2 FROM src WHERE n % 2 = 1`);
  await sql(first, 'INSERT INTO src VALUES (1), (2), (3)');
  await sql(first, 'FLUSH');
  // Rows appended right before the stop may or may not have gone through; either way they go through once.
  await sql(first, 'INSERT INTO src VALUES (5), (6), (7)');
  assert.equal(await first.stop(), 0);
  const second = await startServer(args);
  await sql(second, 'INSERT INTO src VALUES (9)');
  await sql(second, 'FLUSH');
  assert.deepEqual(await sql(second, 'SELECT n, doubled FROM dst ORDER BY n'), [[1, '2'], [3, '6'], [5, '10'], [7, '14'], [9, '18']]);
  assert.deepEqual(await sql(second, "SELECT status FROM sabot.jobs WHERE job_name = 'doubler'"), [['running']]);
  assert.equal(await second.stop(), 0);
});

test('stopped in the middle of a dataflow, a restart goes on where it stopped: no row lost, none repeated', async () => {
  const args = ['--data-dir', tempDataDir()];
  const first = await startServer(args);
  // 460,000 bids paced at 400,000 events/s: the run takes about 1.25 s, and the stop comes in the middle of it.
  await sql(first, `CREATE STREAM bids WITH (connector = 'nexmark', kind = 'bid', events = 500000, rate = 400000);
    CREATE DATAFLOW copy AS SELECT auction, bidder, price FROM bids`);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const [[before]] = await sql(first, "SELECT rows_processed FROM sabot.tasks WHERE operator_type = 'source'") as [[string]];
  assert.equal(await first.stop(), 0);
  const second = await startServer(args);
  await sql(second, 'FLUSH');
  assert.deepEqual(await sql(second, 'SELECT count(*), sum(price), sum(auction), sum(bidder) FROM copy'),
    await sql(second, 'SELECT count(*), sum(price), sum(auction), sum(bidder) FROM bids'));
  assert.deepEqual(await sql(second, "SELECT status FROM sabot.jobs WHERE job_name = 'copy'"), [['completed']]);
  assert.ok(BigInt(before) > 0n && BigInt(before) < 460_000n, `the stop came in the middle of the run (${before} of 460000 rows)`);
  assert.equal(await second.stop(), 0);
});

for (const point of ['before-write', 'after-write']) {
  test(`killed in a round ${point === 'before-write' ? 'before' : 'after'} its write into a stream, a restart writes each row once`, async () => {
    const args = ['--data-dir', tempDataDir()];
    const first = await startServer(args, { SABOT_CRASH_IN_ROUND: point });
    await sql(first, `CREATE STREAM src (n INT); CREATE STREAM dst (n INT, q INT);
      CREATE DATAFLOW divide AS INSERT INTO dst SELECT n, 100 / n FROM src`);
    await sql(first, 'INSERT INTO src VALUES (1), (0), (4), (5)');
    assert.equal(await first.exit(), 'SIGKILL', 'the server was killed in the round');
    const second = await startServer(args);
    await sql(second, 'INSERT INTO src VALUES (10)');
    await sql(second, 'FLUSH');
    assert.deepEqual(await sql(second, 'SELECT n, q FROM dst ORDER BY n'), [[1, 100], [4, 25], [5, 20], [10, 10]]);
    assert.deepEqual(await sql(second, 'SELECT payload FROM sabot.dead_letters'), [['{"n":"0"}']]);
    assert.deepEqual(await sql(second, "SELECT position_json, pending_json FROM sabot.source_positions"), [['"5"', null]]);
    assert.equal(await second.stop(), 0);
  });
}
