import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordBatch } from 'apache-arrow';
import { builtinFunctions } from '../../../src/functions/builtins.js';
import type { ExpressionJson } from '../../../src/plan/expression-json.js';
import type { JobGraphOperator } from '../../../src/plan/job-graph.js';
import type { JoinBound } from '../../../src/plan/logical-plan.js';
import type { ColumnSchema } from '../../../src/runtime/arrow-types.js';
import { createJoin, type StreamingJoin } from '../../../src/runtime/join/index.js';
import { dataflowEvalContext } from '../../../src/runtime/operator-chain.js';
import { batchFromRows, rowsFromBatch } from '../../../src/runtime/rows.js';
import { Types } from '../../../src/types/sql-type.js';

const functions = builtinFunctions();
const ctx = dataflowEvalContext(new AbortController().signal);

type Row = unknown[];

const col = (name: string, type: keyof typeof Types): ColumnSchema => ({ name, type: Types[type], nullable: true });
/** Both sides: a text key, an event time, a value. */
const LEFT = [col('k', 'text'), col('t', 'timestamp'), col('v', 'int4')];
const RIGHT = [col('k', 'text'), col('t', 'timestamp'), col('v', 'int4')];
/** Windowed sides: key, window_start, window_end, value. */
const WLEFT = [col('k', 'int8'), col('window_start', 'timestamp'), col('window_end', 'timestamp'), col('v', 'int4')];
const WRIGHT = [col('k', 'int8'), col('window_start', 'timestamp'), col('window_end', 'timestamp'), col('v', 'int4')];

/** left.v <> right.v over the joined row (left columns first). */
function valuesDiffer(leftWidth: number, leftV: number, rightV: number): ExpressionJson {
  return {
    kind: 'call', type: 'bool', fn: '<>', argTypes: ['int4', 'int4'],
    args: [{ kind: 'column', type: 'int4', index: leftV, name: 'v' }, { kind: 'column', type: 'int4', index: leftWidth + rightV, name: 'v' }],
  };
}

interface Setup {
  left: ColumnSchema[];
  right: ColumnSchema[];
  leftKeys: number[];
  rightKeys: number[];
  type: 'inner' | 'left';
  bound: JoinBound;
  condition: ExpressionJson | null;
}

function joinOf(s: Setup): StreamingJoin {
  const columns = [...s.left, ...s.right].map((c) => ({ name: c.name, type: c.type.kind, nullable: true }));
  const op: JobGraphOperator = {
    id: 'j', type: 'join', name: 'Join',
    params: { joinType: s.type, leftKeys: s.leftKeys, rightKeys: s.rightKeys, condition: s.condition, bound: s.bound, columns },
  };
  return createJoin(op, [s.left, s.right], functions, ctx);
}

const sorted = (rows: Row[]) => rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).sort();

function rowsOf(s: Setup, batches: RecordBatch[]): Row[] {
  return batches.flatMap((b) => rowsFromBatch([...s.left, ...s.right], b));
}

/** A tiny seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Step = { kind: 'rows'; side: 0 | 1; rows: Row[] } | { kind: 'advance'; watermark: number };

/**
 * A random run: batches of rows on both sides, times at most `delay` behind the latest
 * time (never behind the watermark), and the watermark advanced to latest - delay now and
 * then. `row(side, time)` makes a row of a side.
 */
function randomRun(seed: number, row: (r: () => number, side: 0 | 1, time: number) => Row, delay = 40): Step[] {
  const r = random(seed);
  const steps: Step[] = [];
  let latest = 1000;
  let watermark = -Infinity;
  for (let b = 0; b < 60; b++) {
    const side = r() < 0.5 ? 0 : 1;
    const rows: Row[] = [];
    const n = 1 + Math.floor(r() * 12);
    for (let i = 0; i < n; i++) {
      latest += Math.floor(r() * 4);
      const time = Math.max(latest - Math.floor(r() * delay), watermark === -Infinity ? 0 : watermark);
      rows.push(row(r, side, time));
    }
    steps.push({ kind: 'rows', side, rows });
    if (r() < 0.3 && latest - delay > watermark) {
      watermark = latest - delay;
      steps.push({ kind: 'advance', watermark });
    }
  }
  return steps;
}

/** Runs the steps; returns every emitted row and, per step, the rows it emitted. */
function run(s: Setup, steps: Step[], end = true): { all: Row[]; perStep: Row[][]; join: StreamingJoin } {
  const join = joinOf(s);
  const perStep = steps.map((step) => rowsOf(s, step.kind === 'rows'
    ? join.process(step.side, batchFromRows(step.side === 0 ? s.left : s.right, step.rows))
    : join.advance(step.watermark)));
  if (end) perStep.push(rowsOf(s, join.advance(Infinity)));
  return { all: perStep.flat(), perStep, join };
}

