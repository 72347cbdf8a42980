/**
 * `node dist/test/nexmark/write-slt.js DIR` (run by scripts/nexmark-expected.sh): writes
 * DIR/q0.slt ... DIR/q8.slt, each running one Nexmark query as a Sabot dataflow over the
 * .slt run, with the expected rows taken from PostgreSQL: the run's events are loaded
 * there (SABOT_TEST_POSTGRES_URL), and the query's batch equivalent is summarized (and,
 * when its result is small, listed in full).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { freshDatabase } from '../support/postgres.js';
import { connect, textRows, type TextRow } from './harness.js';
import { loadNexmarkEvents } from './postgres-events.js';
import { createStreams, nexmarkQueries, sltRun, type NexmarkQuery } from './queries.js';

/** Results up to this many rows are listed in full as well. */
const LISTED_ROWS = 30;
/** The queries the .slt files run at parallelism 1, 2 and 4; the others at 1. */
const ALL_PARALLELISMS = new Set(['q5', 'q7']);

/** A column's letter in `query <types>`: I integer, R other numbers, T anything else. */
function typeLetter(oid: number): string {
  if (oid === 20 || oid === 21 || oid === 23) return 'I';
  if (oid === 700 || oid === 701 || oid === 1700) return 'R';
  return 'T';
}

/** A row as the .slt runner prints it. */
function sltLine(row: TextRow): string {
  return row.map((v) => (v === null ? 'NULL' : v === '' ? '(empty)' : v)).join(' ');
}

async function sltFile(postgres: pg.Client, query: NexmarkQuery): Promise<string> {
  const full = await textRows(postgres, query.postgres);
  const summary = await textRows(postgres, `WITH q AS (${query.postgres}) ${query.summary}`);
  const parallelisms = ALL_PARALLELISMS.has(query.name) ? [1, 2, 4] : [1];
  const out = [
    `# Nexmark ${query.name}: ${query.title}.`,
    '# Expected rows generated from PostgreSQL by scripts/nexmark-expected.sh (test/nexmark/write-slt.ts),',
    `# which loads the same run (${sltRun.events} events, seed ${sltRun.seed}, event_rate ${sltRun.eventRate}) into PostgreSQL`,
    '# and runs the batch equivalent of the query there. Do not edit by hand: rerun the script.',
    '',
  ];
  for (const statement of createStreams(sltRun)) out.push('statement ok', statement, '');
  for (const p of parallelisms) {
    const name = `${query.name}_p${p}`;
    out.push('statement ok', `CREATE DATAFLOW ${name} WITH (parallelism = ${p}) AS`, query.sabot, '');
    out.push('query TT retry', `SELECT status, error_message FROM sabot.jobs WHERE job_name = '${name}'`, '----', 'completed NULL', '');
    out.push(`# PostgreSQL's result has ${full.rows.length} rows.`);
    out.push(`query ${summary.types.map(typeLetter).join('')}`, query.summary.replace(/\bq\b/, name), '----', ...summary.rows.map(sltLine), '');
    if (full.rows.length <= LISTED_ROWS) {
      out.push(`query ${full.types.map(typeLetter).join('')} rowsort`, `SELECT * FROM ${name}`, '----', ...full.rows.map(sltLine).sort(), '');
    }
  }
  return out.join('\n');
}

async function main(dir: string): Promise<void> {
  const database = await freshDatabase('sabot_nexmark_slt');
  try {
    const postgres = await connect({ connectionString: database.url });
    try {
      await loadNexmarkEvents(postgres, sltRun);
      for (const query of nexmarkQueries) {
        const path = join(dir, `${query.name}.slt`);
        writeFileSync(path, await sltFile(postgres, query));
        process.stdout.write(`wrote ${path}\n`);
      }
    } finally {
      await postgres.end();
    }
  } finally {
    await database.drop();
  }
}

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node dist/test/nexmark/write-slt.js DIR\n');
  process.exitCode = 2;
} else {
  await main(dir);
}
