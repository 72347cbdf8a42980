import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePartialAggregate, createFinalAggregate, partialAggregateColumns } from '../../../src/runtime/aggregate/index.js';
import type { ColumnSchema } from '../../../src/runtime/arrow-types.js';
import { operatorColumns } from '../../../src/runtime/operator-chain.js';
import { batchFromRows, rowsFromBatch } from '../../../src/runtime/rows.js';
import { Types } from '../../../src/types/sql-type.js';
import { throwsSql } from '../../support/assertions.js';
import {
  aggregateOp, batchesOf, BIG, F, inputColumns, K, lines, N, NAME, OK, random, randomRows, referenceAggregate, rowText, TS, V,
  type AggregateShape,
} from './harness.js';

const shape: AggregateShape = {
  input: inputColumns, keys: [NAME, K], window: null,
  calls: [
    { fn: 'count', arg: null, type: Types.int8 },
    { fn: 'count', arg: V, distinct: true, filter: OK, type: Types.int8 },
    { fn: 'sum', arg: V, type: Types.int8 },
    { fn: 'sum', arg: BIG, type: Types.numeric },
    { fn: 'sum', arg: BIG, distinct: true, type: Types.numeric },
    { fn: 'avg', arg: N, type: Types.numeric },
    { fn: 'avg', arg: F, filter: OK, type: Types.float8 },
    { fn: 'min', arg: TS, type: Types.timestamp },
    { fn: 'max', arg: NAME, type: Types.text },
  ],
};

test('unwindowed: each flush writes the current values of exactly the groups changed since the last one', () => {
  const op = aggregateOp(shape);
  const out = operatorColumns(op);
  const partial = compilePartialAggregate(op, inputColumns);
  const final = createFinalAggregate(op, inputColumns);
  const rows = randomRows(random(21), 2000, { keys: 5, step: 1000, disorder: 0 });
  const result = new Map<string, unknown[]>();
  const keyText = (r: unknown[]) => rowText(r.slice(0, 2));
  let seen: unknown[][] = [];
  batchesOf(inputColumns, rows, 61).forEach((batch, i) => {
    final.process(0, partial(batch));
    assert.deepEqual(final.advance(Infinity), []);
    const batchRows = rowsFromBatch(inputColumns, batch);
    seen = seen.concat(batchRows);
    const flushed = final.flush().flatMap((b) => rowsFromBatch(out, b));
    assert.deepEqual(flushed.map(keyText).sort(), [...new Set(batchRows.map((r) => keyText([r[NAME], r[K]])))].sort());
    for (const r of flushed) result.set(keyText(r), r);
    if (i % 10 === 0) assert.deepEqual(lines([...result.values()]), lines(referenceAggregate(shape, seen)));
  });
  assert.deepEqual(final.flush(), []);
  assert.deepEqual(lines([...result.values()]), lines(referenceAggregate(shape, rows)));
});

test('partial rows start with the key columns; several partial batches give what one partial of everything gives', () => {
  const op = aggregateOp(shape);
  const partialColumns = partialAggregateColumns(op, inputColumns);
  assert.deepEqual(partialColumns.slice(0, 2).map((c) => [c.name, c.type]), [['name', Types.text], ['k', Types.int8]]);
  const rows = randomRows(random(22), 1500, { keys: 4, step: 1000, disorder: 0 });
  const run = (batchSize: number) => {
    const partial = compilePartialAggregate(op, inputColumns);
    const final = createFinalAggregate(op, inputColumns);
    for (const b of batchesOf(inputColumns, rows, batchSize)) {
      const p = partial(b);
      assert.ok(p.numRows <= b.numRows);
      final.process(0, p);
    }
    return lines(final.flush().flatMap((b) => rowsFromBatch(operatorColumns(op), b)));
  };
  assert.deepEqual(run(7), run(rows.length));
  assert.deepEqual(run(7), lines(referenceAggregate(shape, rows)));
});

