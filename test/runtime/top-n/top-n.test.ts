import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordBatch } from 'apache-arrow';
import type { SortKey } from '../../../src/plan/logical-plan.js';
import type { ColumnSchema } from '../../../src/runtime/arrow-types.js';
import { batchFromRows, rowsFromBatch } from '../../../src/runtime/rows.js';
import { createTopN, Dedup, TopN } from '../../../src/runtime/top-n/index.js';
import { Types } from '../../../src/types/sql-type.js';

type Row = unknown[];

/** (k text, g int4, t timestamp, price float8, id int8), plus window_end for windowed runs. */
const INPUT: ColumnSchema[] = [
  { name: 'k', type: Types.text, nullable: true }, { name: 'g', type: Types.int4, nullable: true },
  { name: 't', type: Types.timestamp, nullable: true }, { name: 'price', type: Types.float8, nullable: true },
  { name: 'id', type: Types.int8, nullable: false }, { name: 'window_end', type: Types.timestamp, nullable: false },
];
const RANKED = [...INPUT, { name: 'rn', type: Types.int8, nullable: false }];

function topN(keys: number[], order: SortKey[], limit: number, windowEnd: number | null, rankColumn = true) {
  const columns = (rankColumn ? RANKED : INPUT).map((c) => ({ name: c.name, type: c.type.kind, nullable: c.nullable }));
  return createTopN({ id: 't', type: 'top-n', name: 'TopN', params: { keys, order, limit, rankColumn, windowEnd, columns } }, INPUT);
}

