/**
 * Helpers of the expression-kernel tests: binding SQL with the real binder, building
 * Arrow batches from in-memory rows (independently of the code under test), reading
 * result columns back, a seeded PRNG and random values of every type.
 */
import assert from 'node:assert/strict';
import { Data, Field, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { SabotError } from '../../../src/errors.js';
import { builtinFunctions } from '../../../src/functions/builtins.js';
import type { EvalContext } from '../../../src/functions/scalar-function.js';
import { evaluateScalar } from '../../../src/plan/evaluate.js';
import type { BoundExpression } from '../../../src/plan/expression.js';
import { arrowType, type ColumnSchema } from '../../../src/runtime/arrow-types.js';
import {
  compileExpression, compileFilter, compileProjection, type CompileOptions, errorRow,
} from '../../../src/runtime/expressions/index.js';
import type { QueryStatement, Select } from '../../../src/sql/ast.js';
import { ExpressionBinder, ParameterTypes, type ColumnScope } from '../../../src/sql/binder/expression-binder.js';
import { parseScript } from '../../../src/sql/parser.js';
import { Decimal } from '../../../src/types/decimal.js';
import { Interval } from '../../../src/types/interval.js';
import { canonicalJsonb } from '../../../src/types/jsonb.js';
import { Types, type SqlType } from '../../../src/types/sql-type.js';
import { DEFAULT_FORMAT_SETTINGS, formatText } from '../../../src/types/text-format.js';

const functions = builtinFunctions();

export const ctx: EvalContext = {
  setting: (name) => (name === 'timezone' ? 'UTC' : name === 'application_name' ? 'tests' : undefined),
  setSetting: (_name, value) => value,
  transactionStart: 1_700_000_000_000_000,
  statementStart: 1_700_000_000_500_000,
  user: 'tester',
  database: 'sabot',
  processId: 42,
  format: { ...DEFAULT_FORMAT_SETTINGS, timeZone: 'Europe/Paris' },
  signal: new AbortController().signal,
};

/** Binds `sql` (an expression) over columns, as a SELECT list item. */
export function bind(sql: string, columns: readonly ColumnSchema[], paramTypes: readonly SqlType[] = []): BoundExpression {
  const [parsed] = parseScript(`SELECT ${sql}`);
  const body = (parsed!.statement as QueryStatement).query.body as Select;
  const item = body.items[0]!;
  assert.equal(item.kind, 'item');
  const scope: ColumnScope = {
    resolve: (ref) => {
      const index = columns.findIndex((c) => c.name === ref.name);
      return index < 0 ? undefined : { kind: 'column', type: columns[index]!.type, index, name: ref.name };
    },
  };
  const binder = new ExpressionBinder(functions, new ParameterTypes([...paramTypes]), scope, () => ctx.format);
  return binder.settle(binder.bind((item as { expr: Parameters<ExpressionBinder['bind']>[0] }).expr));
}

// ---------------------------------------------------------------------------------------
// PRNG

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** mulberry32 */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const STRINGS = ['', 'a', 'b', 'abc', 'abd', 'ab', 'ABC', 'Abc', 'a%c', 'a_c', 'x\\y', 'é', 'e', 'zz', '日本', '日本語',
  '😀', '😀x', '\uE000', '\uFFFD', '\uFFFDa', 'hello world', 'hello', 'world', '%', '_', 'aXc', 'a\nc',
  'the quick brown fox jumps over the lazy dog'];
const ALPHABET = ['a', 'b', 'c', 'A', '%', '_', 'é', '日', '😀', '\uE001', ' ', 'z'];

/** A random non-null value of a type, in its in-memory form, with edge cases often. */
export function randomValue(rng: Rng, type: SqlType): unknown {
  switch (type.kind) {
    case 'bool': return rng.chance(0.5);
    case 'int2': return rng.chance(0.4) ? rng.pick([0, 1, -1, 2, 32767, -32768, 181, 182, -182, 100, -3]) : rng.int(-300, 300);
    case 'int4':
      return rng.chance(0.4)
        ? rng.pick([0, 1, -1, 2, 2147483647, -2147483648, 46340, 46341, -46341, 65536, 10, 11, -7])
        : rng.chance(0.5) ? rng.int(-100, 100) : rng.int(-2147483648, 2147483647);
    case 'int8':
      return rng.chance(0.4)
        ? rng.pick([0n, 1n, -1n, 2n, 10n, 11n, 9223372036854775807n, -9223372036854775808n, 3037000499n, 3037000500n,
          -3037000500n, 2147483648n, -2147483649n, 4294967296n, 9007199254740993n])
        : rng.chance(0.6) ? BigInt(rng.int(-1000, 1000)) : BigInt(rng.int(-(2 ** 31), 2 ** 31)) * BigInt(rng.int(-(2 ** 31), 2 ** 31));
    case 'float4':
      return Math.fround(rng.chance(0.3)
        ? rng.pick([0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, 32767.5, 2147483520])
        : (rng.next() - 0.5) * 200);
    case 'float8':
      return rng.chance(0.3)
        ? rng.pick([0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, NaN, Infinity, -Infinity, 1.7976931348623157e308, -1e308, 5e-324,
          32767.5, 2147483647.5, -2147483648.5, 9007199254740993, 9.3e18, 1e300])
        : (rng.next() - 0.5) * 200;
    case 'numeric':
      return Decimal.parse(rng.pick(['0', '1', '-1', '1.5', '2.50', '-0.001', '123456789012345678901234567890', '10', '3.14159']));
    case 'text': case 'varchar': case 'bpchar': case 'name':
      if (rng.chance(0.6)) return rng.pick(STRINGS);
      return Array.from({ length: rng.int(0, 6) }, () => rng.pick(ALPHABET)).join('');
    case 'timestamp': case 'timestamptz':
      return rng.chance(0.2) ? rng.pick([0, 1_700_000_000_000_000, -1, 86_400_000_000]) : rng.int(-2e15, 4e15);
    case 'date': return rng.int(-100_000, 100_000);
    case 'time': return rng.int(0, 86_400_000_000 - 1);
    case 'interval':
      return Interval.parse(rng.pick(['1 day', '2 hours', '-3 mons 4 days', '00:00:01.5', '1 year 2 mons', '0', '36 hours']));
    case 'jsonb': return canonicalJsonb(rng.pick(['{"a": 1}', '[1, 2]', '"x"', 'null', '{"b": [true, false]}', '1.5']));
    case 'bytea': return Uint8Array.from({ length: rng.int(0, 4) }, () => rng.int(0, 255));
    default: throw new Error(`no random ${type.name}`);
  }
}

// ---------------------------------------------------------------------------------------
// Batches

function bitmap(valid: readonly boolean[]): Uint8Array {
  const b = new Uint8Array(Math.ceil(valid.length / 8) || 1);
  valid.forEach((v, i) => { if (v) b[i >> 3]! |= 1 << (i & 7); });
  return b;
}

const enc = new TextEncoder();

function textForm(type: SqlType, v: unknown): string {
  return typeof v === 'string' ? v : formatText(type, v, DEFAULT_FORMAT_SETTINGS);
}

/** An Arrow column of in-memory values, laid out as arrow-types.ts says. */
export function columnData(type: SqlType, values: readonly unknown[]): Data {
  const n = values.length;
  const valid = values.map((v) => v !== null);
  const nullBitmap = valid.every(Boolean) ? undefined : bitmap(valid);
  const arrow = arrowType(type) as never;
  const fixed = (Arr: { new(n: number): { [i: number]: number | bigint } }, f: (v: unknown) => number | bigint) => {
    const a = new Arr(n);
    values.forEach((v, i) => { if (v !== null) a[i] = f(v); });
    return makeData({ type: arrow, length: n, data: a as never, nullBitmap } as never) as Data;
  };
  switch (type.kind) {
    case 'bool':
      return makeData({ type: arrow, length: n, data: bitmap(values.map((v) => v === true)), nullBitmap } as never) as Data;
    case 'int2': return fixed(Int16Array, (v) => v as number);
    case 'int4': case 'date': case 'oid': return fixed(Int32Array, (v) => v as number);
    case 'int8': return fixed(BigInt64Array, (v) => v as bigint);
    case 'timestamp': case 'timestamptz': case 'time': return fixed(BigInt64Array, (v) => BigInt(v as number));
    case 'float4': return fixed(Float32Array, (v) => v as number);
    case 'float8': return fixed(Float64Array, (v) => v as number);
    default: {
      const parts = values.map((v) => (v === null ? new Uint8Array(0) : type.kind === 'bytea' ? v as Uint8Array : enc.encode(textForm(type, v))));
      const offsets = new Int32Array(n + 1);
      parts.forEach((p, i) => { offsets[i + 1] = offsets[i]! + p.length; });
      const bytes = new Uint8Array(offsets[n]!);
      parts.forEach((p, i) => bytes.set(p, offsets[i]!));
      return makeData({ type: arrow, length: n, data: bytes, valueOffsets: offsets, nullBitmap } as never) as Data;
    }
  }
}

export function makeBatch(columns: readonly ColumnSchema[], rows: readonly (readonly unknown[])[]): RecordBatch {
  const fields = columns.map((c) => new Field(c.name, arrowType(c.type), c.nullable));
  const children = columns.map((c, j) => columnData(c.type, rows.map((r) => r[j] ?? null)));
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children }));
}

