import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startServer } from '../support/server.js';

test('100 dataflows at once: each sees every row of its input, once', async () => {
  const server = await startServer();
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'u', database: 'd' });
  await client.connect();
  try {
    await client.query('CREATE STREAM events (id BIGINT, kind INT, amount DOUBLE PRECISION)');
    await client.query('CREATE STREAM big_amounts (id BIGINT, amount DOUBLE PRECISION)');
    // Dataflow k keeps the events of kind k; half of them also write into one shared stream.
    for (let k = 0; k < 100; k++) {
      await client.query(k % 2 === 0
        ? `CREATE DATAFLOW kind_${k} AS SELECT id, amount * 2 AS doubled FROM events WHERE kind = ${k}`
        : `CREATE DATAFLOW kind_${k} AS INSERT INTO big_amounts SELECT id, amount FROM events WHERE kind = ${k} AND amount > 50`);
    }
    const rows: string[] = [];
    for (let id = 0; id < 10_000; id++) rows.push(`(${id}, ${id % 100}, ${id % 97})`);
    // Appended from several connections at once, while all the dataflows run.
    const writers = await Promise.all([0, 1, 2, 3].map(async (w) => {
      const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'u', database: 'd' });
      await c.connect();
      for (let i = w * 2500; i < (w + 1) * 2500; i += 500) await c.query(`INSERT INTO events VALUES ${rows.slice(i, i + 500).join(', ')}`);
      return c;
    }));
    await client.query('FLUSH');
    for (let k = 0; k < 100; k += 2) {
      const { rows: [r] } = await client.query(`SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(doubled) AS total FROM kind_${k}`);
      let total = 0;
      for (let id = k; id < 10_000; id += 100) total += (id % 97) * 2;
      assert.deepEqual([r.n, r.ids, Number(r.total)], ['100', '100', total], `dataflow kind_${k}`);
    }
    let expected = 0;
    for (let id = 0; id < 10_000; id++) if ((id % 100) % 2 === 1 && id % 97 > 50) expected++;
    const { rows: [shared] } = await client.query('SELECT count(*) AS n, count(DISTINCT id) AS ids FROM big_amounts');
    assert.deepEqual([Number(shared.n), Number(shared.ids)], [expected, expected]);
    const { rows: jobs } = await client.query("SELECT status, count(*) AS n FROM sabot.jobs GROUP BY status");
    assert.deepEqual(jobs, [{ status: 'running', n: '100' }]);
    const { rows: [agent] } = await client.query("SELECT available_slots FROM sabot.agents WHERE agent_id = 'local'");
    assert.equal(agent.available_slots, 256 - 100, 'one shared slot per dataflow');
    await Promise.all(writers.map((c) => c.end()));
  } finally {
    await client.end();
    assert.equal(await server.stop(), 0);
  }
});
