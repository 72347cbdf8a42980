import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WindowSpec } from '../../../src/plan/logical-plan.js';
import { compilePartialAggregate, createFinalAggregate } from '../../../src/runtime/aggregate/index.js';
import { operatorColumns } from '../../../src/runtime/operator-chain.js';
import { batchFromRows, rowsFromBatch } from '../../../src/runtime/rows.js';
import { Types } from '../../../src/types/sql-type.js';
import {
  aggregateOp, allRows, batchesOf, BIG, F, inputColumns, K, lines, N, NAME, OK, random, randomRows, referenceAggregate, runWindowed, rowText, TS, V,
  type AggregateShape, type Call,
} from './harness.js';

const SECOND = 1_000_000;

/** Every aggregate function over the random input's columns, with DISTINCT and FILTER. */
const everyCall: Call[] = [
  { fn: 'count', arg: null, type: Types.int8 },
  { fn: 'count', arg: V, type: Types.int8 },
  { fn: 'count', arg: NAME, distinct: true, type: Types.int8 },
  { fn: 'count', arg: null, filter: OK, type: Types.int8 },
  { fn: 'sum', arg: V, type: Types.int8 },
  { fn: 'sum', arg: BIG, type: Types.numeric },
  { fn: 'sum', arg: F, type: Types.float8 },
  { fn: 'sum', arg: N, type: Types.numeric },
  { fn: 'sum', arg: V, distinct: true, filter: OK, type: Types.int8 },
  { fn: 'avg', arg: V, type: Types.numeric },
  { fn: 'avg', arg: V, type: Types.float8 },
  { fn: 'avg', arg: F, type: Types.float8 },
  { fn: 'avg', arg: N, distinct: true, type: Types.numeric },
  { fn: 'min', arg: V, type: Types.int4 },
  { fn: 'max', arg: BIG, type: Types.int8 },
  { fn: 'min', arg: NAME, type: Types.text },
  { fn: 'max', arg: NAME, filter: OK, type: Types.text },
  { fn: 'max', arg: F, type: Types.float8 },
  { fn: 'min', arg: N, type: Types.numeric },
  { fn: 'max', arg: TS, type: Types.timestamp },
];

function check(shape: AggregateShape, seed: number, opts: { rows?: number; batch?: number; step?: number; disorder?: number; keys?: number } = {}) {
  const rand = random(seed);
  const disorder = opts.disorder ?? 0.5 * SECOND;
  const rows = randomRows(rand, opts.rows ?? 3000, { keys: opts.keys ?? 7, step: opts.step ?? 20_000, disorder });
  const { emitted, final } = runWindowed(shape, batchesOf(inputColumns, rows, opts.batch ?? 97), disorder);
  const got = allRows(emitted);
  assert.deepEqual(lines(got), lines(referenceAggregate(shape, rows)));
  // Each (key, window) once.
  const ids = got.map((r) => rowText(r.slice(0, shape.keys.length + 2)));
  assert.equal(new Set(ids).size, ids.length);
  return { emitted, final };
}

test('tumble: every aggregate function per key and window matches plain loops, each window once', () => {
  check({ input: inputColumns, keys: [K], window: { kind: 'tumble', time: TS, size: 2 * SECOND }, calls: everyCall }, 1);
});

test('hop with size a multiple of slide: every aggregate matches, windows aligned to the slide', () => {
  const shape: AggregateShape = { input: inputColumns, keys: [K], window: { kind: 'hop', time: TS, slide: SECOND, size: 3 * SECOND }, calls: everyCall };
  const { emitted } = check(shape, 2);
  for (const r of allRows(emitted)) {
    assert.equal((r[1] as number) % SECOND, 0);
    assert.equal((r[2] as number) - (r[1] as number), 3 * SECOND);
  }
});

test('hop with size not a multiple of slide (slices of gcd width)', () => {
  check({ input: inputColumns, keys: [K, NAME], window: { kind: 'hop', time: TS, slide: 400_000, size: 1_000_000 }, calls: everyCall.slice(0, 8) }, 3);
  check({ input: inputColumns, keys: [NAME], window: { kind: 'hop', time: TS, slide: 700_000, size: 300_000 }, calls: everyCall.slice(8) }, 4);
});