export function randomRows(rng: Rng, columns: readonly ColumnSchema[], n: number, nullRate = 0.15): unknown[][] {
  return Array.from({ length: n }, () => columns.map((c) => (c.nullable && rng.chance(nullRate) ? null : randomValue(rng, c.type))));
}

const dec = new TextDecoder();

/** Row i of a result column, in a comparable form (see comparable()). */
export function readData(data: Data, type: SqlType): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < data.length; i++) {
    if (!data.getValid(i)) {
      out.push(null);
      continue;
    }
    const v = data.values as ArrayLike<number | bigint>;
    switch (type.kind) {
      case 'bool': {
        const j = data.offset + i;
        out.push(((data.values as Uint8Array)[j >> 3]! >> (j & 7) & 1) === 1);
        break;
      }
      case 'int8': out.push(v[i]); break;
      case 'timestamp': case 'timestamptz': case 'time': out.push(Number(v[i])); break;
      case 'int2': case 'int4': case 'date': case 'float4': case 'float8': out.push(v[i]); break;
      case 'oid': out.push((v[i] as number) >>> 0); break;
      case 'bytea': {
        const o = data.valueOffsets as Int32Array;
        out.push(Buffer.from((data.values as Uint8Array).subarray(o[i]!, o[i + 1]!)).toString('hex'));
        break;
      }
      default: {
        const o = data.valueOffsets as Int32Array;
        out.push(dec.decode((data.values as Uint8Array).subarray(o[i]!, o[i + 1]!)));
      }
    }
  }
  return out;
}

