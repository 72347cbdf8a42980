import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobGraphOperator } from '../../../src/plan/job-graph.js';
import { createFinalAggregate } from '../../../src/runtime/aggregate/index.js';
import type { ColumnSchema } from '../../../src/runtime/arrow-types.js';
import { operatorColumns } from '../../../src/runtime/operator-chain.js';
import { batchFromRows, rowsFromBatch } from '../../../src/runtime/rows.js';
import type { StatefulOperator } from '../../../src/runtime/stateful/stateful-operator.js';
import { SqlState } from '../../../src/errors.js';
import { Decimal } from '../../../src/types/decimal.js';
import { Interval } from '../../../src/types/interval.js';
import { Types } from '../../../src/types/sql-type.js';
import { throwsSql } from '../../support/assertions.js';
import { aggregateOp, random, referenceValue, rowText, show, type AggregateShape, type Call } from './harness.js';

/** An updating result's rows: replaced by (grp, name, slot) in the shapes below; values of every summed type. */
const input: ColumnSchema[] = [
  { name: 'grp', type: Types.int4, nullable: true },
  { name: 'name', type: Types.text, nullable: true },
  { name: 'slot', type: Types.int8, nullable: false },
  { name: 'v', type: Types.int4, nullable: true },
  { name: 'f', type: Types.float8, nullable: true },
  { name: 'n', type: Types.numeric, nullable: true },
  { name: 'ok', type: Types.bool, nullable: true },
  { name: 'big', type: Types.int8, nullable: true },
];
const GRP = 0, NAME = 1, SLOT = 2, V = 3, F = 4, N = 5, OK = 6, BIG = 7;

const calls: Call[] = [
  { fn: 'count', arg: null, type: Types.int8 },
  { fn: 'count', arg: V, type: Types.int8 },
  { fn: 'count', arg: null, filter: OK, type: Types.int8 },
  { fn: 'sum', arg: V, type: Types.int8 },
  { fn: 'avg', arg: V, filter: OK, type: Types.numeric },
  { fn: 'sum', arg: BIG, type: Types.numeric },
  { fn: 'avg', arg: BIG, type: Types.numeric },
  { fn: 'sum', arg: F, type: Types.float8 },
  { fn: 'avg', arg: F, filter: OK, type: Types.float8 },
  { fn: 'sum', arg: N, type: Types.numeric },
  { fn: 'avg', arg: N, filter: OK, type: Types.numeric },
];

/** The aggregate's job-graph operator, its input an updating result keyed by `replacing`. */
function replacingOp(shape: AggregateShape, replacing: number[]): JobGraphOperator {
  const op = aggregateOp(shape);
  return { ...op, params: { ...op.params, replacing } };
}

/**
 * Upserts over few replacing keys (so most rows replace one): NULLs in every value
 * column, now and then a NaN or infinite float or numeric, bigints near 2^63, numerics
 * of scales 0 to 3, floats in tenths (whose sums leave rounding residue when taken back).
 */
function randomUpserts(rand: () => number, count: number): unknown[][] {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const maybe = <T>(v: () => T, p = 0.15): T | null => (rand() < p ? null : v());
  const rows: unknown[][] = [];
  for (let i = 0; i < count; i++) {
    rows.push([
      maybe(() => Math.floor(rand() * 3), 0.1),
      pick(['a', 'bé', '']),
      BigInt(Math.floor(rand() * 4)),
      maybe(() => Math.floor(rand() * 2001) - 1000),
      maybe(() => (rand() < 0.03 ? pick([NaN, Infinity, -Infinity]) : (Math.floor(rand() * 20001) - 10000) / 10)),
      maybe(() => (rand() < 0.02 ? pick([Decimal.NaN, Decimal.Infinity, Decimal.NegativeInfinity])
        : Decimal.of(BigInt(Math.floor(rand() * 200001) - 100000), Math.floor(rand() * 4)))),
      maybe(() => rand() < 0.6, 0.1),
      maybe(() => (rand() < 0.2 ? 9_000_000_000_000_000_000n - BigInt(Math.floor(rand() * 1000)) : BigInt(Math.floor(rand() * 2e15) - 1e15))),
    ]);
  }
  return rows;
}

