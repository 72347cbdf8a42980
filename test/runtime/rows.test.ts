import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import type { ColumnSchema } from '../../src/runtime/arrow-types.js';
import { batchFromRows, rowsFromBatch } from '../../src/runtime/rows.js';
import { Decimal } from '../../src/types/decimal.js';
import { Interval } from '../../src/types/interval.js';
import { Types } from '../../src/types/sql-type.js';

const columns: ColumnSchema[] = [
  { name: 'b', type: Types.bool, nullable: true },
  { name: 'i', type: Types.int4, nullable: true },
  { name: 'l', type: Types.int8, nullable: true },
  { name: 'f', type: Types.float8, nullable: true },
  { name: 'n', type: Types.numeric, nullable: true },
  { name: 't', type: Types.text, nullable: true },
  { name: 'ts', type: Types.timestamp, nullable: true },
  { name: 'd', type: Types.date, nullable: true },
  { name: 'iv', type: Types.interval, nullable: true },
  { name: 'j', type: Types.jsonb, nullable: true },
];

test('rows go into a batch and come back equal, NULLs included, through Arrow IPC too', () => {
  const rows = [
    [true, 1, 9007199254740993n, 1.5, Decimal.parse('12.50'), 'héllo', 1_700_000_000_123_456, 19_000, Interval.parse('1 day 02:00:00'), '{"a": 1}'],
    [null, null, null, null, null, null, null, null, null, null],
    [false, -2147483648, -1n, -0.25, Decimal.parse('-1'), '', 0, -1, Interval.parse('-3 mons'), '[]'],
  ];
  const batch = batchFromRows(columns, rows);
  assert.equal(batch.numRows, 3);
  const viaIpc = tableFromIPC(tableToIPC(new Table([batch]))).batches[0]!;
  for (const b of [batch, viaIpc]) {
    const back = rowsFromBatch(columns, b);
    back.forEach((row, r) => row.forEach((v, c) => {
      const expected = rows[r]![c];
      if (expected instanceof Decimal || expected instanceof Interval) assert.equal(String(v), String(expected), `${r},${c}`);
      else assert.deepEqual(v, expected, `row ${r} column ${columns[c]!.name}`);
    }));
  }
});

test('a sliced batch reads from its offset', () => {
  const batch = batchFromRows([{ name: 'x', type: Types.int4, nullable: true }, { name: 's', type: Types.text, nullable: true }],
    [[1, 'a'], [null, 'b'], [3, null], [4, 'd']]);
  assert.deepEqual(rowsFromBatch([{ name: 'x', type: Types.int4, nullable: true }, { name: 's', type: Types.text, nullable: true }], batch.slice(1, 3)),
    [[null, 'b'], [3, null]]);
});

test('a sliced batch of booleans and timestamps reads from its offset', () => {
  const cols: ColumnSchema[] = [{ name: 'b', type: Types.bool, nullable: true }, { name: 'ts', type: Types.timestamp, nullable: true }];
  const batch = batchFromRows(cols, [[true, 1], [false, 2], [true, null], [null, 4], [true, 5], [false, 6], [true, 7], [false, 8], [true, 9], [false, 10]]);
  assert.deepEqual(rowsFromBatch(cols, batch.slice(7, 10)), [[false, 8], [true, 9], [false, 10]]);
  assert.deepEqual(rowsFromBatch(cols, batch.slice(2, 4)), [[true, null], [null, 4]]);
});