test('min and max of floats order NaN above every number; sums of no values are NULL, counts 0', () => {
  const input: ColumnSchema[] = [{ name: 'g', type: Types.int4, nullable: true }, { name: 'x', type: Types.float8, nullable: true }];
  const s: AggregateShape = {
    input, keys: [0], window: null,
    calls: [
      { fn: 'min', arg: 1, type: Types.float8 }, { fn: 'max', arg: 1, type: Types.float8 },
      { fn: 'sum', arg: 1, type: Types.float8 }, { fn: 'count', arg: 1, type: Types.int8 },
    ],
  };
  const op = aggregateOp(s);
  const final = createFinalAggregate(op, input);
  final.process(0, compilePartialAggregate(op, input)(batchFromRows(input, [[1, 2.5], [1, NaN], [1, -1], [2, null], [null, 3]])));
  const rows = final.flush().flatMap((b) => rowsFromBatch(operatorColumns(op), b));
  assert.deepEqual(lines(rows), lines([[1, -1, NaN, NaN, 3n], [2, null, null, null, 0n], [null, 3, 3, 3, 1n]]));
});

test('a bigint sum past the range of bigint is 22003, as in Postgres', () => {
  const input: ColumnSchema[] = [{ name: 'x', type: Types.int8, nullable: false }];
  const op = aggregateOp({ input, keys: [], window: null, calls: [{ fn: 'sum', arg: 0, type: Types.int8 }] });
  const final = createFinalAggregate(op, input);
  final.process(0, compilePartialAggregate(op, input)(batchFromRows(input, [[9_000_000_000_000_000_000n], [9_000_000_000_000_000_000n]])));
  throwsSql(() => final.flush(), '22003', 'bigint out of range');
});

test('closeAt: each group is written once, when the watermark has passed its closing time, then dropped', () => {
  const input: ColumnSchema[] = [
    { name: 'auction', type: Types.int8, nullable: false }, { name: 'window_end', type: Types.timestamp, nullable: false },
    { name: 'num', type: Types.int8, nullable: false },
  ];
  const s: AggregateShape = { input, keys: [1], window: null, closeAt: 1, calls: [{ fn: 'max', arg: 2, type: Types.int8 }, { fn: 'count', arg: null, type: Types.int8 }] };
  const op = aggregateOp(s);
  const out = operatorColumns(op);
  const partial = compilePartialAggregate(op, input);
  const final = createFinalAggregate(op, input);
  const rand = random(23);
  const rows: unknown[][] = [];
  const written: unknown[][] = [];
  for (let end = 10; end <= 200; end += 10) {
    const batch = Array.from({ length: 20 }, () => [BigInt(Math.floor(rand() * 50)), end * 1000 - (rand() < 0.3 ? 10_000 : 0), BigInt(Math.floor(rand() * 100))]);
    rows.push(...batch);
    final.process(0, partial(batchFromRows(input, batch)));
    assert.deepEqual(final.flush(), []);
    const watermark = (end - 10) * 1000;
    for (const r of final.advance(watermark).flatMap((b) => rowsFromBatch(out, b))) {
      assert.ok((r[0] as number) < watermark);
      written.push(r);
    }
  }
  written.push(...final.advance(Infinity).flatMap((b) => rowsFromBatch(out, b)));
  assert.deepEqual(lines(written), lines(referenceAggregate(s, rows)));
  assert.equal(new Set(written.map((r) => r[0])).size, written.length);
  assert.deepEqual((final as unknown as { stateSize(): unknown }).stateSize(), { slices: 0, groups: 0, keys: 0 });
});

test('an empty batch changes nothing; an aggregate without an implementation for its type is 42883', () => {
  const op = aggregateOp(shape);
  const final = createFinalAggregate(op, inputColumns);
  final.process(0, compilePartialAggregate(op, inputColumns)(batchFromRows(inputColumns, [])));
  assert.deepEqual(final.flush(), []);
  const sumText = aggregateOp({ input: inputColumns, keys: [K], window: null, calls: [{ fn: 'sum', arg: NAME, type: Types.text }] });
  throwsSql(() => createFinalAggregate(sumText, inputColumns), '42883', 'function sum(text) does not exist');
});
