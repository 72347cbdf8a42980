/**
 * Internal stream log: append N rows of (int8, float8, text) in 4096-row batches, with one
 * fsync per append() call of 64 batches, then read them all back (from the open log, and
 * after reopening it, which rescans and checksums the last segment). Throughput per
 * core is rows divided by this process's CPU time (user + sys, process.cpuUsage()), so it
 * does not depend on how long fsync waits for the disk; wall-clock rows/s is printed too.
 * A second append run with one batch per call shows what an fsync per batch costs.
 *
 *   node dist/bench/stream-log.js [--rows 1000000] [--batch 4096] [--per-append 64] [--dir DIR]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RecordBatch, Struct, Utf8, makeData, vectorFromArray, type Data } from 'apache-arrow';
import { StreamLog } from '../src/connectors/internal/stream-log.js';
import { arrowSchema } from '../src/runtime/arrow-types.js';
import { Types } from '../src/types/sql-type.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '4096' },
    'per-append': { type: 'string', default: '64' },
    dir: { type: 'string' },
  },
});
const totalRows = Number(values.rows);
const batchRows = Number(values.batch);
const perAppend = Number(values['per-append']);
const base = mkdtempSync(join(values.dir ?? tmpdir(), 'sabot-bench-log-'));

const schema = arrowSchema([
  { name: 'id', type: Types.int8, nullable: false },
  { name: 'price', type: Types.float8, nullable: false },
  { name: 'item', type: Types.text, nullable: true },
]);

function makeBatches(): RecordBatch[] {
  const out: RecordBatch[] = [];
  for (let start = 0; start < totalRows; start += batchRows) {
    const n = Math.min(batchRows, totalRows - start);
    const ids = new BigInt64Array(n);
    const prices = new Float64Array(n);
    const items: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      ids[i] = BigInt(start + i);
      prices[i] = (start + i) * 0.01;
      items[i] = `item-${(start + i) % 1000}-${start + i}`;
    }
    const children = [
      makeData({ type: schema.fields[0]!.type, length: n, data: ids }),
      makeData({ type: schema.fields[1]!.type, length: n, data: prices }),
      vectorFromArray(items, new Utf8()).data[0]!,
    ] as Data[];
    out.push(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children })));
  }
  return out;
}

interface Measured { rows: number; cpuSeconds: number; wallSeconds: number }

async function measure(fn: () => Promise<number>): Promise<Measured> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const rows = await fn();
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { rows, cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds };
}

async function appendAll(log: StreamLog, batches: RecordBatch[], per: number): Promise<number> {
  let rows = 0;
  for (let i = 0; i < batches.length; i += per) {
    const r = await log.append(batches.slice(i, i + per));
    rows += Number(r.end - r.start);
  }
  return rows;
}

/** Reads everything, touching every value the way an operator would (typed-array loops). */
async function readAll(log: StreamLog): Promise<number> {
  let rows = 0;
  let sum = 0;
  let textBytes = 0;
  for await (const { batch } of log.read(0n)) {
    const prices = batch.getChildAt(1)!.data[0]!.values as Float64Array;
    for (let i = 0; i < prices.length; i++) sum += prices[i]!;
    const text = batch.getChildAt(2)!.data[0]!;
    const offsets = text.valueOffsets as Int32Array;
    textBytes += offsets[text.length]! - offsets[0]!;
    rows += batch.numRows;
  }
  if (!(sum > 0) || textBytes === 0) throw new Error('read nothing');
  return rows;
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const n of await readdir(dir)) total += (await stat(join(dir, n))).size;
  return total;
}

function line(what: string, m: Measured): void {
  const perCore = m.rows / m.cpuSeconds;
  const wall = m.rows / m.wallSeconds;
  console.log(`${what.padEnd(34)} ${m.rows.toLocaleString('en-US').padStart(11)} ${m.cpuSeconds.toFixed(3).padStart(8)} ${m.wallSeconds.toFixed(3).padStart(8)} ${Math.round(perCore).toLocaleString('en-US').padStart(14)} ${Math.round(wall).toLocaleString('en-US').padStart(14)}`);
}

const batches = makeBatches();
const rssAfterBuild = process.memoryUsage().rss;
console.log(`stream log: ${totalRows.toLocaleString('en-US')} rows of (int8, float8, text), ${batchRows}-row batches, in ${base}`);
console.log(`${'phase'.padEnd(34)} ${'rows'.padStart(11)} ${'CPU s'.padStart(8)} ${'wall s'.padStart(8)} ${'rows/s/core'.padStart(14)} ${'rows/s wall'.padStart(14)}`);

// Three append runs into fresh logs (the first one includes JIT warm-up), then three
// reads of the last log, a reopen and a read after it.
let dir = '';
let log!: StreamLog;
for (let run = 1; run <= 3; run++) {
  dir = join(base, 'streams', `bench${run}`);
  log = await StreamLog.open(dir, schema);
  line(`append run ${run}, ${perAppend} batches per fsync`, await measure(() => appendAll(log, batches, perAppend)));
  if (run < 3) await log.close();
}
const bytes = await dirBytes(dir);
for (let pass = 1; pass <= 3; pass++) line(`read pass ${pass} (open log)`, await measure(() => readAll(log)));
await log.close();
let reopened!: StreamLog;
line('reopen (scan + checksum last seg.)', await measure(async () => {
  reopened = await StreamLog.open(dir, schema);
  return Number(reopened.end);
}));
log = reopened;
line('read after reopen', await measure(() => readAll(log)));
await log.close();

const smallCount = Math.min(batches.length, 64);
log = await StreamLog.open(join(base, 'streams', 'small'), schema);
line(`append, 1 batch per fsync (${smallCount}x)`, await measure(() => appendAll(log, batches.slice(0, smallCount), 1)));
await log.close();

const mib = (n: number): string => (n / 2 ** 20).toFixed(1);
console.log(`log size: ${mib(bytes)} MiB (${(bytes / totalRows).toFixed(1)} bytes/row) in ${(await readdir(dir)).length - 1} segment file(s)`);
console.log(`RSS after building the input batches: ${mib(rssAfterBuild)} MiB; peak RSS: ${mib(process.resourceUsage().maxRSS * 1024)} MiB`);
rmSync(base, { recursive: true, force: true });
