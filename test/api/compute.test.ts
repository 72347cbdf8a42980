/** compute: pyarrow.compute-named functions over Arrow vectors, on SQL's kernels and NULL rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bool, Float64, Int32, Int64, makeData, makeVector, Table, TimestampMicrosecond, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { compute as pc, SabotError } from 'sabot';

const ints = (values: (number | null)[]) => vectorFromArray(values, new Int32());
const floats = (values: (number | null)[]) => vectorFromArray(values, new Float64());
const bools = (values: (boolean | null)[]) => vectorFromArray(values, new Bool());
const values = (v: Vector) => [...v].map((x) => (typeof x === 'bigint' ? Number(x) : x));

test('comparisons: vector with vector and with scalars, NULL where an argument is NULL', () => {
  const a = ints([1, 5, null, 10]);
  const b = ints([2, 5, 3, null]);
  assert.deepEqual(values(pc.greater(a, b)), [false, false, null, null]);
  assert.deepEqual(values(pc.greater_equal(a, b)), [false, true, null, null]);
  assert.deepEqual(values(pc.less(a, 5)), [true, false, null, false]);
  assert.deepEqual(values(pc.less_equal(a, 5)), [true, true, null, false]);
  assert.deepEqual(values(pc.equal(a, 5)), [false, true, null, false]);
  assert.deepEqual(values(pc.not_equal(a, 5)), [true, false, null, true]);
  // An integer column against a fractional scalar compares as double precision, as in SQL.
  assert.deepEqual(values(pc.greater(a, 4.5)), [false, true, null, true]);
  assert.deepEqual(values(pc.equal(vectorFromArray(['a', 'b', null], new Utf8()), 'b')), [false, true, null]);
  assert.deepEqual(values(pc.greater(a, null)), [null, null, null, null]);
});

test('arithmetic follows SQL types: integer division truncates, int + float is float, BIGINT stays exact', () => {
  assert.deepEqual(values(pc.add(ints([1, null, 3]), 1)), [2, null, 4]);
  assert.deepEqual(values(pc.subtract(ints([1, 2]), ints([3, null]))), [-2, null]);
  assert.deepEqual(values(pc.multiply(floats([1.5, null]), 2)), [3, null]);
  assert.deepEqual(values(pc.divide(ints([7, -7]), 2)), [3, -3]);
  assert.deepEqual(values(pc.divide(floats([7]), 2)), [3.5]);
  assert.deepEqual(values(pc.add(ints([1]), 0.5)), [1.5]);
  const big = vectorFromArray([9007199254740993n], new Int64());
  assert.deepEqual([...pc.add(big, 1n)], [9007199254740994n]);
  assert.throws(() => pc.divide(ints([1]), 0), (e: SabotError) => e instanceof SabotError && e.code === '22012');
  assert.throws(() => pc.add(ints([2147483647]), 1), (e: SabotError) => e.code === '22003');
});

test('and_ / or_ are three-valued; invert, is_null and is_valid', () => {
  const t = bools([true, true, true, false, false, false, null, null, null]);
  const u = bools([true, false, null, true, false, null, true, false, null]);
  assert.deepEqual(values(pc.and_(t, u)), [true, false, null, false, false, false, null, false, null]);
  assert.deepEqual(values(pc.or_(t, u)), [true, true, true, true, false, null, true, null, null]);
  assert.deepEqual(values(pc.invert(bools([true, false, null]))), [false, true, null]);
  assert.deepEqual(values(pc.is_null(ints([1, null]))), [false, true]);
  assert.deepEqual(values(pc.is_valid(ints([1, null]))), [true, false]);
});

test('strings and dates given as scalars are read as literals of the column type', () => {
  const ts = makeVector(makeData({ type: new TimestampMicrosecond(), length: 2, data: BigInt64Array.from([0n, 86_400_000_000n]) }));
  assert.deepEqual(values(pc.greater(ts, '1970-01-01 12:00:00')), [false, true]);
  assert.deepEqual(values(pc.less(ts, new Date(1000))), [true, false]);
});

test('filter drops rows where the mask is false or NULL; take gathers rows in any order', () => {
  const batch = new Table({ id: ints([1, 2, 3, 4]), name: vectorFromArray(['a', 'b', 'c', 'd'], new Utf8()) }).batches[0]!;
  const kept = pc.filter(batch, bools([true, false, null, true]));
  assert.equal(kept.numRows, 2);
  assert.deepEqual(values(kept.getChild('id')!), [1, 4]);
  assert.deepEqual(values(kept.getChild('name')!), ['a', 'd']);
  assert.deepEqual(kept.schema.fields.map((f) => f.name), ['id', 'name']);
  assert.deepEqual(values(pc.filter(ints([5, null, 7]), bools([true, true, false]))), [5, null]);
  assert.deepEqual(values(pc.take(batch, [3, 0, 0]).getChild('name')!), ['d', 'a', 'a']);
  assert.deepEqual(values(pc.take(ints([5, null, 7]), ints([2, 1]))), [7, null]);
  assert.throws(() => pc.take(batch, [4]), /out of bounds/);
  assert.throws(() => pc.filter(batch, ints([1, 0, 1, 0])), /boolean/);
});

test('constant and appendColumn', () => {
  assert.deepEqual(values(pc.constant('high', 3)), ['high', 'high', 'high']);
  assert.deepEqual(values(pc.constant(7, 2)), [7, 7]);
  assert.deepEqual(values(pc.constant(null, 2, 'bigint')), [null, null]);
  assert.throws(() => pc.constant(null, 2), /needs a type/);
  const batch = new Table({ id: ints([1, 2]) }).batches[0]!;
  const out = pc.appendColumn(batch, 'doubled', pc.multiply(batch.getChild('id')!, 2));
  assert.deepEqual(out.schema.fields.map((f) => f.name), ['id', 'doubled']);
  assert.deepEqual(values(out.getChild('doubled')!), [2, 4]);
  assert.throws(() => pc.appendColumn(batch, 'x', pc.constant(1, 3)), /has 3 rows, the batch 2/);
});

test('arguments: vectors of one length, at least one vector', () => {
  assert.throws(() => pc.add(ints([1, 2]), ints([1])), /different lengths/);
  assert.throws(() => pc.add(1, 2), /needs at least one Vector/);
});
