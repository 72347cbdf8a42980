/**
 * Nexmark q3 (regular join), q5 (hot items over hopping windows), q7 (highest bid per
 * tumbling window joined back) and q8 (window join) as dataflows, exactly the Sabot SQL
 * that test/nexmark checks against PostgreSQL, from the in-process generator into a
 * blackhole sink, run by a Sabot server in this process through SQL as a user submits
 * them.
 *
 * Events: the Nexmark sequence of the bounded run (`events = N`, all kinds: 1 person,
 * 3 auctions and 46 bids in every 50), the same N for every query whatever kinds its
 * sources read (q3 and q8 read persons and auctions, 4 of 50; q5 and q7 bids, 46 of 50).
 * Per core = N over the whole process's CPU time (process.cpuUsage(), user + sys, every
 * thread), from CREATE DATAFLOW until the job is completed. Peak RSS: the process's high
 * water mark (VmHWM); each query runs in a process of its own (this script forks itself),
 * so the figure is that query's.
 *
 *   node dist/bench/nexmark-event-time.js [--millions 10] [--runs 1] [--queries q3,q5,q7,q8]
 *     [--parallelism 1] [--event-rate 10000] [--state-ttl '60 seconds']
 *
 * `--state-ttl` runs the dataflows WITH (state_ttl = ...): q3's regular join then drops
 * persons and auctions that much event time after they arrived.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { SabotServer } from '../src/server.js';
import { createStreams, nexmarkQueries } from '../test/nexmark/queries.js';

const { values } = parseArgs({
  options: {
    millions: { type: 'string', default: '10' },
    runs: { type: 'string', default: '1' },
    queries: { type: 'string', default: 'q3,q5,q7,q8' },
    parallelism: { type: 'string', default: '1' },
    'event-rate': { type: 'string', default: '10000' },
    'state-ttl': { type: 'string' },
    child: { type: 'string' },
  },
});
const events = Math.round(Number(values.millions) * 1e6);
const runs = Number(values.runs);
const parallelism = Number(values.parallelism);
const eventRate = Number(values['event-rate']);

/** The sink's columns per query (the blackhole stream the dataflow inserts into). */
const sinks: Record<string, string> = {
  q3: 'name TEXT, city TEXT, state TEXT, id BIGINT',
  q5: 'auction BIGINT, num BIGINT, window_start TIMESTAMP, window_end TIMESTAMP',
  q7: 'auction BIGINT, price BIGINT, bidder BIGINT, date_time TIMESTAMP',
  q8: 'id BIGINT, name TEXT, starttime TIMESTAMP',
};

interface RunFigures {
  query: string;
  run: number;
  cpu: number;
  wall: number;
  output: number;
  peakRss: number;
}

function vmHwm(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

async function waitForCompletion(client: pg.Client, name: string): Promise<void> {
  for (;;) {
    const { rows: [row] } = await client.query(`SELECT status, error_message FROM sabot.jobs WHERE job_name = '${name}'`);
    if (row?.status === 'completed') return;
    if (row?.status === 'failed' || row?.status === 'canceled') throw new Error(`${name} ${row.status}: ${row.error_message}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs one query `runs` times in this process; returns the figures of each run. */
async function runQuery(name: string): Promise<RunFigures[]> {
  const query = nexmarkQueries.find((q) => q.name === name);
  if (!query || !sinks[name]) throw new Error(`unknown query ${name}`);
  const dir = mkdtempSync(join(tmpdir(), 'sabot-bench-'));
  const server = await SabotServer.start({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'data') });
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'bench', database: 'bench' });
  await client.connect();
  for (const statement of createStreams({ events, seed: 1, eventRate })) await client.query(statement);
  await client.query(`CREATE STREAM out (${sinks[name]}) WITH (connector = 'blackhole')`);
  const figures: RunFigures[] = [];
  for (let r = 0; r < runs; r++) {
    const dataflow = `${name}_${r}`;
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const ttl = values['state-ttl'] === undefined ? '' : `, state_ttl = '${values['state-ttl']}'`;
    await client.query(`CREATE DATAFLOW ${dataflow} WITH (parallelism = ${parallelism}${ttl}) AS INSERT INTO out ${query.sabot}`);
    await waitForCompletion(client, dataflow);
    const cpu = process.cpuUsage(cpu0);
    const wall = (performance.now() - wall0) / 1000;
    const { rows } = await client.query(`SELECT t.rows_processed FROM sabot.tasks t JOIN sabot.jobs j ON t.job_id = j.job_id
      WHERE j.job_name = '${dataflow}' AND t.operator_type = 'sink'`);
    const output = rows.reduce((s, row) => s + Number(row.rows_processed), 0);
    figures.push({ query: name, run: r + 1, cpu: (cpu.user + cpu.system) / 1e6, wall, output, peakRss: vmHwm() });
    await client.query(`DROP DATAFLOW ${dataflow}`);
  }
  await client.end();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  return figures;
}

if (values.child !== undefined) {
  const figures = await runQuery(values.child);
  process.send!(figures);
} else {
  const argv = ['--millions', values.millions, '--runs', values.runs, '--parallelism', values.parallelism, '--event-rate', values['event-rate'],
    ...(values['state-ttl'] === undefined ? [] : ['--state-ttl', values['state-ttl']])];
  console.log(`Nexmark ${events.toLocaleString('en-US')} events (event_rate ${eventRate}), parallelism ${parallelism}, `
    + `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const name of values.queries.split(',')) {
    const figures = await new Promise<RunFigures[]>((resolve, reject) => {
      const child = fork(fileURLToPath(import.meta.url), [...argv, '--child', name], { execArgv: process.execArgv });
      let got: RunFigures[] | null = null;
      child.on('message', (m) => { got = m as RunFigures[]; });
      child.on('exit', (code) => (got ? resolve(got) : reject(new Error(`${name}: child exited with ${code}`))));
    });
    for (const f of figures) {
      console.log(`  ${f.query} run ${f.run}: ${Math.round(events / f.cpu).toLocaleString('en-US')} events/s per core, `
        + `${f.cpu.toFixed(2)} s CPU, ${f.wall.toFixed(2)} s wall (${Math.round(events / f.wall).toLocaleString('en-US')} events/s), `
        + `${f.output.toLocaleString('en-US')} rows out, peak RSS ${(f.peakRss / 2 ** 20).toFixed(1)} MiB`);
    }
  }
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
