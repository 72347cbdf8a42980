/**
 * Test support for the aggregate operator: job-graph operators, a seeded random input,
 * a reference aggregate computed by plain loops over rows, and a driver that runs the
 * partial and final steps the way a task does.
 */
import assert from 'node:assert/strict';
import type { RecordBatch } from 'apache-arrow';
import type { JobGraphOperator } from '../../../src/plan/job-graph.js';
import type { AggregateFunction, WindowSpec } from '../../../src/plan/logical-plan.js';
import type { ColumnSchema } from '../../../src/runtime/arrow-types.js';
import { compilePartialAggregate, createFinalAggregate } from '../../../src/runtime/aggregate/index.js';
import { operatorColumns } from '../../../src/runtime/operator-chain.js';
import { batchFromRows, rowsFromBatch } from '../../../src/runtime/rows.js';
import type { StatefulOperator } from '../../../src/runtime/stateful/stateful-operator.js';
import { Decimal } from '../../../src/types/decimal.js';
import { Types, type SqlType } from '../../../src/types/sql-type.js';

export interface Call {
  fn: AggregateFunction;
  arg: number | null;
  distinct?: boolean;
  filter?: number | null;
  type: SqlType;
}

export interface AggregateShape {
  input: ColumnSchema[];
  keys: number[];
  window: WindowSpec | null;
  closeAt?: number | null;
  calls: Call[];
}

/** The job-graph operator of an aggregate, with the output columns the binder would give it. */
export function aggregateOp(shape: AggregateShape): JobGraphOperator {
  const columns: ColumnSchema[] = shape.keys.map((k) => shape.input[k]!);
  if (shape.window) {
    const t = shape.input[shape.window.time]!.type;
    columns.push({ name: 'window_start', type: t, nullable: false }, { name: 'window_end', type: t, nullable: false });
  }
  shape.calls.forEach((c, i) => columns.push({ name: `a${i}`, type: c.type, nullable: true }));
  return {
    id: 'agg', type: 'aggregate', name: 'Aggregate',
    params: {
      keys: shape.keys, window: shape.window, closeAt: shape.closeAt ?? null,
      aggregates: shape.calls.map((c) => ({ fn: c.fn, arg: c.arg, distinct: c.distinct ?? false, filter: c.filter ?? null, type: c.type.kind })),
      columns: columns.map((c) => ({ name: c.name, type: c.type.kind, nullable: c.nullable })),
    },
  };
}

/** A small seeded generator (mulberry32), so a failing run can be repeated. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Columns of the random input: two keys (bigint, text), event time, and values of several types. */
export const inputColumns: ColumnSchema[] = [
  { name: 'k', type: Types.int8, nullable: true },
  { name: 'name', type: Types.text, nullable: true },
  { name: 'ts', type: Types.timestamp, nullable: true },
  { name: 'v', type: Types.int4, nullable: true },
  { name: 'f', type: Types.float8, nullable: true },
  { name: 'n', type: Types.numeric, nullable: true },
  { name: 'ok', type: Types.bool, nullable: true },
  { name: 'big', type: Types.int8, nullable: true },
];
export const K = 0, NAME = 1, TS = 2, V = 3, F = 4, N = 5, OK = 6, BIG = 7;

/**
 * Rows in event-time order give or take `disorder` µs, `step` µs apart on average. NULLs
 * in every column but the time; a few huge bigints; text keys with non-ASCII letters.
 */