/** Values equal as results: floats within rounding residue (NaN equal to NaN), the rest by their text (a numeric's scale too). */
function sameValue(actual: unknown, expected: unknown): boolean {
  if (typeof actual === 'number' && typeof expected === 'number') {
    if (Number.isNaN(actual) || Number.isNaN(expected) || !Number.isFinite(expected)) return Object.is(actual, expected) || actual === expected;
    return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
  }
  return show(actual) === show(expected);
}

function assertRowsEqual(actual: unknown[][], expected: unknown[][], keyCount: number, what: string): void {
  const byKey = (rows: unknown[][]) => new Map(rows.map((r) => [rowText(r.slice(0, keyCount)), r]));
  const a = byKey(actual);
  const e = byKey(expected);
  assert.equal(a.size, actual.length, `${what}: one row per group`);
  assert.deepEqual([...a.keys()].sort(), [...e.keys()].sort(), `${what}: the changed groups`);
  for (const [key, row] of e) {
    const got = a.get(key)!;
    row.forEach((v, c) => assert.ok(sameValue(got[c], v), `${what}: group ${key} column ${c}: ${show(got[c])}, expected ${show(v)}`));
  }
}

/**
 * The reference: the latest row of each replacing key in a Map; a changed group's
 * values computed afresh from the latest rows in it.
 */
class Reference {
  private readonly latest = new Map<string, unknown[]>();
  private changed = new Set<string>();

  constructor(private readonly shape: AggregateShape, private readonly replacing: number[]) {}

  private keyOf(row: unknown[], columns: number[]): string {
    return rowText(columns.map((c) => row[c]));
  }

  add(rows: unknown[][]): void {
    for (const r of rows) {
      this.latest.set(this.keyOf(r, this.replacing), r);
      this.changed.add(this.keyOf(r, this.shape.keys));
    }
  }

  flush(): unknown[][] {
    const out: unknown[][] = [];
    for (const group of this.changed) {
      const rows = [...this.latest.values()].filter((r) => this.keyOf(r, this.shape.keys) === group);
      out.push([...this.shape.keys.map((k) => rows[0]![k]), ...this.shape.calls.map((c) => referenceValue(c, rows, input))]);
    }
    this.changed = new Set();
    return out;
  }
}

const shapes: { name: string; keys: number[]; replacing: number[] }[] = [
  { name: 'grouped by one of the replacing columns', keys: [GRP], replacing: [SLOT, GRP, NAME] },
  { name: 'grouped by two, in another order', keys: [NAME, GRP], replacing: [GRP, NAME, SLOT] },
  { name: 'one group of everything', keys: [], replacing: [NAME, SLOT] },
];

for (const s of shapes) {
  test(`replacing aggregate ${s.name}: every flush writes the changed groups' values over the latest rows`, () => {
    const shape: AggregateShape = { input, keys: s.keys, window: null, calls };
    const op = replacingOp(shape, s.replacing);
    const out = operatorColumns(op);
    const rand = random(7 + s.keys.length);
    const rows = randomUpserts(rand, 3000);
    const final = createFinalAggregate(op, input);
    const reference = new Reference(shape, s.replacing);
    let flushes = 0;
    for (let at = 0; at < rows.length;) {
      // Batches of 1 to 60 rows: a key often has several rows in one batch.
      const batchRows = rows.slice(at, at += 1 + Math.floor(rand() * 60));
      assert.deepEqual(final.process(0, batchFromRows(input, batchRows)), []);
      assert.deepEqual(final.advance(Infinity), []);
      reference.add(batchRows);
      // Now and then two batches between flushes: the groups changed by either are written.
      if (rand() < 0.3) continue;
      const flushed = final.flush().flatMap((b) => rowsFromBatch(out, b));
      assertRowsEqual(flushed, reference.flush(), s.keys.length, `flush ${flushes++}`);
    }
    assertRowsEqual(final.flush().flatMap((b) => rowsFromBatch(out, b)), reference.flush(), s.keys.length, 'last flush');
    assert.deepEqual(final.flush(), []);
  });
}

