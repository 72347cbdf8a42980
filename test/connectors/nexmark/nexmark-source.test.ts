/** The Nexmark stream's `event_rate` option: how far apart events are in event time. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startServer, type RunningServer } from '../../support/server.js';

let server: RunningServer;
let client: pg.Client;

/** Rows as the server printed them (Postgres text), so timestamps are compared as users see them. */
async function rows(text: string): Promise<string[][]> {
  return (await client.query({ text, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } })).rows as string[][];
}

async function waitCompleted(job: string): Promise<void> {
  for (;;) {
    const [row] = await rows(`SELECT status, error_message FROM sabot.jobs WHERE job_name = '${job}'`);
    if (row?.[0] === 'completed') return;
    if (row?.[0] === 'failed') throw new Error(`job ${job} failed: ${row[1]}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

before(async () => {
  server = await startServer();
  client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'u', database: 'd' });
  await client.connect();
});

after(async () => {
  await client.end();
  await server.stop();
});

test('event_rate spreads event times: 20,000 events at 1,000 a second span 20 s, in SELECT and in a dataflow alike', async () => {
  await rows("CREATE STREAM spread WITH (connector = 'nexmark', kind = 'bid', events = 20000, seed = 1, event_rate = 1000)");
  await rows('CREATE DATAFLOW spread_times AS SELECT date_time FROM spread');
  await waitCompleted('spread_times');
  // Bids are events 4..49 of each block of 50; event n happens n ms after the first.
  const span = [['18400', '2024-01-01 00:00:00.004', '2024-01-01 00:00:19.999']];
  assert.deepEqual(await rows('SELECT count(*), min(date_time), max(date_time) FROM spread_times'), span);
  assert.deepEqual(await rows('SELECT count(*), min(date_time), max(date_time) FROM spread'), span);
});

test('without event_rate, event times follow rate, else 10,000 events a second', async () => {
  await rows("CREATE STREAM paced WITH (connector = 'nexmark', kind = 'person', events = 1000, rate = 500)");
  await rows("CREATE STREAM plain WITH (connector = 'nexmark', kind = 'person', events = 1000)");
  // The last person is event 950.
  assert.deepEqual(await rows('SELECT max(date_time) FROM paced'), [['2024-01-01 00:00:01.9']]);
  assert.deepEqual(await rows('SELECT max(date_time) FROM plain'), [['2024-01-01 00:00:00.095']]);
});

test('a bad event_rate is refused when the stream is created', async () => {
  for (const value of ['0', "'fast'", '2.5', '2000000000']) {
    await assert.rejects(rows(`CREATE STREAM bad WITH (connector = 'nexmark', kind = 'bid', event_rate = ${value})`),
      (e: pg.DatabaseError) => {
        assert.equal(e.code, '22023');
        assert.match(e.message, /event_rate/);
        return true;
      });
  }
  assert.deepEqual(await rows("SELECT count(*) FROM sabot.streams WHERE name = 'bad'"), [['0']]);
});