/** The join over the whole input by nested loops: SQL's inner or left join. */
function nestedLoops(s: Setup, steps: Step[], matches: (l: Row, r: Row) => boolean): Row[] {
  const lefts = steps.flatMap((st) => (st.kind === 'rows' && st.side === 0 ? st.rows : []));
  const rights = steps.flatMap((st) => (st.kind === 'rows' && st.side === 1 ? st.rows : []));
  const out: Row[] = [];
  for (const l of lefts) {
    let any = false;
    for (const r of rights) {
      const keysEqual = s.leftKeys.every((lk, i) => l[lk] !== null && r[s.rightKeys[i]!] !== null && String(l[lk]) === String(r[s.rightKeys[i]!]));
      if (keysEqual && matches(l, r)) {
        out.push([...l, ...r]);
        any = true;
      }
    }
    if (!any && s.type === 'left') out.push([...l, ...s.right.map(() => null)]);
  }
  return out;
}

const key = (r: () => number) => (r() < 0.1 ? null : ['a', 'b', 'ü', 'dd'][Math.floor(r() * 4)]!);
const value = (r: () => number) => (r() < 0.1 ? null : Math.floor(r() * 4));
const differ = (l: Row, r: Row) => l[2] !== null && r[2] !== null && l[2] !== r[2];

test('interval joins (inner and left, with a condition) give what nested loops give over the whole input', () => {
  for (const type of ['inner', 'left'] as const) {
    for (let seed = 1; seed <= 25; seed++) {
      const s: Setup = {
        left: LEFT, right: RIGHT, leftKeys: [0], rightKeys: [0], type,
        bound: { kind: 'interval', leftTime: 1, rightTime: 1, lower: -10, upper: 5 }, condition: seed % 2 ? valuesDiffer(3, 2, 2) : null,
      };
      const steps = randomRun(seed, (r, _side, time) => [key(r), r() < 0.05 ? null : time, value(r)]);
      const inWindow = (l: Row, r: Row) => l[1] !== null && r[1] !== null && (r[1] as number) >= (l[1] as number) - 10 && (r[1] as number) <= (l[1] as number) + 5;
      const expected = nestedLoops(s, steps, (l, r) => inWindow(l, r) && (seed % 2 ? differ(l, r) : true));
      assert.deepEqual(sorted(run(s, steps).all), sorted(expected), `${type} seed ${seed}`);
    }
  }
});

test('an interval join drops a row once the watermark passes its bound, and a left join pads it then', () => {
  const s: Setup = {
    left: LEFT, right: RIGHT, leftKeys: [0], rightKeys: [0], type: 'left',
    bound: { kind: 'interval', leftTime: 1, rightTime: 1, lower: -10, upper: 5 }, condition: null,
  };
  const join = joinOf(s);
  assert.deepEqual(rowsOf(s, join.process(0, batchFromRows(LEFT, [['a', 100, 1], ['b', 100, 2], [null, 100, 3]]))),
    [[null, 100, 3, null, null, null]], 'a NULL key can match nothing: padded at once');
  assert.deepEqual(rowsOf(s, join.process(1, batchFromRows(RIGHT, [['a', 104, 7], ['b', 89, 8]]))), [['a', 100, 1, 'a', 104, 7]]);
  assert.equal(join.stateSize(), 4);
  // The right row at 89 can match left rows up to 99 only: gone once the watermark passes 99.
  assert.deepEqual(rowsOf(s, join.advance(99)), []);
  assert.equal(join.stateSize(), 4);
  assert.deepEqual(rowsOf(s, join.advance(100)), []);
  assert.equal(join.stateSize(), 3);
  // Left rows at 100 wait for right rows up to 105.
  assert.deepEqual(rowsOf(s, join.process(1, batchFromRows(RIGHT, [['b', 105, 9]]))), [['b', 100, 2, 'b', 105, 9]]);
  assert.deepEqual(rowsOf(s, join.advance(105)), []);
  assert.deepEqual(rowsOf(s, join.advance(106)), [], 'both left rows matched');
  assert.equal(join.stateSize(), 2, 'the right rows wait for left rows down to their time - upper');
  assert.deepEqual(rowsOf(s, join.process(0, batchFromRows(LEFT, [['c', 110, 4]]))), []);
  assert.deepEqual(rowsOf(s, join.advance(115)), []);
  assert.deepEqual(rowsOf(s, join.advance(116)), [['c', 110, 4, null, null, null]]);
  assert.equal(join.stateSize(), 0);
});

test('window joins (bigint keys with the window start) match rows of the same window and drop them at its end', () => {
  for (const type of ['inner', 'left'] as const) {
    for (let seed = 1; seed <= 25; seed++) {
      const s: Setup = {
        left: WLEFT, right: WRIGHT, leftKeys: [0, 1], rightKeys: [0, 1], type,
        bound: { kind: 'window', leftEnd: 2, rightEnd: 2 }, condition: seed % 3 === 0 ? valuesDiffer(4, 3, 3) : null,
      };
      // Windows of 20 µs; a row arrives before the watermark reaches its window's end.
      const steps = randomRun(seed, (r, _side, time) => {
        const start = Math.floor(time / 20) * 20 + 20;
        return [r() < 0.1 ? null : BigInt(Math.floor(r() * 3)) - 1n, start, start + 20, value(r)];
      }, 1);
      const expected = nestedLoops(s, steps, (l, r) => (seed % 3 === 0 ? differ(l.slice(1), r.slice(1)) : true));
      const { all, join } = run(s, steps, false);
      const last = steps.filter((st) => st.kind === 'advance').pop() as { watermark: number };
      const open = steps.flatMap((st) => (st.kind === 'rows' ? st.rows : [])).filter((row) => row[0] !== null && (row[2] as number) > last.watermark);
      assert.equal(join.stateSize(), open.length, `${type} seed ${seed}: rows of open windows`);
      const rest = rowsOf(s, join.advance(Infinity));
      assert.deepEqual(sorted([...all, ...rest]), sorted(expected), `${type} seed ${seed}`);
    }
  }
});