/** Runs batches of rows through `final`, flushing after each; the rows of every flush. */
function flushes(final: StatefulOperator, out: ColumnSchema[], columns: ColumnSchema[], batches: unknown[][][]): unknown[][][] {
  return batches.map((rows) => {
    final.process(0, batchFromRows(columns, rows));
    return final.flush().flatMap((b) => rowsFromBatch(out, b));
  });
}

test('a group whose rows were all replaced by rows not counted has count 0 and NULL sums, count(*) still counting its rows', () => {
  const shape: AggregateShape = {
    input, keys: [GRP], window: null,
    calls: [
      { fn: 'count', arg: null, type: Types.int8 },
      { fn: 'count', arg: V, filter: OK, type: Types.int8 },
      { fn: 'sum', arg: V, filter: OK, type: Types.int8 },
      { fn: 'avg', arg: F, filter: OK, type: Types.float8 },
      { fn: 'sum', arg: N, filter: OK, type: Types.numeric },
    ],
  };
  const op = replacingOp(shape, [GRP, SLOT]);
  const row = (slot: number, v: number | null, ok: boolean | null) => [1, 'x', BigInt(slot), v, v === null ? null : v / 4, v === null ? null : Decimal.parse(`${v}.5`), ok, null];
  const out = flushes(createFinalAggregate(op, input), operatorColumns(op), input, [
    [row(0, 10, true), row(1, 20, true)],
    [row(0, 30, false), row(1, null, true)],
    [row(2, 40, null)],
  ]).map((rows) => rows.map(rowText));
  assert.deepEqual(out, [
    [rowText([1, 2n, 2n, 30n, 15 / 4, Decimal.parse('31.0')])],
    [rowText([1, 2n, 0n, null, null, null])],
    [rowText([1, 3n, 0n, null, null, null])],
  ]);
});

test('several rows of one replacing key in a batch apply in order: the last one stands', () => {
  const shape: AggregateShape = {
    input, keys: [GRP], window: null,
    calls: [{ fn: 'count', arg: null, type: Types.int8 }, { fn: 'count', arg: V, type: Types.int8 }, { fn: 'sum', arg: V, type: Types.int8 }],
  };
  const op = replacingOp(shape, [GRP, SLOT]);
  const row = (grp: number, slot: number, v: number | null) => [grp, 'x', BigInt(slot), v, null, null, null, null];
  const out = flushes(createFinalAggregate(op, input), operatorColumns(op), input, [
    [row(1, 1, 5), row(1, 2, 100), row(1, 1, 7), row(2, 1, 1), row(1, 1, null), row(1, 1, 3)],
    [row(1, 2, null), row(1, 2, 8), row(1, 1, 4)],
  ]).map((rows) => rows.map(rowText).sort());
  assert.deepEqual(out, [
    [rowText([1, 2n, 2n, 103n]), rowText([2, 1n, 1n, 1n])],
    [rowText([1, 2n, 2n, 12n])],
  ]);
});

