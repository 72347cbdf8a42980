/**
 * The built-in Nexmark generator alone: generates N million bid events (rows of the bid
 * stream) into Arrow batches, `--runs` times, and prints bid events per second per core,
 * from the CPU time of this process (user + sys from process.cpuUsage(), so GC threads
 * count), and peak RSS. Then the auction and person generators, for reference, over N/10
 * million rows each. Batches are dropped as soon as they are made, as a sink would.
 *
 *   node dist/bench/nexmark-generator.js [--millions 10] [--runs 3] [--batch-size 4096] [--kinds bid,auction,person]
 *     [--warmup person,auction,bid]
 */
import { parseArgs } from 'node:util';
import { NexmarkGenerator } from '../src/connectors/nexmark/generator.js';
import type { NexmarkKind } from '../src/connectors/nexmark/schema.js';

const { values } = parseArgs({
  options: {
    millions: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    'batch-size': { type: 'string', default: '4096' },
    kinds: { type: 'string', default: 'bid,auction,person' },
    warmup: { type: 'string', default: 'person,auction,bid' },
  },
});
const warmup = values.warmup;
const millions = Number(values.millions);
const runs = Number(values.runs);
const batchSize = Number(values['batch-size']);
const kinds = values.kinds.split(',') as NexmarkKind[];
/** Share of the sequence's events of each kind (1:3:46). */
const share: Record<NexmarkKind, number> = { bid: 46 / 50, auction: 3 / 50, person: 1 / 50 };

interface Result { rows: number; bytes: number; cpu: number; wall: number }

function run(kind: NexmarkKind, count: number): Result {
  // A bounded run whose sequence holds `count` events of this kind.
  const generator = new NexmarkGenerator({ kind, events: Math.ceil(count / share[kind]), batchSize, seed: 42 });
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  let rows = 0;
  let bytes = 0;
  for (let batch = generator.nextBatch(); batch !== null; batch = generator.nextBatch()) {
    rows += batch.numRows;
    for (const child of batch.data.children) bytes += child.byteLength;
  }
  const cpu = process.cpuUsage(cpu0);
  return { rows, bytes, cpu: (cpu.user + cpu.system) / 1e6, wall: Number(process.hrtime.bigint() - wall0) / 1e9 };
}

function line(label: string, r: Result): string {
  return `${label.padEnd(10)} ${String(r.rows).padStart(10)} ${r.cpu.toFixed(2).padStart(7)} ${r.wall.toFixed(2).padStart(7)}`
    + ` ${(r.rows / r.cpu / 1e6).toFixed(2).padStart(15)} ${(r.rows / r.wall / 1e6).toFixed(2).padStart(12)} ${(r.bytes / r.rows).toFixed(1).padStart(10)}`;
}

// Warm up the JIT and the shared text tables, for every kind whatever is measured, so the
// process has allocated and freed batches of all sizes as a running server has.
for (const kind of warmup.split(',') as NexmarkKind[]) run(kind, 200_000);

console.log(`Nexmark generator: batch size ${batchSize}, Node ${process.version}`);
console.log('kind             rows   CPU s  wall s  M rows/s/core  M rows/s wall  bytes/row');
for (const kind of kinds) {
  if (kind === 'bid') {
    const results: Result[] = [];
    for (let i = 0; i < runs; i++) {
      const r = run(kind, Math.round(millions * 1e6));
      results.push(r);
      console.log(line(`bid #${i + 1}`, r));
    }
    const perCore = results.map((r) => r.rows / r.cpu).sort((a, b) => a - b);
    console.log(`bid events per core: median ${(perCore[Math.floor(perCore.length / 2)]! / 1e6).toFixed(2)} M/s,`
      + ` best ${(perCore.at(-1)! / 1e6).toFixed(2)} M/s`);
  } else {
    console.log(line(kind, run(kind, Math.max(1, Math.round((millions * 1e6) / 10)))));
  }
}
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`);