test('a window join keeps rows that arrive as the watermark reaches their end, and drops them on that advance', () => {
  const s: Setup = { left: WLEFT, right: WRIGHT, leftKeys: [1], rightKeys: [1], type: 'left', bound: { kind: 'window', leftEnd: 2, rightEnd: 2 }, condition: null };
  const join = joinOf(s);
  assert.deepEqual(rowsOf(s, join.advance(10)), []);
  // Window [0, 10) arrives from an upstream aggregate after it saw watermark 10, before this operator does.
  assert.deepEqual(rowsOf(s, join.process(0, batchFromRows(WLEFT, [[1n, 0, 10, 1], [2n, 10, 20, 2]]))), []);
  assert.deepEqual(rowsOf(s, join.process(1, batchFromRows(WRIGHT, [[5n, 0, 10, 3]]))), [[1n, 0, 10, 1, 5n, 0, 10, 3]]);
  assert.equal(join.stateSize(), 3);
  assert.deepEqual(rowsOf(s, join.advance(19)), []);
  assert.equal(join.stateSize(), 1);
  assert.deepEqual(rowsOf(s, join.advance(20)), [[2n, 10, 20, 2, null, null, null, null]]);
  assert.equal(join.stateSize(), 0);
});

test('a regular join joins every row with the stored rows of the other side; a left join pads the unmatched at the end', () => {
  for (const type of ['inner', 'left'] as const) {
    for (let seed = 1; seed <= 15; seed++) {
      const s: Setup = { left: LEFT, right: RIGHT, leftKeys: [0, 2], rightKeys: [0, 2], type, bound: { kind: 'regular', ttl: null }, condition: null };
      const steps = randomRun(seed, (r, _side, time) => [key(r), time, r() < 0.1 ? null : Math.floor(r() * 40)]);
      const expected = nestedLoops(s, steps, () => true);
      const { all, perStep } = run(s, steps);
      assert.deepEqual(sorted(all), sorted(expected), `${type} seed ${seed}`);
      if (type === 'left') {
        // Rows with a NULL key match nothing: padded at once; the other unmatched ones at the end.
        const padded = expected.filter((row) => row[3] === null && row[0] !== null && row[2] !== null);
        assert.ok(padded.length > 0);
        assert.deepEqual(sorted(perStep[perStep.length - 1]!), sorted(padded), 'unmatched left rows only at the end');
      }
    }
  }
});

test('a regular join with state_ttl forgets a row ttl after the watermark it was stored at', () => {
  const ttl = 30;
  for (const type of ['inner', 'left'] as const) {
    for (let seed = 1; seed <= 15; seed++) {
      const s: Setup = { left: LEFT, right: RIGHT, leftKeys: [0], rightKeys: [0], type, bound: { kind: 'regular', ttl }, condition: null };
      const steps = randomRun(seed, (r, _side, time) => [key(r), time, value(r)]);
      // Reference: a list of stored rows and a nested loop per arriving row.
      const stored: { side: 0 | 1; row: Row; since: number | null; matched: boolean }[] = [];
      const expected: Row[] = [];
      let watermark = -Infinity;
      const expire = (keep: (e: (typeof stored)[number]) => boolean) => {
        for (let i = stored.length - 1; i >= 0; i--) {
          const e = stored[i]!;
          if (keep(e)) continue;
          if (e.side === 0 && !e.matched && type === 'left') expected.push([...e.row, null, null, null]);
          stored.splice(i, 1);
        }
      };
      for (const st of steps) {
        if (st.kind === 'advance') {
          watermark = st.watermark;
          for (const e of stored) e.since ??= watermark;
          expire((e) => watermark <= e.since! + ttl);
          continue;
        }
        for (const row of st.rows) {
          let matched = false;
          for (const e of stored) {
            if (e.side === st.side || row[0] === null || e.row[0] !== row[0]) continue;
            expected.push(st.side === 0 ? [...row, ...e.row] : [...e.row, ...row]);
            e.matched = true;
            matched = true;
          }
          if (row[0] !== null) stored.push({ side: st.side, row, since: watermark === -Infinity ? null : watermark, matched });
          else if (st.side === 0 && type === 'left') expected.push([...row, null, null, null]);
        }
      }
      const { all, join } = run(s, steps, false);
      assert.deepEqual(sorted(all), sorted(expected), `${type} seed ${seed}`);
      assert.equal(join.stateSize(), stored.length, `${type} seed ${seed}: state`);
    }
  }
});
