/**
 * Nexmark q0-q8 checked against PostgreSQL: the events of one bounded run are loaded into
 * PostgreSQL, each query runs there as a batch query and in Sabot as a dataflow (at
 * parallelism 1, 2 and 4) over the same run, and the two results must be the same
 * multiset of rows, as both servers print them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { freshDatabase } from '../support/postgres.js';
import { startServer, type RunningServer } from '../support/server.js';
import { connect, multisetDifference, runDataflow, textRows, type TextRow } from './harness.js';
import { loadNexmarkEvents } from './postgres-events.js';
import { createStreams, nexmarkQueries, parallelisms, referenceRun } from './queries.js';

let database: { url: string; drop(): Promise<void> };
let postgres: pg.Client;
let server: RunningServer;
let sabot: pg.Client;
/** Each query's PostgreSQL result, computed once for all parallelisms. */
const expected = new Map<string, TextRow[]>();

before(async () => {
  database = await freshDatabase('sabot_nexmark');
  postgres = await connect({ connectionString: database.url });
  const counts = await loadNexmarkEvents(postgres, referenceRun);
  process.stdout.write(`PostgreSQL holds ${counts.person} persons, ${counts.auction} auctions, ${counts.bid} bids\n`);
  server = await startServer();
  sabot = await connect({ host: '127.0.0.1', port: server.port, user: 'nexmark', database: 'nexmark' });
  for (const statement of createStreams(referenceRun)) await sabot.query(statement);
});

after(async () => {
  await sabot?.end();
  await server?.stop();
  await postgres?.end();
  await database?.drop();
});

async function postgresRows(name: string, text: string): Promise<TextRow[]> {
  let rows = expected.get(name);
  if (!rows) {
    rows = (await textRows(postgres, text)).rows;
    expected.set(name, rows);
  }
  return rows;
}

const SHOWN = 10;

describe(`Nexmark over ${referenceRun.events} events (seed ${referenceRun.seed}, ${referenceRun.eventRate} events a second of event time)`, () => {
  for (const query of nexmarkQueries) {
    for (const parallelism of parallelisms) {
      const dataflow = `${query.name}_p${parallelism}`;
      test(`${query.name} (${query.title}) at parallelism ${parallelism} gives PostgreSQL's rows`, async (t) => {
        const want = await postgresRows(query.name, query.postgres);
        t.diagnostic(`${dataflow}: PostgreSQL ${want.length} rows`);
        try {
          const got = await runDataflow(sabot, dataflow, parallelism, query.sabot);
          t.diagnostic(`${dataflow}: Sabot ${got.length} rows`);
          const { onlyLeft, onlyRight } = multisetDifference(got, want);
          assert.ok(onlyLeft.length === 0 && onlyRight.length === 0,
            `${dataflow}: Sabot ${got.length} rows, PostgreSQL ${want.length}; `
            + `${onlyLeft.length} rows only in Sabot, e.g.\n  ${onlyLeft.slice(0, SHOWN).join('\n  ')}\n`
            + `${onlyRight.length} rows only in PostgreSQL, e.g.\n  ${onlyRight.slice(0, SHOWN).join('\n  ')}`);
        } finally {
          await sabot.query(`DROP DATAFLOW IF EXISTS ${dataflow}`);
        }
      });
    }
  }
});
