/**
 * The two-phase aggregate on Nexmark q5's shape: count(*) per auction over
 *
 *   TUMBLE(bid, date_time, 10 s)  and  HOP(bid, date_time, slide 2 s, size 10 s)
 *
 * Bids (auction, bidder, price bigint, date_time timestamp) in batches of 8,192 rows;
 * auctions drawn from about 10,000 hot ones (a range that drifts slowly); date_time
 * advances 1 ms every 10 rows. Each batch goes through the partial step, then the final
 * step, then the watermark advances to the largest date_time minus 4 s (as the task
 * executor does). Input batches are built before timing. Prints input rows per second
 * per core (rows / CPU time, user + sys, of this process) for the partial step alone and
 * for partial + final, and the rows written.
 *
 *   node dist/bench/aggregate.js [--seconds N] [--keys 10000]
 */
import type { RecordBatch } from 'apache-arrow';
import type { JobGraphOperator } from '../src/plan/job-graph.js';
import type { WindowSpec } from '../src/plan/logical-plan.js';
import { fixedData, makeBatch } from '../src/runtime/aggregate/arrow-access.js';
import { compilePartialAggregate, createFinalAggregate } from '../src/runtime/aggregate/index.js';
import { arrowType, type ColumnSchema } from '../src/runtime/arrow-types.js';
import { Types } from '../src/types/sql-type.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const SECONDS = Number(option('seconds', '3'));
const KEYS = Number(option('keys', '10000'));
const BATCH = 8192;
const BATCHES = 400;
const SECOND = 1_000_000;

const bid: ColumnSchema[] = [
  { name: 'auction', type: Types.int8, nullable: false },
  { name: 'bidder', type: Types.int8, nullable: false },
  { name: 'price', type: Types.int8, nullable: false },
  { name: 'date_time', type: Types.timestamp, nullable: false },
];

/** A seeded generator (mulberry32): the same input every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bids(): RecordBatch[] {
  const rand = random(5);
  const start = 1_700_000_000 * SECOND;
  const out: RecordBatch[] = [];
  let row = 0;
  for (let b = 0; b < BATCHES; b++) {
    const auction = new BigInt64Array(BATCH);
    const bidder = new BigInt64Array(BATCH);
    const price = new BigInt64Array(BATCH);
    const time = new BigInt64Array(BATCH);
    for (let i = 0; i < BATCH; i++, row++) {
      // Hot auctions: 10,000 ids, the range moving on by one id every 100 bids.
      auction[i] = BigInt(1000 + Math.floor(row / 100) + Math.floor(rand() * KEYS));
      bidder[i] = BigInt(Math.floor(rand() * 100_000));
      price[i] = BigInt(Math.floor(rand() * 10_000_000));
      time[i] = BigInt(start + Math.floor(row / 10) * 1000);
    }
    out.push(makeBatch(bid, [auction, bidder, price, time].map((v, c) => fixedData(arrowType(bid[c]!.type), v, BATCH)), BATCH));
  }
  return out;
}

function countPerAuction(window: WindowSpec): JobGraphOperator {
  return {
    id: 'agg', type: 'aggregate', name: 'q5',
    params: {
      keys: [0], window, closeAt: null,
      aggregates: [{ fn: 'count', arg: null, distinct: false, filter: null, type: 'int8' }],
      columns: [
        { name: 'auction', type: 'int8', nullable: false }, { name: 'window_start', type: 'timestamp', nullable: false },
        { name: 'window_end', type: 'timestamp', nullable: false }, { name: 'num', type: 'int8', nullable: false },
      ],
    },
  };
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Runs the batches round and round for about SECONDS of CPU. */
function measure(name: string, op: JobGraphOperator, input: RecordBatch[], withFinal: boolean): void {
  const partial = compilePartialAggregate(op, bid);
  let rows = 0;
  let partialRows = 0;
  let written = 0;
  const began = cpuSeconds();
  while (cpuSeconds() - began < SECONDS) {
    // A fresh final step per round: each round replays the same event times.
    const final = createFinalAggregate(op, bid);
    for (const batch of input) {
      const p = partial(batch);
      partialRows += p.numRows;
      rows += batch.numRows;
      if (!withFinal) continue;
      final.process(0, p);
      const times = batch.getChildAt(3)!.data[0]!.values as BigInt64Array;
      for (const out of final.advance(Number(times[times.length - 1]!) - 4 * SECOND)) written += out.numRows;
    }
    if (withFinal) for (const out of final.advance(Infinity)) written += out.numRows;
  }
  const cpu = cpuSeconds() - began;
  const perCore = (rows / cpu / 1e6).toFixed(2);
  console.log(`${name.padEnd(34)} ${perCore.padStart(6)} M rows/s per core   partial rows ${(partialRows / rows * 100).toFixed(1)}% of input` +
    (withFinal ? `   rows written ${written}` : ''));
}

const input = bids();
const tumble: WindowSpec = { kind: 'tumble', time: 3, size: 10 * SECOND };
const hop: WindowSpec = { kind: 'hop', time: 3, slide: 2 * SECOND, size: 10 * SECOND };
console.log(`${BATCHES} batches of ${BATCH} bids, ${KEYS} hot auctions, ${SECONDS} s of CPU per figure`);
measure('tumble 10 s: partial', countPerAuction(tumble), input, false);
measure('tumble 10 s: partial + final', countPerAuction(tumble), input, true);
measure('hop 2 s / 10 s: partial', countPerAuction(hop), input, false);
measure('hop 2 s / 10 s: partial + final', countPerAuction(hop), input, true);
