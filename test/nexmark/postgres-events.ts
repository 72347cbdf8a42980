/**
 * Loads the events of a bounded Nexmark run, as the project's generator makes them, into
 * PostgreSQL tables person, auction and bid (timestamps as `timestamp`), for the batch
 * equivalents of the queries to run over.
 */
import type pg from 'pg';
import { NexmarkGenerator } from '../../src/connectors/nexmark/generator.js';
import { nexmarkColumns, type NexmarkKind } from '../../src/connectors/nexmark/schema.js';
import type { NexmarkRun } from './queries.js';

const kinds: NexmarkKind[] = ['person', 'auction', 'bid'];

function postgresType(kind: string): string {
  switch (kind) {
    case 'int8': return 'bigint';
    case 'text': return 'text';
    case 'timestamp': return 'timestamp';
    default: throw new Error(`no PostgreSQL type for a Nexmark column of type ${kind}`);
  }
}

/** Creates the three tables and fills them with the run's events; returns the row count of each. */
export async function loadNexmarkEvents(client: pg.Client, run: NexmarkRun): Promise<Record<NexmarkKind, number>> {
  const counts = { person: 0, auction: 0, bid: 0 };
  for (const kind of kinds) {
    const columns = nexmarkColumns[kind];
    await client.query(`CREATE TABLE ${kind} (${columns.map((c) => `${c.name} ${postgresType(c.type.kind)}`).join(', ')})`);
    // One INSERT per batch, each column one array parameter. Timestamps travel as integer
    // microseconds since the epoch and are turned into timestamps exactly, in integer arithmetic.
    const params = columns.map((c, i) => `$${i + 1}::${c.type.kind === 'text' ? 'text' : 'bigint'}[]`);
    const names = columns.map((_, i) => `c${i}`);
    const values = columns.map((c, i) => c.type.kind === 'timestamp' ? `timestamp '1970-01-01' + c${i} * interval '1 microsecond'` : `c${i}`);
    const insert = `INSERT INTO ${kind} SELECT ${values.join(', ')} FROM unnest(${params.join(', ')}) AS e(${names.join(', ')})`;
    const generator = new NexmarkGenerator({ kind, events: run.events, seed: run.seed, eventsPerSecond: run.eventRate, batchSize: 8192 });
    for (let batch = generator.nextBatch(); batch !== null; batch = generator.nextBatch()) {
      const arrays = columns.map((c) => Array.from(batch.getChild(c.name)!.toArray() as Iterable<bigint | string>, String));
      await client.query(insert, arrays);
      counts[kind] += batch.numRows;
    }
    await client.query(`ANALYZE ${kind}`);
  }
  return counts;
}