test('float sums: an infinity or NaN taken back leaves a finite sum; a group emptied of values starts again without residue', () => {
  const shape: AggregateShape = { input, keys: [GRP], window: null, calls: [{ fn: 'sum', arg: F, filter: OK, type: Types.float8 }] };
  const op = replacingOp(shape, [GRP, SLOT]);
  const row = (slot: number, f: number, ok: boolean) => [1, 'x', BigInt(slot), null, f, null, ok, null];
  const sums = flushes(createFinalAggregate(op, input), operatorColumns(op), input, [
    [row(0, Infinity, true), row(1, -Infinity, true), row(2, 1.5, true)],
    [row(0, 2, true)],
    [row(1, NaN, true)],
    [row(1, 0.5, true)],
    [row(0, 0, false), row(1, 0, false), row(2, 0, false)],
    [row(0, 0.1, true), row(1, 0.2, true)],
    [row(0, 0, false), row(1, 0, false)],
    [row(2, 0.3, true)],
  ]).map((rows) => rows[0]![1]);
  // 0.1 + 0.2 - 0.1 - 0.2 + 0.3 in doubles is 0.30000000000000004, not 0.3.
  assert.deepEqual(sums, [NaN, -Infinity, NaN, 4, null, 0.1 + 0.2, null, 0.3]);
});

test('numeric sums show the largest scale of the values they hold now', () => {
  const shape: AggregateShape = {
    input, keys: [GRP], window: null,
    calls: [{ fn: 'sum', arg: N, type: Types.numeric }, { fn: 'avg', arg: N, type: Types.numeric }],
  };
  const op = replacingOp(shape, [GRP, SLOT]);
  const row = (slot: number, n: string) => [1, 'x', BigInt(slot), null, null, Decimal.parse(n), null, null];
  const out = flushes(createFinalAggregate(op, input), operatorColumns(op), input, [
    [row(0, '1.5'), row(1, '2.125')],
    [row(1, '2')],
    [row(0, '7')],
    [row(1, 'Infinity')],
    [row(1, '-0.00')],
  ]).map((rows) => rows[0]!.slice(1).map(String));
  assert.deepEqual(out, [
    ['3.625', '1.8125000000000000'],
    ['3.5', '1.7500000000000000'],
    ['9', '4.5000000000000000'],
    ['Infinity', 'Infinity'],
    ['7.00', '3.5000000000000000'],
  ]);
});

test('sum and avg of intervals take a replaced interval back', () => {
  const columns: ColumnSchema[] = [
    { name: 'k', type: Types.int4, nullable: false }, { name: 'iv', type: Types.interval, nullable: true },
  ];
  const shape: AggregateShape = {
    input: columns, keys: [], window: null,
    calls: [{ fn: 'sum', arg: 1, type: Types.interval }, { fn: 'avg', arg: 1, type: Types.interval }],
  };
  const op = replacingOp(shape, [0]);
  const iv = (text: string) => Interval.parse(text);
  const out = flushes(createFinalAggregate(op, columns), operatorColumns(op), columns, [
    [[1, iv('1 day')], [2, iv('2 hours')]],
    [[1, iv('1 month')]],
    [[2, null], [1, null]],
  ]).map((rows) => rows[0]!.map((v) => (v === null ? null : String(v))));
  assert.deepEqual(out, [
    [String(iv('1 day 2 hours')), String(iv('13 hours'))],
    [String(iv('1 month 2 hours')), String(iv('15 days 1 hour'))],
    [null, null],
  ]);
});

test('an aggregate over an updating result groups by replacing columns only, and computes count, sum and avg only', () => {
  const shape: AggregateShape = { input, keys: [GRP, NAME], window: null, calls: [{ fn: 'count', arg: null, type: Types.int8 }] };
  throwsSql(() => createFinalAggregate(replacingOp(shape, [GRP, SLOT]), input), SqlState.invalidParameterValue, /among its replacing columns/);
  const min: AggregateShape = { input, keys: [GRP], window: null, calls: [{ fn: 'min', arg: V, type: Types.int4 }] };
  throwsSql(() => createFinalAggregate(replacingOp(min, [GRP, SLOT]), input), SqlState.invalidParameterValue, /only count, sum and avg/);
  const distinct: AggregateShape = { input, keys: [GRP], window: null, calls: [{ fn: 'sum', arg: V, distinct: true, type: Types.int8 }] };
  throwsSql(() => createFinalAggregate(replacingOp(distinct, [GRP, SLOT]), input), SqlState.invalidParameterValue, /without DISTINCT/);
});
