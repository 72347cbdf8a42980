/**
 * Nexmark q0 (pass-through), q1 (price * 0.908) and q2 (auction % 123 = 0) reading a
 * pre-filled JSON topic of bids and writing JSON to a topic, run by a Sabot server in this
 * process through SQL. The input topic is filled first by a dataflow from the Nexmark
 * generator into Kafka. Prints events per second per core (bid records over the Sabot
 * process's user+sys CPU time, from CREATE DATAFLOW until FLUSH returns; the broker's
 * own CPU is not counted) and peak RSS.
 *
 *   SABOT_TEST_KAFKA=host:port node dist/bench/kafka-nexmark.js [--millions 1] [--runs 2] [--queries q0,q1,q2]
 *   (or with a broker from scripts/kafka.sh start)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { SabotServer } from '../src/server.js';

const { values } = parseArgs({
  options: { millions: { type: 'string', default: '1' }, runs: { type: 'string', default: '2' }, partitions: { type: 'string', default: '1' },
    queries: { type: 'string', default: 'q0,q1,q2' } },
});
const bootstrap = process.env.SABOT_TEST_KAFKA;
if (!bootstrap) throw new Error('set SABOT_TEST_KAFKA to a broker address (scripts/kafka.sh start prints one)');
const events = Math.round(Number(values.millions) * 1e6);
const bids = Math.round(events * 46 / 50);
const runs = Number(values.runs);
const suffix = `${process.pid}_${Date.now()}`;

const queries: Record<string, string> = {
  q0: 'SELECT auction, bidder, price, date_time FROM kbids',
  q1: 'SELECT auction, bidder, price * 908 / 1000, date_time FROM kbids',
  q2: 'SELECT auction, bidder, price, date_time FROM kbids WHERE auction % 123 = 0',
};
const columns = 'auction BIGINT, bidder BIGINT, price BIGINT, channel TEXT, url TEXT, date_time TIMESTAMP, extra TEXT';
const kafka = (topic: string, extra = '') =>
  `WITH (connector = 'kafka', topic = '${topic}', bootstrap_servers = '${bootstrap}', format = 'json'${extra})`;

const dir = mkdtempSync(join(tmpdir(), 'sabot-bench-'));
const server = await SabotServer.start({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'data') });
const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'bench', database: 'bench' });
await client.connect();

const input = `bench_bids_${suffix}`;
await client.query(`CREATE STREAM bids WITH (connector = 'nexmark', kind = 'bid', events = ${events})`);
await client.query(`CREATE STREAM kbids (${columns}) ${kafka(input, `, partitions = '${values.partitions}'`)}`);
let t0 = performance.now();
await client.query('CREATE DATAFLOW fill AS INSERT INTO kbids SELECT * FROM bids');
await client.query('FLUSH');
console.log(`filled ${input} with ${bids.toLocaleString('en-US')} JSON bids in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// Main-thread GC pauses of the current run: scavenges and mark-compacts (count, ms).
const gc = { scavenges: 0, scavengeMs: 0, markCompacts: 0, markCompactMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) { gc.scavenges++; gc.scavengeMs += e.duration; }
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) { gc.markCompacts++; gc.markCompactMs += e.duration; }
  }
}).observe({ entryTypes: ['gc'] });

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);
for (const name of values.queries.split(',')) {
  if (!queries[name]) throw new Error(`unknown query ${name}`);
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const output = `bench_${name}_${r}_${suffix}`;
    await client.query(`CREATE STREAM out_${name}_${r} (auction BIGINT, bidder BIGINT, price BIGINT, date_time TIMESTAMP) ${kafka(output)}`);
    Object.assign(gc, { scavenges: 0, scavengeMs: 0, markCompacts: 0, markCompactMs: 0 });
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    await client.query(`CREATE DATAFLOW ${name}_${r} AS INSERT INTO out_${name}_${r} ${queries[name]}`);
    await client.query('FLUSH');
    const cpu = process.cpuUsage(cpu0);
    const wall = (performance.now() - t0) / 1000;
    const seconds = (cpu.user + cpu.system) / 1e6;
    const { rows: [row] } = await client.query(`SELECT t.rows_processed FROM sabot.tasks t JOIN sabot.jobs j ON t.job_id = j.job_id
      WHERE j.job_name = '${name}_${r}' AND t.operator_type = 'source'`);
    if (Number(row.rows_processed) !== bids) throw new Error(`${name}: read ${row.rows_processed} of ${bids} records`);
    rates.push(bids / seconds);
    console.log(`  ${name} run ${r + 1}: ${(bids / seconds / 1e3).toFixed(0)} K events/s per core, ${(bids / wall / 1e3).toFixed(0)} K/s wall, `
      + `${seconds.toFixed(2)} s CPU (${(cpu.system / 1e6).toFixed(2)} s system), ${wall.toFixed(2)} s wall; GC pauses: `
      + `${gc.scavenges} scavenges ${gc.scavengeMs.toFixed(0)} ms, ${gc.markCompacts} mark-compacts ${gc.markCompactMs.toFixed(0)} ms`);
    await client.query(`DROP DATAFLOW ${name}_${r}`);
  }
  rates.sort((a, b) => a - b);
  console.log(`${name}: median ${(rates[Math.floor(rates.length / 2)]! / 1e3).toFixed(0)} K events/s per core`);
}
clearInterval(sampler);
console.log(`peak RSS ${(peakRss / 2 ** 20).toFixed(1)} MiB`);
await client.end();
await server.stop();
rmSync(dir, { recursive: true, force: true });