const rowsOf = (batches: RecordBatch[], columns = RANKED) => batches.flatMap((b) => rowsFromBatch(columns, b));
const text = (rows: Row[]) => rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}n` : Number.isNaN(v) ? 'NaN' : v))).sort();

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Postgres's order of two values of an order column (NaN above numbers, NULLs as the key says). */
function compareValue(a: unknown, b: unknown, key: SortKey): number {
  if (a === null || b === null) return a === b ? 0 : (a === null) === key.nullsFirst ? -1 : 1;
  const rank = (x: unknown) => (typeof x === 'number' && Number.isNaN(x) ? 1 : 0);
  let c = rank(a) - rank(b);
  if (c === 0 && rank(a) === 0) c = (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  return key.descending ? -c : c;
}

/** ROW_NUMBER() OVER (PARTITION BY keys ORDER BY order) <= limit over the rows so far, by sorting each partition (stable). */
function reference(rows: Row[], keys: number[], order: SortKey[], limit: number): Map<string, Row[]> {
  const parts = new Map<string, Row[]>();
  for (const r of rows) {
    const k = JSON.stringify(keys.map((c) => r[c]));
    if (!parts.has(k)) parts.set(k, []);
    parts.get(k)!.push(r);
  }
  for (const [k, ps] of parts) {
    const sorted = [...ps].sort((a, b) => {
      for (const o of order) {
        const c = compareValue(a[o.column], b[o.column], o);
        if (c !== 0) return c;
      }
      return 0;
    });
    parts.set(k, sorted.slice(0, limit).map((r, i) => [...r, BigInt(i + 1)]));
  }
  return parts;
}

function randomRow(r: () => number, id: number, time: number, end: number): Row {
  return [
    r() < 0.1 ? null : ['a', 'b', 'é'][Math.floor(r() * 3)]!, r() < 0.1 ? null : Math.floor(r() * 3), r() < 0.05 ? null : time,
    r() < 0.1 ? null : r() < 0.05 ? NaN : Math.floor(r() * 20) / 2, BigInt(id), end,
  ];
}

const ORDERS: SortKey[][] = [
  [{ column: 3, descending: true, nullsFirst: false }],
  [{ column: 3, descending: false, nullsFirst: true }, { column: 2, descending: true, nullsFirst: true }],
  [{ column: 2, descending: false, nullsFirst: false }],
];

test('an updating top-n: after every flush, upserting its rows by (keys, row number) gives ROW_NUMBER over the rows so far', () => {
  for (let seed = 1; seed <= 12; seed++) {
    const r = random(seed);
    const keys = seed % 2 ? [0, 1] : [0];
    const order = ORDERS[seed % 3]!;
    const limit = 1 + (seed % 4);
    const op = topN(keys, order, limit, null);
    const sink = new Map<string, Row>();
    const all: Row[] = [];
    let id = 0;
    for (let b = 0; b < 30; b++) {
      const rows = Array.from({ length: 1 + Math.floor(r() * 20) }, () => randomRow(r, id++, 1000 + Math.floor(r() * 50), 0));
      all.push(...rows);
      const upsert = (emitted: Row[]) => {
        for (const row of emitted) sink.set(JSON.stringify([...keys.map((c) => row[c]), row[6]], (_k, v) => (typeof v === 'bigint' ? `${v}` : v)), row);
      };
      // Rows emitted at once (deduplication) are upserted too.
      upsert(rowsOf(op.process(0, batchFromRows(INPUT, rows))));
      if (r() < 0.5 && b < 29) continue;
      upsert(rowsOf(op.flush()));
      const expected = [...reference(all, keys, order, limit).values()].flat();
      assert.deepEqual(text([...sink.values()]), text(expected), `seed ${seed} batch ${b} (limit ${limit})`);
      assert.deepEqual(op.flush(), [], 'nothing changed since');
    }
  }
});

test('an updating top-n emits only the ranks whose row changed', () => {
  const op = topN([0], [{ column: 4, descending: true, nullsFirst: false }], 3, null);
  const row = (k: string, id: number): Row => [k, 0, 0, 0, BigInt(id), 0];
  op.process(0, batchFromRows(INPUT, [row('a', 10), row('a', 20), row('b', 5)]));
  assert.deepEqual(rowsOf(op.flush()).map((r) => [r[0], r[4], r[6]]), [['a', 20n, 1n], ['a', 10n, 2n], ['b', 5n, 1n]]);
  op.process(0, batchFromRows(INPUT, [row('a', 1)]));
  assert.deepEqual(rowsOf(op.flush()).map((r) => [r[0], r[4], r[6]]), [['a', 1n, 3n]]);
  op.process(0, batchFromRows(INPUT, [row('a', 0), row('b', 6)]));
  assert.deepEqual(rowsOf(op.flush()).map((r) => [r[0], r[4], r[6]]), [['b', 6n, 1n], ['b', 5n, 2n]], 'a row below the top 3 changes nothing');
  op.process(0, batchFromRows(INPUT, [row('a', 15)]));
  assert.deepEqual(rowsOf(op.flush()).map((r) => [r[0], r[4], r[6]]), [['a', 15n, 2n], ['a', 10n, 3n]]);
  assert.equal((op as TopN).stateSize(), 5);
});

test('a windowed top-n emits each window\'s partitions once, in order, when the watermark reaches the window end, and drops them', () => {
  for (let seed = 1; seed <= 12; seed++) {
    const r = random(seed);
    const keys = seed % 2 ? [0, 5] : [1];
    const order = ORDERS[seed % 3]!;
    const limit = 1 + (seed % 3);
    const op = topN(keys, order, limit, 5) as TopN;
    const all: Row[] = [];
    let watermark = 0;
    let id = 0;
    for (let b = 0; b < 40; b++) {
      // Windows of 10 µs; rows of windows the watermark has not reached, out of order.
      const rows = Array.from({ length: 1 + Math.floor(r() * 15) }, () => {
        const end = (Math.floor(watermark / 10) + 1 + Math.floor(r() * 3)) * 10;
        return randomRow(r, id++, end - 5, end);
      });
      all.push(...rows);
      assert.deepEqual(op.process(0, batchFromRows(INPUT, rows)), []);
      if (r() < 0.3) {
        const next = watermark + Math.floor(r() * 15);
        const emitted = rowsOf(op.advance(next));
        const due = all.filter((row) => (row[5] as number) > watermark && (row[5] as number) <= next);
        const expected = [...reference(due, [...keys, 5], order, limit).values()].flat();
        assert.deepEqual(text(emitted), text(expected), `seed ${seed} advance to ${next}`);
        // In order: window ends ascending, and each partition's rows by row number.
        for (let k = 1; k < emitted.length; k++) {
          assert.ok((emitted[k - 1]![5] as number) <= (emitted[k]![5] as number));
          if (emitted[k]![6] !== 1n) assert.equal(emitted[k]![6], (emitted[k - 1]![6] as bigint) + 1n);
        }
        watermark = next;
        const open = all.filter((row) => (row[5] as number) > watermark);
        const kept = [...reference(open, [...keys, 5], order, limit).values()].flat().length;
        assert.equal(op.stateSize(), kept, 'only open windows are kept, their best rows only');
      }
    }
    assert.deepEqual(op.flush(), []);
  }
});

test('a top-n keeps only its rows, not the batches they came in', () => {
  // Each batch opens two partitions whose first two rows stay for good.
  const first = topN([1], [{ column: 4, descending: false, nullsFirst: false }], 2, null) as TopN;
  let id = 0;
  for (let b = 0; b < 200; b++) {
    const rows = Array.from({ length: 1000 }, () => ['x', Math.floor(id / 500), 0, 0, BigInt(id++), 0]);
    first.process(0, batchFromRows(INPUT, rows));
  }
  assert.equal(first.stateSize(), 800);
  assert.ok(first.heldRows() < 2000, `held ${first.heldRows()} rows`);
  // Rows pushed out over time leave chunks mostly unused: they are copied together, and the result stays right.
  const r = random(7);
  const order: SortKey[] = [{ column: 3, descending: true, nullsFirst: false }];
  const spread = topN([1], order, 3, null) as TopN;
  const all: Row[] = [];
  let most = 0;
  for (let b = 0; b < 150; b++) {
    const rows = Array.from({ length: 1000 }, () => ['y', Math.floor(r() * 2000), 0, r(), BigInt(id++), 0]);
    all.push(...rows);
    spread.process(0, batchFromRows(INPUT, rows));
    most = Math.max(most, spread.heldRows());
  }
  assert.ok(most <= 2 * 6000 + 4096, `held up to ${most} rows`);
  assert.deepEqual(text(rowsOf(spread.flush())), text([...reference(all, [1], order, 3).values()].flat()));
});

test('deduplication keeps the first row per key, emitted at once; an earlier row arriving later replaces it', () => {
  const order: SortKey[] = [{ column: 2, descending: false, nullsFirst: false }];
  const op = topN([0, 1], order, 1, null);
  assert.ok(op instanceof Dedup);
  const row = (k: string | null, g: number, t: number | null, id: number): Row => [k, g, t, 0, BigInt(id), 0];
  assert.deepEqual(rowsOf(op.process(0, batchFromRows(INPUT, [row('a', 1, 100, 1), row('a', 1, 105, 2), row(null, 1, 100, 3), row(null, 1, 90, 4)]))).map((r) => [r[4], r[6]]),
    [[1n, 1n], [3n, 1n], [4n, 1n]]);
  assert.deepEqual(op.process(0, batchFromRows(INPUT, [row('a', 1, 100, 5), row('a', 1, null, 6)])), [], 'ties and NULLs (last) do not replace');
  assert.deepEqual(rowsOf(op.process(0, batchFromRows(INPUT, [row('a', 1, 99, 7), row('a', 2, 200, 8)]))).map((r) => r[4]), [7n, 8n]);
  assert.deepEqual(op.flush(), []);
  assert.equal((op as Dedup).stateSize(), 3);
  for (let seed = 1; seed <= 10; seed++) {
    const r = random(seed);
    const byPrice: SortKey[] = [{ column: 3, descending: true, nullsFirst: true }];
    const d = topN([0], seed % 2 ? order : byPrice, 1, null);
    const sink = new Map<string, Row>();
    const all: Row[] = [];
    for (let b = 0; b < 20; b++) {
      const rows = Array.from({ length: 1 + Math.floor(r() * 20) }, (_, i) => randomRow(r, b * 100 + i, 1000 + b * 10 + Math.floor(r() * 30), 0));
      all.push(...rows);
      for (const out of rowsOf(d.process(0, batchFromRows(INPUT, rows)))) sink.set(JSON.stringify(out[0]), out);
      const expected = [...reference(all, [0], seed % 2 ? order : byPrice, 1).values()].flat();
      assert.deepEqual(text([...sink.values()]), text(expected), `seed ${seed} batch ${b}`);
    }
  }
});

test('without a rank column a windowed top-n outputs just the input columns', () => {
  const op = topN([1], [{ column: 4, descending: false, nullsFirst: false }], 1, 5, false);
  op.process(0, batchFromRows(INPUT, [['x', 1, 0, 0, 3n, 10], ['y', 1, 0, 0, 2n, 10], ['z', 1, 0, 0, 1n, 20]]));
  assert.deepEqual(rowsOf(op.advance(10), INPUT), [['y', 1, 0, 0, 2n, 10]]);
  assert.deepEqual(rowsOf(op.advance(Infinity), INPUT), [['z', 1, 0, 0, 1n, 20]]);
});
