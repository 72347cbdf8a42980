/**
 * Nexmark q0-q8 checked against PostgreSQL: the events of one bounded run are loaded into
 * PostgreSQL, each query runs there as a batch query and in Sabot as a dataflow over the
 * same run, and the two results must be the same multiset of rows, as both servers print
 * them. Every query runs at parallelism 1, 2 and 4; a second, larger run is read by two
 * source splits, so the windows close on watermarks merged across splits.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { BLOCK_EVENTS } from '../../src/connectors/nexmark/nexmark-source.js';
import { freshDatabase } from '../support/postgres.js';
import { startServer, type RunningServer } from '../support/server.js';
import { connect, multisetDifference, runDataflow, textRows, type TextRow } from './harness.js';
import { loadNexmarkEvents } from './postgres-events.js';
import { createStreams, nexmarkQueries, referenceRun, type NexmarkQuery, type NexmarkRun } from './queries.js';

const SHOWN = 10;

/** A PostgreSQL database and a Sabot server holding the same run, and each query checked at each parallelism. */
function checkAgainstPostgres(title: string, run: NexmarkRun, queries: NexmarkQuery[], parallelisms: number[]): void {
  describe(`${title}: ${run.events} events (seed ${run.seed}, ${run.eventRate} events a second of event time)`, () => {
    let database: { url: string; drop(): Promise<void> };
    let postgres: pg.Client;
    let server: RunningServer;
    let sabot: pg.Client;
    /** Each query's PostgreSQL result, computed once for all parallelisms. */
    const expected = new Map<string, TextRow[]>();

    before(async () => {
      database = await freshDatabase('sabot_nexmark');
      postgres = await connect({ connectionString: database.url });
      const counts = await loadNexmarkEvents(postgres, run);
      process.stdout.write(`PostgreSQL holds ${counts.person} persons, ${counts.auction} auctions, ${counts.bid} bids\n`);
      server = await startServer();
      sabot = await connect({ host: '127.0.0.1', port: server.port, user: 'nexmark', database: 'nexmark' });
      for (const statement of createStreams(run)) await sabot.query(statement);
    });

    after(async () => {
      await sabot?.end();
      await server?.stop();
      await postgres?.end();
      await database?.drop();
    });

    for (const query of queries) {
      for (const parallelism of parallelisms) {
        const dataflow = `${query.name}_p${parallelism}`;
        test(`${query.name} (${query.title}) at parallelism ${parallelism} gives PostgreSQL's rows`, async (t) => {
          let want = expected.get(query.name);
          if (!want) {
            want = (await textRows(postgres, query.postgres)).rows;
            expected.set(query.name, want);
          }
          t.diagnostic(`${dataflow}: PostgreSQL ${want.length} rows`);
          assert.ok(want.length > 0, `${query.name} has no rows in PostgreSQL, so it would check nothing`);
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
}

checkAgainstPostgres('Nexmark', referenceRun, nexmarkQueries, [1, 2, 4]);

// Past the first block of the sequence, a second source split has events to generate. q0
// and q1 are left out here: their results are the whole bid stream.
checkAgainstPostgres('Nexmark read by two source splits', { ...referenceRun, events: BLOCK_EVENTS + 100_000 },
  nexmarkQueries.filter((q) => q.name !== 'q0' && q.name !== 'q1'), [2, 4]);