/** A reference value in the form readData gives. */
export function comparable(type: SqlType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type.kind) {
    case 'int2': case 'int4': case 'date': return (v as number) === 0 ? 0 : v;
    case 'bool': case 'int8': case 'float4': case 'float8': case 'timestamp': case 'timestamptz': case 'time': case 'oid': return v;
    case 'bytea': return Buffer.from(v as Uint8Array).toString('hex');
    default: return textForm(type, v);
  }
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: SabotError };

/** The reference evaluator over every row. */
export function reference(expr: BoundExpression, rows: readonly (readonly unknown[])[], params: readonly unknown[] = []): Outcome[] {
  return rows.map((row) => {
    try {
      const v = evaluateScalar(expr, row, { params, context: ctx });
      assert.ok(!(v instanceof Promise), 'reference evaluation went asynchronous');
      return { ok: true, value: comparable(expr.type, v) };
    } catch (err) {
      if (!(err instanceof SabotError)) throw err;
      return { ok: false, error: err };
    }
  });
}

/**
 * Checks the compiled expression against the reference on one batch: equal values on
 * every row; when rows fail, a thrown error for one of them (with its SQLSTATE), and in
 * collect mode exactly the failing rows, each with the reference's SQLSTATE.
 */
export function checkAgainstReference(sql: string, expr: BoundExpression, columns: readonly ColumnSchema[],
  rows: readonly (readonly unknown[])[], batch: RecordBatch, params: readonly unknown[] = [], opts: CompileOptions = {}): void {
  const expected = reference(expr, rows, params);
  const compiled = compileExpression(expr, columns, ctx, opts);
  const failing = expected.flatMap((o, i) => (o.ok ? [] : [i]));
  const describeRow = (i: number) => `${sql} at row ${i} ${JSON.stringify(rows[i], (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`;
  if (failing.length === 0) {
    const got = readData(compiled.evaluate(batch, params), expr.type);
    assert.equal(got.length, rows.length);
    for (let i = 0; i < rows.length; i++) assert.deepStrictEqual(got[i], (expected[i] as { value: unknown }).value, describeRow(i));
    return;
  }
  assert.throws(() => compiled.evaluate(batch, params), (err: unknown) => {
    assert.ok(err instanceof SabotError, `${sql}: ${String(err)}`);
    const row = errorRow(err);
    assert.ok(row !== undefined && failing.includes(row), `${sql}: error row ${row}, failing rows ${failing.join(',')}`);
    assert.equal(err.code, (expected[row] as { error: SabotError }).error.code, describeRow(row));
    return true;
  });
  const failures = new Map<number, SabotError>();
  const data = compiled.evaluate(batch, params, {
    onRowError: (row, error) => {
      assert.ok(!failures.has(row), `row ${row} reported twice`);
      failures.set(row, error);
    },
  });
  assert.deepStrictEqual([...failures.keys()].sort((a, b) => a - b), failing, sql);
  for (const [row, error] of failures) {
    const want = (expected[row] as { error: SabotError }).error;
    assert.equal(error.code, want.code, describeRow(row));
    assert.equal(error.message, want.message, describeRow(row));
  }
  const got = readData(data, expr.type);
  for (let i = 0; i < rows.length; i++) {
    if (!failures.has(i)) assert.deepStrictEqual(got[i], (expected[i] as { value: unknown }).value, describeRow(i));
  }
}

