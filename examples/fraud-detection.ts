/**
 * Sabot's TypeScript API in one file: an in-process App, a dataflow with JavaScript
 * batch functions, one with a windowed aggregate over the Nexmark generator, and their
 * results read back with SQL.
 *
 *   npm run build && node dist/examples/fraud-detection.js
 *
 * The dataflows are defined at the top level of this module: an agent that runs them
 * imports the module to find their functions. What only the main program does (starting
 * the dataflows, printing) runs when this file is the program, not when it is imported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RecordBatch } from 'apache-arrow';
import { App, Stream, compute as pc } from 'sabot';

const dataDir = mkdtempSync(join(tmpdir(), 'sabot-example-'));
export const app = new App({ id: 'example', dataDir });

/** Marks a batch's rows as high-value alerts: a named export, like any function agents load. */
export function addAlert(b: RecordBatch): RecordBatch {
  return pc.appendColumn(b, 'alert', pc.constant('high_value', b.numRows));
}

app.dataflow('fraud_detection', () =>
  Stream.fromStream('transactions')
    .filter((b) => pc.greater(b.getChild('amount')!, 10000))
    .map(addAlert)
    .toStream('fraud_alerts'));

app.dataflow('bids_per_auction', () =>
  Stream.fromNexmark({ kind: 'bid', events: 20000, seed: 1 })
    .filter('price > 1000')
    .keyBy('auction')
    .window({ kind: 'tumble', on: 'date_time', size: '10 seconds' })
    .aggregate('count(*) AS bids', 'max(price) AS top')
    .toStream('bid_counts'));

async function main(): Promise<void> {
  try {
    await app.sql('CREATE STREAM transactions (id BIGINT, amount DOUBLE PRECISION)');
    await app.sql('CREATE STREAM fraud_alerts (id BIGINT, amount DOUBLE PRECISION, alert TEXT)');
    await app.sql(`CREATE STREAM bid_counts (auction BIGINT, window_start TIMESTAMP, window_end TIMESTAMP, bids BIGINT, top BIGINT)`);

    const fraud = await app.dataflows.fraud_detection!.start({ parallelism: 2 });
    await app.sql('INSERT INTO transactions VALUES (1, 250), (2, 12500), (3, 9999.99), (4, 48000)');
    await app.sql('FLUSH');
    console.log('fraud_alerts:', await app.sql('SELECT * FROM fraud_alerts ORDER BY id'));
    await fraud.stop();

    const bids = await app.dataflows.bids_per_auction!.start({ parallelism: 2 });
    while ((await bids.status()).status === 'running') await new Promise((r) => setTimeout(r, 50));
    console.log('bids_per_auction:', (await bids.status()).status);
    console.log(await app.sql('SELECT * FROM bid_counts ORDER BY bids DESC, auction LIMIT 5'));
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
