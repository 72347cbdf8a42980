/**
 * Micro benchmark of the streaming join operator (src/runtime/join) on Nexmark data from
 * the built-in generator, prepared before timing. Prints join input rows per second per
 * core (rows / CPU time, user + sys, from process.cpuUsage()) and peak RSS:
 *
 * - q3-like: person (id, name, city, state) JOIN auction (id, seller, category) ON
 *   person.id = auction.seller, a regular join (state kept for the whole run), the
 *   batches of both streams interleaved in event-time order;
 * - q8-like: window join of persons (id, name, window_start, window_end) with the
 *   distinct (seller, window_start, window_end) of auctions, 10 s tumbling windows, ON
 *   id = seller AND window_start = window_start: each window's rows, then the watermark
 *   at its end, as a windowed aggregate upstream would deliver them.
 *
 *   node dist/bench/join.js [--millions 10] [--runs 3]
 */
import { parseArgs } from 'node:util';
import { makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { builtinFunctions } from '../src/functions/builtins.js';
import { NexmarkGenerator, nexmarkStreamColumns } from '../src/connectors/nexmark/generator.js';
import type { NexmarkKind } from '../src/connectors/nexmark/schema.js';
import type { JoinBound } from '../src/plan/logical-plan.js';
import type { ColumnSchema } from '../src/runtime/arrow-types.js';
import { createJoin } from '../src/runtime/join/index.js';
import { dataflowEvalContext } from '../src/runtime/operator-chain.js';
import { batchFromRows, rowsFromBatch } from '../src/runtime/rows.js';
import { Types } from '../src/types/sql-type.js';

const { values } = parseArgs({ options: { millions: { type: 'string', default: '10' }, runs: { type: 'string', default: '3' } } });
const EVENTS = Number(values.millions) * 1e6;
const RUNS = Number(values.runs);
const WINDOW = 10_000_000;

async function generate(kind: NexmarkKind): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  for await (const b of new NexmarkGenerator({ kind, events: EVENTS, seed: 42 })) batches.push(b);
  return batches;
}

/** Columns `names` of a stream's batch, without copying. */
function project(kind: NexmarkKind, batch: RecordBatch, names: string[]): RecordBatch {
  const all = nexmarkStreamColumns(kind);
  const idx = names.map((n) => all.findIndex((c) => c.name === n));
  const schema = new Schema(idx.map((i) => batch.schema.fields[i]!));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children: idx.map((i) => batch.data.children[i]!) }));
}

function columnsOf(kind: NexmarkKind, names: string[]): ColumnSchema[] {
  const all = nexmarkStreamColumns(kind);
  return names.map((n) => all.find((c) => c.name === n)!);
}

function firstTime(batch: RecordBatch): number {
  return Number(batch.getChild('date_time')!.get(0) as bigint);
}

function joinOf(left: ColumnSchema[], right: ColumnSchema[], leftKeys: number[], rightKeys: number[], bound: JoinBound) {
  const columns = [...left, ...right].map((c) => ({ name: c.name, type: c.type.kind, nullable: true }));
  return createJoin({ id: 'j', type: 'join', name: 'Join', params: { joinType: 'inner', leftKeys, rightKeys, condition: null, bound, columns } },
    [left, right], builtinFunctions(), dataflowEvalContext(new AbortController().signal));
}

interface Figure { rows: number; output: number; cpu: number }

function timed(work: () => { rows: number; output: number }): Figure {
  const cpu0 = process.cpuUsage();
  const { rows, output } = work();
  const cpu = process.cpuUsage(cpu0);
  return { rows, output, cpu: (cpu.user + cpu.system) / 1e6 };
}

function print(name: string, f: Figure): void {
  console.log(`${name}: ${f.rows.toLocaleString('en-US')} input rows, ${f.output.toLocaleString('en-US')} joined, ${f.cpu.toFixed(2)} s CPU, `
    + `${Math.round(f.rows / f.cpu).toLocaleString('en-US')} rows/s per core`);
}

const personBatches = await generate('person');
const auctionBatches = await generate('auction');

// q3: interleave by event time.
const P3 = ['id', 'name', 'city', 'state'];
const A3 = ['id', 'seller', 'category'];
const q3Input = [
  ...personBatches.map((b) => ({ side: 0 as const, batch: project('person', b, P3), time: firstTime(b) })),
  ...auctionBatches.map((b) => ({ side: 1 as const, batch: project('auction', b, A3), time: firstTime(b) })),
].sort((a, b) => a.time - b.time);

// q8: per 10 s window, persons and the distinct sellers of auctions, with the window's bounds.
const P8: ColumnSchema[] = [...columnsOf('person', ['id', 'name']),
  { name: 'window_start', type: Types.timestamp, nullable: true }, { name: 'window_end', type: Types.timestamp, nullable: true }];
const A8: ColumnSchema[] = [...columnsOf('auction', ['seller']),
  { name: 'window_start', type: Types.timestamp, nullable: true }, { name: 'window_end', type: Types.timestamp, nullable: true }];
const windows = new Map<number, { persons: unknown[][]; sellers: Map<bigint, unknown[]> }>();
const windowOf = (t: number) => {
  const start = t - (t % WINDOW);
  if (!windows.has(start)) windows.set(start, { persons: [], sellers: new Map() });
  return [start, windows.get(start)!] as const;
};
for (const b of personBatches) {
  for (const [id, name, t] of rowsFromBatch(columnsOf('person', ['id', 'name', 'date_time']), project('person', b, ['id', 'name', 'date_time']))) {
    const [start, w] = windowOf(t as number);
    w.persons.push([id, name, start, start + WINDOW]);
  }
}
for (const b of auctionBatches) {
  for (const [seller, t] of rowsFromBatch(columnsOf('auction', ['seller', 'date_time']), project('auction', b, ['seller', 'date_time']))) {
    const [start, w] = windowOf(t as number);
    w.sellers.set(seller as bigint, [seller, start, start + WINDOW]);
  }
}
const q8Input = [...windows.entries()].sort((a, b) => a[0] - b[0]).map(([start, w]) => ({
  persons: batchFromRows(P8, w.persons), sellers: batchFromRows(A8, [...w.sellers.values()]), end: start + WINDOW,
}));

for (let run = 0; run < RUNS; run++) {
  print('q3 regular join', timed(() => {
    const join = joinOf(columnsOf('person', P3), columnsOf('auction', A3), [0], [1], { kind: 'regular', ttl: null });
    let rows = 0;
    let output = 0;
    for (const { side, batch } of q3Input) {
      rows += batch.numRows;
      for (const out of join.process(side, batch)) output += out.numRows;
    }
    return { rows, output };
  }));
  print('q8 window join', timed(() => {
    const join = joinOf(P8, A8, [0, 2], [0, 1], { kind: 'window', leftEnd: 3, rightEnd: 2 });
    let rows = 0;
    let output = 0;
    for (const w of q8Input) {
      rows += w.persons.numRows + w.sellers.numRows;
      for (const out of join.process(0, w.persons)) output += out.numRows;
      for (const out of join.process(1, w.sellers)) output += out.numRows;
      join.advance(w.end);
    }
    return { rows, output };
  }));
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`);