test('session: sessions per key close at last event + gap, also when late rows bridge two sessions', () => {
  const window: WindowSpec = { kind: 'session', time: TS, gap: 300_000 };
  // Large disorder: rows often arrive after the session on either side of them.
  check({ input: inputColumns, keys: [K], window, calls: everyCall }, 5, { rows: 1200, step: 60_000, disorder: 900_000, batch: 4 });
  check({ input: inputColumns, keys: [NAME, K], window, calls: everyCall.slice(0, 6) }, 6, { step: 30_000, disorder: 200_000, batch: 13 });
});

test('session: a late row between two sessions of a key merges them into one', () => {
  const input = [inputColumns[K]!, inputColumns[TS]!, inputColumns[V]!];
  const shape: AggregateShape = {
    input, keys: [0], window: { kind: 'session', time: 1, gap: 10 * SECOND },
    calls: [{ fn: 'count', arg: null, type: Types.int8 }, { fn: 'sum', arg: 2, type: Types.int8 }],
  };
  const op = aggregateOp(shape);
  const partial = compilePartialAggregate(op, input);
  const final = createFinalAggregate(op, input);
  const t0 = 1_700_000_000 * SECOND;
  final.process(0, partial(batchFromRows(input, [[1n, t0, 1], [1n, t0 + 15 * SECOND, 2], [2n, t0 + 15 * SECOND, 5]])));
  assert.deepEqual(final.advance(t0 + 5 * SECOND), []);
  final.process(0, partial(batchFromRows(input, [[1n, t0 + 8 * SECOND, 4]])));
  const out = operatorColumns(op);
  const rows = final.advance(Infinity).flatMap((b) => rowsFromBatch(out, b));
  assert.deepEqual(lines(rows), lines([[1n, t0, t0 + 25 * SECOND, 3n, 7n], [2n, t0 + 15 * SECOND, t0 + 25 * SECOND, 1n, 5n]]));
});

test('text keys, NULL keys and no keys at all form groups as GROUP BY does', () => {
  const window: WindowSpec = { kind: 'tumble', time: TS, size: SECOND };
  const { emitted } = check({ input: inputColumns, keys: [NAME], window, calls: everyCall.slice(0, 3) }, 7);
  const names = new Set(allRows(emitted).map((r) => r[0]));
  assert.ok(names.has(null) && names.has('ünï') && names.has(''));
  check({ input: inputColumns, keys: [], window, calls: everyCall }, 8);
});

test('a window is written once the watermark reaches its end, not before', () => {
  const shape: AggregateShape = { input: inputColumns, keys: [K], window: { kind: 'hop', time: TS, slide: SECOND, size: 2 * SECOND }, calls: [everyCall[0]!] };
  const { emitted } = check(shape, 9, { rows: 2000 });
  // Windows come out while the input runs (not all at the end), each when its end has passed.
  const before = emitted.filter((e) => e.watermark !== Infinity).flatMap((e) => e.rows);
  assert.ok(before.length > 0.8 * allRows(emitted).length);
  for (const e of emitted) for (const r of e.rows) assert.ok((r[2] as number) <= e.watermark);
});

test('state is dropped as windows are written', () => {
  const shape: AggregateShape = { input: inputColumns, keys: [K], window: { kind: 'hop', time: TS, slide: 500_000, size: 1_500_000 }, calls: everyCall };
  const { final } = check(shape, 10, { rows: 5000, keys: 50 });
  assert.deepEqual((final as unknown as { stateSize(): unknown }).stateSize(), { slices: 0, groups: 0, keys: 0 });
  const sessions = check({ input: inputColumns, keys: [K], window: { kind: 'session', time: TS, gap: 100_000 }, calls: everyCall }, 11);
  assert.equal((sessions.final as unknown as { stateSize(): number }).stateSize(), 0);
});
