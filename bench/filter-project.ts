/**
 * Micro benchmark of the compiled expression kernels: a fused filter + projection
 *
 *   SELECT a + b * 2, c FROM t WHERE a > 10 AND c < 0.5
 *
 * over 4,096-row batches of a bigint, an integer and a double precision column, with the
 * expressions bound by the real binder and compiled by src/runtime/expressions. Prints
 * input rows per second per core (rows / CPU time, user + sys, from process.cpuUsage())
 * for each selectivity and way of running it, then the peak RSS:
 * - fused: the predicate as one loop writing the selection vector, `a + b * 2` as one
 *   loop over the selected rows (gather and compute in one pass), `c` gathered;
 * - unfused late: one kernel per operation over every row, then the kept rows gathered;
 * - unfused early: the kept rows of a, b, c gathered, then one kernel per operation.
 *
 *   node dist/bench/filter-project.js [--seconds N] [--nulls 0.05] [--cut 0.5] [--way fused|late|early] [--no-parts]
 */
import { Field, makeData, RecordBatch, Schema, Struct, type Data } from 'apache-arrow';
import { builtinFunctions } from '../src/functions/builtins.js';
import type { EvalContext } from '../src/functions/scalar-function.js';
import type { BoundExpression } from '../src/plan/expression.js';
import { arrowType, type ColumnSchema } from '../src/runtime/arrow-types.js';
import {
  compileExpression, compileFilter, compileFilterProject, compileProjection, type FilterStrategy,
} from '../src/runtime/expressions/index.js';
import type { QueryStatement, Select } from '../src/sql/ast.js';
import { ExpressionBinder, ParameterTypes } from '../src/sql/binder/expression-binder.js';
import { parseScript } from '../src/sql/parser.js';
import { Types } from '../src/types/sql-type.js';
import { DEFAULT_FORMAT_SETTINGS } from '../src/types/text-format.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const text = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const SECONDS = option('seconds', 2);
const CUTS = text('cut') ? [text('cut')!] : ['0.5', '0.1', '0.9'];
type Way = 'fused' | 'early' | 'late';
const WAYS = (text('way') ? [text('way')] : ['fused', 'late', 'early']) as Way[];
const PARTS = !args.includes('--no-parts');
const NULLS = option('nulls', 0);
const ROWS = 4096;
const BATCHES = 32;

const columns: ColumnSchema[] = [
  { name: 'a', type: Types.int8, nullable: NULLS > 0 },
  { name: 'b', type: Types.int4, nullable: NULLS > 0 },
  { name: 'c', type: Types.float8, nullable: NULLS > 0 },
];

const ctx: EvalContext = {
  setting: () => undefined,
  setSetting: (_n, v) => v,
  transactionStart: 0,
  statementStart: 0,
  user: 'bench',
  database: 'bench',
  processId: 0,
  format: DEFAULT_FORMAT_SETTINGS,
  signal: new AbortController().signal,
};

function bind(sql: string): BoundExpression {
  const body = (parseScript(`SELECT ${sql}`)[0]!.statement as QueryStatement).query.body as Select;
  const item = body.items[0] as Extract<Select['items'][number], { kind: 'item' }>;
  const binder = new ExpressionBinder(builtinFunctions(), new ParameterTypes(), {
    resolve: (ref) => {
      const index = columns.findIndex((c) => c.name === ref.name);
      return index < 0 ? undefined : { kind: 'column', type: columns[index]!.type, index, name: ref.name };
    },
  }, () => DEFAULT_FORMAT_SETTINGS);
  return binder.bind(item.expr);
}

/** A seeded xorshift, so runs compare. */
let seed = 0x2545f491;
function random(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}

function nullBitmap(): Uint8Array | undefined {
  if (NULLS <= 0) return undefined;
  const b = new Uint8Array(ROWS / 8);
  for (let i = 0; i < ROWS; i++) if (random() >= NULLS) b[i >> 3]! |= 1 << (i & 7);
  return b;
}

