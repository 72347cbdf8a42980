import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WindowSpec } from '../../src/plan/logical-plan.js';
import type { ColumnSchema } from '../../src/runtime/arrow-types.js';
import { batchFromRows, rowsFromBatch } from '../../src/runtime/rows.js';
import { compileWindowAssigner } from '../../src/runtime/window-assign.js';
import { Types } from '../../src/types/sql-type.js';

const input: ColumnSchema[] = [
  { name: 'id', type: Types.int8, nullable: true },
  { name: 'ts', type: Types.timestamptz, nullable: true },
  { name: 'note', type: Types.text, nullable: true },
];
const output = [...input, { name: 'window_start', type: Types.timestamptz, nullable: false }, { name: 'window_end', type: Types.timestamptz, nullable: false }];

function assigner(window: Exclude<WindowSpec, { kind: 'session' }>) {
  const columns = output.map((c) => ({ name: c.name, type: c.type.kind, nullable: c.nullable }));
  return compileWindowAssigner({ id: 'w', type: 'window', name: 'Window', params: { window, columns } }, input);
}

/** The windows of a row by brute force: every start k * slide with start <= t < start + size. */
function reference(rows: unknown[][], size: number, slide: number): unknown[][] {
  const out: unknown[][] = [];
  for (const row of rows) {
    const t = row[1] as number | null;
    if (t === null) continue;
    for (let k = Math.floor((t - size) / slide) - 1; k * slide <= t; k++) {
      const start = k * slide;
      if (start <= t && t < start + size) out.push([...row, start, start + size]);
    }
  }
  return out;
}

function randomRows(seed: number, n: number): unknown[][] {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const base = 1_700_000_000_000_000;
  return Array.from({ length: n }, (_, i) => [BigInt(i), next() < 0.1 ? null : base + Math.floor((next() - 0.5) * 4e7), next() < 0.5 ? `r${i}` : null]);
}

test('TUMBLE gives each row the window containing it, aligned to the epoch, and leaves out rows without a time', () => {
  const assign = assigner({ kind: 'tumble', time: 1, size: 5_000_000 });
  const rows = [
    [1n, 1_700_000_004_999_999, 'a'], [2n, 1_700_000_005_000_000, null], [3n, null, 'c'], [4n, -1, 'before 1970'],
  ];
  assert.deepEqual(rowsFromBatch(output, assign(batchFromRows(input, rows))), [
    [1n, 1_700_000_004_999_999, 'a', 1_700_000_000_000_000, 1_700_000_005_000_000],
    [2n, 1_700_000_005_000_000, null, 1_700_000_005_000_000, 1_700_000_010_000_000],
    [4n, -1, 'before 1970', -5_000_000, 0],
  ]);
  for (let seed = 1; seed <= 5; seed++) {
    const random = randomRows(seed, 300);
    assert.deepEqual(rowsFromBatch(output, assign(batchFromRows(input, random))), reference(random, 5_000_000, 5_000_000));
  }
});

test('HOP gives one row per window containing the row, ascending, also when the size is not a multiple of the slide', () => {
  for (const [size, slide] of [[10_000_000, 2_000_000], [10_000_000, 3_000_000], [2_000_000, 2_000_000], [1_000_000, 3_000_000]] as const) {
    const assign = assigner({ kind: 'hop', time: 1, size, slide });
    for (let seed = 1; seed <= 5; seed++) {
      const random = randomRows(seed, 300);
      assert.deepEqual(rowsFromBatch(output, assign(batchFromRows(input, random))), reference(random, size, slide), `size ${size} slide ${slide}`);
    }
  }
  const hop = assigner({ kind: 'hop', time: 1, size: 10, slide: 5 });
  assert.deepEqual(rowsFromBatch(output, hop(batchFromRows(input, [[7n, 12, 'x']]))), [[7n, 12, 'x', 5, 15], [7n, 12, 'x', 10, 20]]);
});