export function randomRows(rand: () => number, count: number, opts: { keys: number; step: number; disorder: number; start?: number }): unknown[][] {
  const names = ['a', 'b', 'ünï', 'long name with some words in it', ''];
  const rows: unknown[][] = [];
  let t = opts.start ?? 1_700_000_000_000_000;
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const maybe = <T>(v: T, p = 0.1): T | null => (rand() < p ? null : v);
  for (let i = 0; i < count; i++) {
    t += Math.floor(rand() * 2 * opts.step);
    const ts = t - Math.floor(rand() * opts.disorder);
    rows.push([
      maybe(BigInt(Math.floor(rand() * opts.keys)), 0.05),
      maybe(pick(names), 0.05),
      ts,
      maybe(Math.floor(rand() * 2001) - 1000),
      maybe(Math.floor(rand() * 400) / 4 - 50),
      maybe(Decimal.parse(`${Math.floor(rand() * 20000) - 10000}`).div(Decimal.parse(pick(['1', '10', '100', '1000'])))),
      maybe(rand() < 0.5),
      maybe(rand() < 0.1 ? 9_000_000_000_000_000_000n - BigInt(Math.floor(rand() * 1000)) : BigInt(Math.floor(rand() * 1e12))),
    ]);
  }
  return rows;
}

/** Batches of `size` rows. */
export function batchesOf(columns: ColumnSchema[], rows: unknown[][], size: number): RecordBatch[] {
  const out: RecordBatch[] = [];
  for (let i = 0; i < rows.length; i += size) out.push(batchFromRows(columns, rows.slice(i, i + size)));
  return out;
}

/** A value as text for comparing results: bigints, Decimals (by value) and numbers alike. */
export function show(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Decimal) return `D${v.toString()}`;
  if (typeof v === 'bigint') return `${v}`;
  if (typeof v === 'number') return Number.isInteger(v) ? `${v}` : v.toFixed(6);
  return JSON.stringify(v);
}

export const rowText = (row: unknown[]) => row.map(show).join(' | ');

/** Rows as sorted text lines, to compare as sets. */
export function lines(rows: unknown[][]): string[] {
  return rows.map(rowText).sort();
}

// ---------------------------------------------------------------- reference

const keyOfRow = (row: unknown[], keys: number[]) => JSON.stringify(keys.map((k) => show(row[k])));

/** What a call computes over the rows of one group, by plain loops (BigInt and Decimal arithmetic). */
export function referenceValue(call: Call, rows: unknown[][], input: ColumnSchema[]): unknown {
  const taken = rows.filter((r) => (call.filter === undefined || call.filter === null || r[call.filter] === true)
    && (call.arg === null || r[call.arg] !== null));
  let values = call.arg === null ? taken.map(() => 1) : taken.map((r) => r[call.arg!]);
  if (call.distinct) {
    const seen = new Map<string, unknown>();
    for (const v of values) {
      const k = v instanceof Decimal ? v.hashKey() : show(v);
      if (!seen.has(k)) seen.set(k, v);
    }
    values = [...seen.values()];
  }
  if (call.fn === 'count') return BigInt(values.length);
  if (values.length === 0) return null;
  const argType = input[call.arg!]!.type;
  if (call.fn === 'min' || call.fn === 'max') {
    const less = (a: unknown, b: unknown) => (a instanceof Decimal ? a.compare(b as Decimal) < 0 : (a as number) < (b as number));
    return values.reduce((best, v) => ((call.fn === 'min' ? less(v, best) : less(best, v)) ? v : best));
  }
  if (argType.kind === 'float8') {
    const sum = (values as number[]).reduce((a, b) => a + b, 0);
    return call.fn === 'sum' ? sum : sum / values.length;
  }
  const total = argType.kind === 'numeric'
    ? (values as Decimal[]).reduce((a, b) => a.add(b))
    : Decimal.fromBigInt(values.reduce((a: bigint, b) => a + BigInt(b as number | bigint), 0n));
  if (call.fn === 'avg') return call.type.kind === 'float8' ? total.toNumber() / values.length : total.div(Decimal.fromBigInt(BigInt(values.length)));
  return call.type.kind === 'int8' ? total.toBigInt() : total;
}