/** a uniform in [0, 1000), so `a > 10` keeps 99%; c uniform in [0, 1): `c < x` keeps x. */
function makeBatches(): RecordBatch[] {
  const fields = columns.map((c) => new Field(c.name, arrowType(c.type), c.nullable));
  return Array.from({ length: BATCHES }, () => {
    const a = new BigInt64Array(ROWS);
    const b = new Int32Array(ROWS);
    const c = new Float64Array(ROWS);
    for (let i = 0; i < ROWS; i++) {
      a[i] = BigInt(Math.floor(random() * 1000));
      b[i] = Math.floor(random() * 2_000_000) - 1_000_000;
      c[i] = random();
    }
    const children: Data[] = [a, b, c].map((values, j) =>
      makeData({ type: fields[j]!.type, length: ROWS, data: values, nullBitmap: nullBitmap() } as never));
    return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: ROWS, nullCount: 0, children }));
  });
}

/** Runs f over the batches for SECONDS of CPU time; returns input rows per CPU second. */
function measure(batches: RecordBatch[], f: (b: RecordBatch) => unknown): number {
  // Warm up the JIT (and let the heap settle) for a quarter of the measuring time.
  const warm = process.cpuUsage();
  for (let k = 0; ; k++) {
    f(batches[k % batches.length]!);
    if (k % 50 === 49) {
      const u = process.cpuUsage(warm);
      if (u.user + u.system > SECONDS * 0.25e6) break;
    }
  }
  const start = process.cpuUsage();
  let rows = 0;
  let cpu = 0;
  for (let round = 0; cpu < SECONDS * 1e6; round++) {
    for (let k = 0; k < 50; k++) {
      const b = batches[(round * 50 + k) % batches.length]!;
      f(b);
      rows += b.numRows;
    }
    const u = process.cpuUsage(start);
    cpu = u.user + u.system;
  }
  return rows / (cpu / 1e6);
}

const fmt = (r: number): string => `${(r / 1e6).toFixed(1).padStart(6)} M rows/s`;

const batches = makeBatches();
const projection = [
  { name: 'x', expr: bind('a + b * 2') },
  { name: 'c', expr: bind('c') },
];

console.log(`filter + project over ${BATCHES} batches of ${ROWS} rows (a bigint, b integer, c double precision)` +
  `${NULLS > 0 ? `, ${NULLS * 100}% NULLs` : ', no NULLs'}; ${SECONDS} s CPU per figure; per core (user + sys)`);

for (const cut of CUTS) {
  const where = bind(`a > 10 AND c < ${cut}`);
  const fused = compileFilterProject(where, projection, columns, ctx);
  const unfused = compileFilterProject(where, projection, columns, ctx, { fuse: false });
  const kept = fused.run(batches[0]!).numRows / ROWS;
  console.log(`\nWHERE a > 10 AND c < ${cut}  (keeps ${(kept * 100).toFixed(0)}%)`);
  for (const way of WAYS) {
    const run = way === 'fused' ? (b: RecordBatch) => fused.run(b) : (b: RecordBatch) => unfused.run(b, [], { strategy: way as FilterStrategy });
    console.log(`  filter + project, ${way === 'fused' ? 'fused        ' : `unfused ${way.padEnd(5)}`}  ${fmt(measure(batches, run))}`);
  }
}

if (PARTS) {
  console.log('\nparts');
  const filter = compileFilter(bind('a > 10 AND c < 0.5'), columns, ctx);
  console.log(`  filter selection (a > 10 AND c < 0.5) ${fmt(measure(batches, (b) => filter.selection(b)))}`);
  const project = compileProjection(projection, columns, ctx);
  console.log(`  project every row (a + b * 2, c)      ${fmt(measure(batches, (b) => project.project(b)))}`);
  const sum = compileExpression(bind('a + b * 2'), columns, ctx);
  console.log(`  a + b * 2 alone                       ${fmt(measure(batches, (b) => sum.evaluate(b)))}`);
  const cmp = compileExpression(bind('a > 10'), columns, ctx);
  console.log(`  a > 10 alone                          ${fmt(measure(batches, (b) => cmp.evaluate(b)))}`);
  const fcmp = compileExpression(bind('c < 0.5'), columns, ctx);
  console.log(`  c < 0.5 alone                         ${fmt(measure(batches, (b) => fcmp.evaluate(b)))}`);
}

console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`);
