/**
 * Nexmark q0 (pass-through), q1 (price * 0.908) and q2 (auction % 123 = 0) as dataflows,
 * from the in-process generator into a blackhole sink, run by a Sabot server in this
 * process through SQL as a user submits them. Prints events per second per core: Nexmark
 * events of the bounded run (all kinds, of which 46/50 are bids) over the whole process's
 * CPU time (user + sys from process.cpuUsage(), which counts every thread), from
 * CREATE DATAFLOW until FLUSH returns; also bids/s and peak RSS.
 *
 *   node dist/bench/nexmark-q0-q2.js [--millions 10] [--runs 3] [--queries q0,q1,q2]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { SabotServer } from '../src/server.js';

const { values } = parseArgs({
  options: {
    millions: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    queries: { type: 'string', default: 'q0,q1,q2' },
  },
});
const events = Math.round(Number(values.millions) * 1e6);
const runs = Number(values.runs);

const queries: Record<string, string> = {
  q0: 'SELECT auction, bidder, price, date_time FROM bids',
  q1: 'SELECT auction, bidder, price * 908 / 1000, date_time FROM bids',
  q2: 'SELECT auction, bidder, price, date_time FROM bids WHERE auction % 123 = 0',
};

const dir = mkdtempSync(join(tmpdir(), 'sabot-bench-'));
const server = await SabotServer.start({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'data') });
const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'bench', database: 'bench' });
await client.connect();
await client.query(`CREATE STREAM bids WITH (connector = 'nexmark', kind = 'bid', events = ${events})`);
await client.query(`CREATE STREAM sink (auction BIGINT, bidder BIGINT, price BIGINT, date_time TIMESTAMP) WITH (connector = 'blackhole')`);

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);

console.log(`Nexmark ${events.toLocaleString('en-US')} events (${Math.round(events * 46 / 50).toLocaleString('en-US')} bids) into a blackhole sink`);
for (const name of values.queries.split(',')) {
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    await client.query(`CREATE DATAFLOW ${name}_${r} AS INSERT INTO sink ${queries[name]}`);
    await client.query('FLUSH');
    const cpu = process.cpuUsage(cpu0);
    const wall = (performance.now() - wall0) / 1000;
    const seconds = (cpu.user + cpu.system) / 1e6;
    const { rows: [row] } = await client.query(`SELECT t.rows_processed, j.status FROM sabot.tasks t JOIN sabot.jobs j ON t.job_id = j.job_id
      WHERE j.job_name = '${name}_${r}' AND t.operator_type = 'source'`);
    if (row.status !== 'completed' || Number(row.rows_processed) !== Math.round(events * 46 / 50)) {
      throw new Error(`${name}: job ${row.status} after ${row.rows_processed} rows`);
    }
    rates.push(events / seconds);
    console.log(`  ${name} run ${r + 1}: ${(events / seconds / 1e6).toFixed(2)} M events/s per core (${(events * 0.92 / seconds / 1e6).toFixed(2)} M bids/s), `
      + `${(events / wall / 1e6).toFixed(2)} M events/s wall, ${seconds.toFixed(2)} s CPU, ${wall.toFixed(2)} s wall`);
    await client.query(`DROP DATAFLOW ${name}_${r}`);
  }
  rates.sort((a, b) => a - b);
  console.log(`${name}: median ${(rates[Math.floor(rates.length / 2)]! / 1e6).toFixed(2)} M events/s per core`);
}
clearInterval(sampler);
console.log(`peak RSS ${(peakRss / 2 ** 20).toFixed(1)} MiB`);
await client.end();
await server.stop();
rmSync(dir, { recursive: true, force: true });