export const T = Types;

export function col(name: string, type: SqlType, nullable = true): ColumnSchema {
  return { name, type, nullable };
}

/**
 * The same expression as a filter (when boolean: the rows where it is TRUE) and as a
 * projection over a selection (every third row), in collect mode: failing rows are
 * exactly the reference's, reported with their batch row, and left out.
 */
export function checkFilterAndProjection(sql: string, expr: BoundExpression, columns: readonly ColumnSchema[],
  rows: readonly (readonly unknown[])[], batch: RecordBatch, params: readonly unknown[] = [], opts: CompileOptions = {}): void {
  const expected = reference(expr, rows, params);
  const failing = new Set(expected.flatMap((o, i) => (o.ok ? [] : [i])));
  if (expr.type.kind === 'bool') {
    const filter = compileFilter(expr, columns, ctx, opts);
    const dead: number[] = [];
    const sel = [...filter.selection(batch, params, { onRowError: (row) => dead.push(row) })];
    assert.deepStrictEqual(dead.sort((a, b) => a - b), [...failing], `${sql}: filter failures`);
    assert.deepStrictEqual(sel, expected.flatMap((o, i) => (o.ok && o.value === true ? [i] : [])), `${sql}: filter`);
  }
  const every3 = Int32Array.from({ length: Math.ceil(rows.length / 3) }, (_, k) => k * 3);
  const proj = compileProjection([{ name: 'x', expr }], columns, ctx, opts);
  for (const strategy of ['early', 'late'] as const) {
    const dead: number[] = [];
    const out = proj.project(batch, params, { selection: every3, strategy, onRowError: (row) => dead.push(row) });
    const kept = [...every3].filter((i) => !failing.has(i));
    assert.deepStrictEqual(dead.sort((a, b) => a - b), [...every3].filter((i) => failing.has(i)), `${sql}: projection failures`);
    assert.deepStrictEqual(readData(out.data.children[0]!, expr.type), kept.map((i) => (expected[i] as { value: unknown }).value),
      `${sql}: projection (${strategy})`);
  }
}
