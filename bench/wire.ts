/**
 * Wire protocol round trips: pgbench running `SELECT 1` against `sabot serve`, in simple
 * and prepared mode with 1 and 8 clients. Per-core throughput divides the transactions by
 * the server process's CPU time (user + sys, from /proc), so it does not depend on how
 * the two processes share the cores. Also measures what an idle connection costs.
 *
 *   node dist/bench/wire.js [--seconds 10]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startServer } from '../test/support/server.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' } } });
const seconds = Number(values.seconds);
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of the whole line; 12 and 13 after "comm) ".
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

function memoryKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]);
}

const server = await startServer();
const pid = server.process.pid!;
const script = join(mkdtempSync(join(tmpdir(), 'sabot-bench-')), 'select1.sql');
writeFileSync(script, 'SELECT 1;\n');

console.log(`pgbench SELECT 1 against sabot serve, ${seconds} s per run`);
console.log('mode      clients        tps   server CPU s   tps per core');
for (const mode of ['simple', 'prepared']) {
  for (const clients of [1, 8]) {
    const before = cpuSeconds(pid);
    const out = execFileSync('pgbench', [
      '-n', '-f', script, '-M', mode, '-c', String(clients), '-j', String(Math.min(clients, 2)),
      '-T', String(seconds), '-h', '127.0.0.1', '-p', String(server.port), '-U', 'bench', 'bench',
    ]).toString();
    const cpu = cpuSeconds(pid) - before;
    const transactions = Number(/number of transactions actually processed: (\d+)/.exec(out)![1]);
    const tps = transactions / seconds;
    console.log(`${mode.padEnd(9)} ${String(clients).padStart(7)} ${tps.toFixed(0).padStart(10)} ${cpu.toFixed(2).padStart(14)} ${(transactions / cpu).toFixed(0).padStart(14)}`);
  }
}
console.log(`peak RSS after pgbench: ${(memoryKiB(pid, 'VmHWM') / 1024).toFixed(1)} MiB`);

await server.stop();

// Idle connections, on a fresh server: RSS growth per connection once they are open and quiet.
const fresh = await startServer();
const idle = 1000;
const clients: pg.Client[] = [];
await new Promise((r) => setTimeout(r, 500));
const rssBefore = memoryKiB(fresh.process.pid!, 'VmRSS');
for (let i = 0; i < idle; i++) {
  const c = new pg.Client({ host: '127.0.0.1', port: fresh.port, user: 'bench', database: 'bench' });
  await c.connect();
  clients.push(c);
}
await new Promise((r) => setTimeout(r, 1000));
const rssAfter = memoryKiB(fresh.process.pid!, 'VmRSS');
console.log(`${idle} idle connections: +${((rssAfter - rssBefore) / 1024).toFixed(1)} MiB RSS, ${((rssAfter - rssBefore) / idle).toFixed(1)} KiB each`);
await Promise.all(clients.map((c) => c.end()));
await fresh.stop();