/** The windows (start, end) a row of event time `t` belongs to. */
function windowsOf(w: WindowSpec, t: number): [number, number][] {
  if (w.kind === 'tumble') {
    const s = Math.floor(t / w.size) * w.size;
    return [[s, s + w.size]];
  }
  if (w.kind === 'hop') {
    const out: [number, number][] = [];
    for (let s = Math.floor(t / w.slide) * w.slide; s > t - w.size; s -= w.slide) out.push([s, s + w.size]);
    return out;
  }
  throw new Error('sessions are grouped separately');
}

/** The expected output rows of an aggregate over all `rows`: keys, window_start, window_end, aggregates. */
export function referenceAggregate(shape: AggregateShape, rows: unknown[][]): unknown[][] {
  const groups = new Map<string, { key: unknown[]; window: [number, number] | null; rows: unknown[][] }>();
  const add = (row: unknown[], window: [number, number] | null) => {
    const id = `${keyOfRow(row, shape.keys)}@${window?.join('-') ?? ''}`;
    let g = groups.get(id);
    if (!g) groups.set(id, g = { key: shape.keys.map((k) => row[k]), window, rows: [] });
    g.rows.push(row);
  };
  const w = shape.window;
  if (w === null) {
    rows.forEach((r) => add(r, null));
  } else if (w.kind === 'session') {
    const byKey = new Map<string, unknown[][]>();
    for (const r of rows) {
      if (r[w.time] === null) continue;
      const k = keyOfRow(r, shape.keys);
      byKey.set(k, [...(byKey.get(k) ?? []), r]);
    }
    for (const keyRows of byKey.values()) {
      keyRows.sort((a, b) => (a[w.time] as number) - (b[w.time] as number));
      let session: unknown[][] = [];
      const close = () => {
        const first = session[0]![w.time] as number;
        const last = session[session.length - 1]![w.time] as number;
        session.forEach((r) => add(r, [first, last + w.gap]));
        session = [];
      };
      for (const r of keyRows) {
        if (session.length > 0 && (r[w.time] as number) >= (session[session.length - 1]![w.time] as number) + w.gap) close();
        session.push(r);
      }
      close();
    }
  } else {
    for (const r of rows) if (r[w.time] !== null) windowsOf(w, r[w.time] as number).forEach((win) => add(r, win));
  }
  return [...groups.values()].map((g) => [...g.key, ...(g.window ?? []), ...shape.calls.map((c) => referenceValue(c, g.rows, shape.input))]);
}

// ---------------------------------------------------------------- driver

export interface Emitted {
  rows: unknown[][];
  watermark: number;
}

/**
 * Runs the partial step on each batch and the final step on its output, advancing the
 * watermark after each batch to the largest event time seen minus `delay`, then to
 * Infinity. Checks on the way that every window written has ended by the watermark.
 */
export function runWindowed(shape: AggregateShape, batches: RecordBatch[], delay: number,
  options: { final?: StatefulOperator } = {}): { emitted: Emitted[]; final: StatefulOperator } {
  const op = aggregateOp(shape);
  const out = operatorColumns(op);
  const partial = compilePartialAggregate(op, shape.input);
  const final = options.final ?? createFinalAggregate(op, shape.input);
  const emitted: Emitted[] = [];
  const endAt = shape.keys.length + 1;
  const collect = (batches: RecordBatch[], watermark: number) => {
    for (const b of batches) {
      const rows = rowsFromBatch(out, b);
      for (const r of rows) if (shape.window) assert.ok((r[endAt] as number) <= watermark, `window ending at ${r[endAt]} written at watermark ${watermark}`);
      emitted.push({ rows, watermark });
    }
  };
  let maxTime = -Infinity;
  for (const batch of batches) {
    for (const r of rowsFromBatch(shape.input, batch)) if (shape.window && r[shape.window.time] !== null) maxTime = Math.max(maxTime, r[shape.window.time] as number);
    final.process(0, partial(batch));
    collect(final.advance(maxTime - delay), maxTime - delay);
  }
  collect(final.advance(Infinity), Infinity);
  return { emitted, final };
}

/** Every row written, in one list. */
export const allRows = (emitted: Emitted[]) => emitted.flatMap((e) => e.rows);
