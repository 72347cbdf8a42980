/**
 * Compiles a BoundExpression (src/plan/expression.ts) into a tree of vectorized nodes
 * that evaluate it over a whole Arrow batch at once, with exactly the results of the
 * row-at-a-time reference evaluator (src/plan/evaluate.ts).
 *
 * Subtrees of two or more fixed-width operations become one fused loop (./fuse.ts);
 * other calls run their fast kernel (./kernels.ts: one typed-array loop per operation)
 * or, lacking one, the generic row-by-row kernel (./generic.ts); casts likewise
 * (./casts.ts); AND / OR / NOT, IS NULL, IN, CASE and COALESCE are nodes here.
 *
 * Short circuits. The reference stops evaluating AND at the first FALSE, OR at the first
 * TRUE, CASE at the first matching WHEN and COALESCE at the first non-NULL argument, so
 * `b <> 0 AND a / b > 1` never divides by zero. The nodes evaluate whole columns, so they
 * carry an `active` mask instead: the rows whose value is actually needed. A node may
 * compute anything for an inactive row, but raises errors (and calls volatile
 * functions) only for active ones. Masks are only built where a later operand can fail.
 */
import type { Data, RecordBatch, Vector } from 'apache-arrow';
import { SabotError, SqlState } from '../../errors.js';
import type { EvalContext } from '../../functions/scalar-function.js';
import type { BoundExpression } from '../../plan/expression.js';
import { Types, type SqlType } from '../../types/sql-type.js';
import type { ColumnSchema } from '../arrow-types.js';
import { castKernel } from './casts.js';
import {
  type Col, ColumnBuilder, bytesOf, dataFromCol, detach, FRESH, isVariable, isValid, type Mem, NULL_SCALAR, packBits, physOf,
  physScalar, Scalar, Scratch, unpackBits, Vec, vectorFromCol,
} from './columns.js';
import { Frame, type RowErrorHandler } from './frame.js';
import { genericCall } from './generic.js';
import { Fused } from './fuse.js';
import { inList } from './in-list.js';
import { type CallKernel, fastKernel, registerBuiltinKernels } from './kernels.js';
import { registerLikeKernels } from './like.js';
import { registerTextKernels } from './text-kernels.js';

registerBuiltinKernels();
registerLikeKernels();
registerTextKernels();

/** One compiled expression node. */
export interface Node {
  readonly type: SqlType;
  /** Can some row raise an error or have an effect (a volatile function)? */
  readonly canFail: boolean;
  /** Set for constants. */
  readonly constant?: Scalar;
  /** The same value for every row of a batch (constants, parameters). */
  readonly uniform?: boolean;
  /** Set for a bare column reference. */
  readonly column?: number;
  /** Whether the node took the fast path all the way down (for tests and EXPLAIN). */
  readonly fast: boolean;
  /** Set when the node is a fused loop. */
  readonly fused?: Fused;
  eval(f: Frame, active: Uint8Array | null): Col;
}

/** How to compile. */
export interface CompileOptions {
  /** Fuse trees of fixed-width operations into single loops (default true; false measures the unfused kernels). */
  fuse?: boolean;
}

export interface EvaluateOptions {
  /**
   * Report a failing row here and go on (its result is unspecified) instead of throwing.
   * Rows are batch indexes; each failed row is reported once, with its first error.
   */
  onRowError?: RowErrorHandler;
  /** Rows to compute (one byte per row, 1 = compute); the others are unspecified. */
  active?: Uint8Array | null;
}

export interface CompiledExpression {
  readonly type: SqlType;
  /** Input columns the expression reads, ascending. */
  readonly columns: readonly number[];
  /** True when every operation of the expression has a typed-array kernel. */
  readonly vectorized: boolean;
  /** The expression for every row of the batch: a column of `type`, batch.numRows long. */
  evaluate(batch: RecordBatch, params?: readonly unknown[], options?: EvaluateOptions): Data;
  evaluateVector(batch: RecordBatch, params?: readonly unknown[], options?: EvaluateOptions): Vector;
}

/** Compiles an expression over batches whose columns are `input`. */
export function compileExpression(expr: BoundExpression, input: readonly ColumnSchema[], ctx: EvalContext,
  opts: CompileOptions = {}): CompiledExpression {
  const node = compileNode(expr, input, opts);
  const columns = [...referencedColumns(expr)].sort((a, b) => a - b);
  const scratch = new Scratch();
  const run = (batch: RecordBatch, params: readonly unknown[], options: EvaluateOptions): Col => {
    scratch.reset();
    const f = new Frame(batch.numRows, batch, input, params, ctx, options.onRowError ?? null, scratch);
    const active = options.active ?? null;
    // A fused loop writes its result straight into fresh memory.
    if (node.fused) return node.fused.evaluate(f, active, null, FRESH);
    return detach(node.eval(f, active), scratch);
  };
  return {
    type: expr.type,
    columns,
    vectorized: node.fast,
    evaluate: (batch, params = [], options = {}) => dataFromCol(run(batch, params, options), expr.type, batch.numRows),
    evaluateVector: (batch, params = [], options = {}) => vectorFromCol(run(batch, params, options), expr.type, batch.numRows),
  };
}

/** The input columns an expression reads. */
export function referencedColumns(e: BoundExpression, into = new Set<number>()): Set<number> {
  switch (e.kind) {
    case 'column': into.add(e.index); break;
    case 'constant': case 'parameter': break;
    case 'call': case 'and': case 'or': case 'coalesce': for (const a of e.args) referencedColumns(a, into); break;
    case 'cast': referencedColumns(e.expr, into); break;
    case 'not': case 'is-null': referencedColumns(e.arg, into); break;
    case 'in-list': referencedColumns(e.arg, into); for (const x of e.list) referencedColumns(x, into); break;
    case 'case':
      for (const w of e.whens) { referencedColumns(w.when, into); referencedColumns(w.then, into); }
      referencedColumns(e.else, into);
      break;
  }
  return into;
}

export function compileNode(e: BoundExpression, input: readonly ColumnSchema[], opts: CompileOptions = {}): Node {
  // A tree of two or more fixed-width operations runs as one fused loop.
  if (opts.fuse !== false) {
    const fused = Fused.build(e, (x) => compileNode(x, input, opts));
    if (fused && fused.ops >= 2) return fusedNode(fused);
  }
  return compileUnfused(e, input, opts);
}

function fusedNode(fused: Fused): Node {
  return {
    type: fused.type, canFail: fused.canFail, fast: fused.fast, fused,
    eval: (f, active) => fused.evaluate(f, active, null, f.mem),
  };
}

function compileUnfused(e: BoundExpression, input: readonly ColumnSchema[], opts: CompileOptions): Node {
  switch (e.kind) {
    case 'constant': {
      const constant = new Scalar(e.value ?? null);
      return { type: e.type, canFail: false, constant, uniform: true, fast: true, eval: () => constant };
    }
    case 'parameter': {
      const index = e.index;
      return { type: e.type, canFail: false, uniform: true, fast: true, eval: (f) => new Scalar(f.params[index] ?? null) };
    }
    case 'column': {
      const col = input[e.index];
      if (!col) throw new SabotError(SqlState.internalError, `expression reads column ${e.index} of ${input.length}`);
      if (physOf(col.type) !== physOf(e.type)) {
        throw new SabotError(SqlState.internalError, `column ${e.name} is ${col.type.name}, expression expects ${e.type.name}`);
      }
      const index = e.index;
      return { type: e.type, canFail: false, column: index, fast: true, eval: (f) => f.column(index) };
    }
    case 'call':
      return callNode(e, input, opts);
    case 'cast': {
      const arg = compileNode(e.expr, input, opts);
      const k = castKernel(e.expr.type, e.type);
      return {
        type: e.type, canFail: arg.canFail || k.canFail, fast: arg.fast && k.fast,
        eval: (f, active) => k.run(f, arg.eval(f, active), active),
      };
    }
    case 'and':
    case 'or':
      return logicalNode(e.args.map((a) => compileNode(a, input, opts)), e.kind === 'or');
    case 'not': {
      const arg = compileNode(e.arg, input, opts);
      return { type: Types.bool, canFail: arg.canFail, fast: arg.fast, eval: (f, active) => not(arg.eval(f, active), f.n, f.mem) };
    }
    case 'is-null': {
      const arg = compileNode(e.arg, input, opts);
      const negated = e.negated;
      return {
        type: Types.bool, canFail: arg.canFail, fast: arg.fast,
        eval: (f, active) => isNull(arg.eval(f, active), negated, f.n, f.mem),
      };
    }
    case 'in-list': {
      const arg = compileNode(e.arg, input, opts);
      const list = e.list.map((x) => compileNode(x, input, opts));
      const type = e.arg.type;
      const negated = e.negated;
      return {
        type: Types.bool, canFail: arg.canFail || list.some((x) => x.canFail),
        fast: arg.fast && list.every((x) => x.fast && x.column === undefined) && (!isVariable(physOf(type)) || ['text', 'varchar', 'bpchar', 'name', 'jsonb'].includes(type.kind)),
        eval: (f, active) => inList(arg.eval(f, active), list.map((x) => x.eval(f, active)), type, negated, f.n, f.mem),
      };
    }
    case 'case':
      return caseNode(e, input, opts);
    case 'coalesce':
      return coalesceNode(e.type, e.args.map((a) => compileNode(a, input, opts)));
  }
}

function callNode(e: Extract<BoundExpression, { kind: 'call' }>, input: readonly ColumnSchema[], opts: CompileOptions): Node {
  const args = e.args.map((a) => compileNode(a, input, opts));
  const fn = e.fn;
  const kernel: CallKernel | undefined = fastKernel(fn, args.map((a) => ({ constant: a.constant, uniform: a.uniform ?? false })));
  const types = args.map((a) => a.type);
  const argsCanFail = args.some((a) => a.canFail);
  if (kernel) {
    return {
      type: e.type, canFail: argsCanFail || kernel.canFail, fast: (kernel.fast ?? true) && args.every((a) => a.fast),
      eval(f, active) {
        const cols = new Array<Col>(args.length);
        for (let k = 0; k < args.length; k++) cols[k] = args[k]!.eval(f, active);
        return kernel.run(f, cols, active);
      },
    };
  }
  return {
    type: e.type, canFail: true, fast: false,
    eval(f, active) {
      const cols = args.map((a) => a.eval(f, active));
      return genericCall(f, fn, cols, types, e.type, active);
    },
  };
}

// ---------------------------------------------------------------------------------------
// Logic

function not(c: Col, n: number, mem: Mem): Col {
  if (c.isScalar) return c.value === null ? c : new Scalar(!c.value);
  const v = c.values as Uint8Array;
  const out = mem.u8(n);
  for (let i = 0; i < n; i++) out[i] = v[i]! ^ 1;
  return new Vec(n, out, c.validity);
}

function isNull(c: Col, negated: boolean, n: number, mem: Mem): Col {
  if (c.isScalar) return new Scalar((c.value === null) !== negated);
  if (c.validity === null) return new Scalar(negated);
  const valid = unpackBits(c.validity, 0, n, mem);
  if (!negated) for (let i = 0; i < n; i++) valid[i] = valid[i]! ^ 1;
  return new Vec(n, valid, null);
}

/** active minus the rows already decided: AND keeps rows still true, OR rows still false. */
function undecided(active: Uint8Array | null, acc: Uint8Array, isOr: boolean, n: number, mem: Mem): { mask: Uint8Array; any: boolean } {
  const mask = mem.u8(n);
  let any = 0;
  const flip = isOr ? 1 : 0;
  for (let i = 0; i < n; i++) {
    const m = (acc[i]! ^ flip) & (active === null ? 1 : active[i]!);
    mask[i] = m;
    any |= m;
  }
  return { mask, any: any !== 0 };
}

/**
 * SQL's three-valued AND / OR. `acc` holds, per row, AND: no FALSE seen yet; OR: a TRUE
 * seen. `unknown` marks rows where some operand was NULL. The result is decided where
 * acc says so, else NULL if unknown, else TRUE (AND) / FALSE (OR).
 */
function logicalNode(args: Node[], isOr: boolean): Node {
  const canFail = args.some((a) => a.canFail);
  return {
    type: Types.bool, canFail, fast: args.every((a) => a.fast),
    eval(f, active) {
      const n = f.n;
      let acc: Uint8Array | null = null;
      let owned = false;
      let unknown: Uint8Array | null = null;
      let allUnknown = false;
      for (const arg of args) {
        let act = active;
        if (arg.canFail && acc !== null) {
          const u = undecided(active, acc, isOr, n, f.mem);
          if (!u.any) break;
          act = u.mask;
        }
        const c = arg.eval(f, act);
        if (c.isScalar) {
          if (c.value === null) allUnknown = true;
          else if (c.value === isOr) return new Scalar(isOr);
          continue;
        }
        const v = c.values as Uint8Array;
        const valid = c.validity;
        if (acc === null && valid === null) {
          acc = v;
          continue;
        }
        const out: Uint8Array = owned ? acc! : f.mem.u8(n);
        const prev = acc;
        if (valid === null) {
          if (isOr) for (let i = 0; i < n; i++) out[i] = prev![i]! | v[i]!;
          else for (let i = 0; i < n; i++) out[i] = prev![i]! & v[i]!;
        } else {
          const u = unknown ?? (unknown = f.mem.zeros(n));
          for (let i = 0; i < n; i++) {
            const bit = (valid[i >> 3]! >> (i & 7)) & 1;
            const p = prev === null ? (isOr ? 0 : 1) : prev[i]!;
            out[i] = isOr ? p | (v[i]! & bit) : p & (v[i]! | (bit ^ 1));
            u[i] = u[i]! | (bit ^ 1);
          }
        }
        acc = out;
        owned = true;
      }
      if (acc === null) return allUnknown ? NULL_SCALAR : new Scalar(!isOr);
      if (!allUnknown && unknown === null) return new Vec(n, acc, null);
      // NULL where undecided and a NULL was seen.
      const valid = f.mem.u8(n);
      for (let i = 0; i < n; i++) {
        const open = isOr ? acc[i]! ^ 1 : acc[i]!;
        const sawNull = allUnknown ? 1 : unknown![i]!;
        valid[i] = (open & sawNull) ^ 1;
      }
      return new Vec(n, acc, packBits(valid, n, f.mem));
    },
  };
}

// ---------------------------------------------------------------------------------------
// CASE and COALESCE: pick, per row, the operand that gives the result

/**
 * Builds the result from per-row choices: choice[i] is the index of the operand whose
 * row i is the result, or -1 for NULL.
 */
function blend(type: SqlType, n: number, choice: Int32Array, cols: readonly (Col | undefined)[], mem: Mem): Col {
  if (n === 0) return NULL_SCALAR;
  const first = choice[0]!;
  let uniform = true;
  for (let i = 1; i < n; i++) if (choice[i] !== first) { uniform = false; break; }
  if (uniform) return (first < 0 ? undefined : cols[first]) ?? NULL_SCALAR;
  const p = physOf(type);
  if (isVariable(p)) {
    const b = new ColumnBuilder(type, n);
    const scalarBytes = cols.map((c) => (c?.isScalar && c.value !== null ? bytesOf(type, c.value) : null));
    for (let i = 0; i < n; i++) {
      const k = choice[i]!;
      const c = k < 0 ? undefined : cols[k];
      if (c === undefined || (c.isScalar && c.value === null)) b.setNull(i);
      else if (c.isScalar) b.setBytes(i, scalarBytes[k]!);
      else b.copy(i, c, i);
    }
    return b.finish();
  }
  const out = mem.fixed(p, n) as unknown as (number | bigint)[];
  const nulls = mem.zeros(n);
  let anyNull = false;
  const scalars = cols.map((c) => (c?.isScalar && c.value !== null ? physScalar(type, c.value) : null));
  for (let i = 0; i < n; i++) {
    const k = choice[i]!;
    const c = k < 0 ? undefined : cols[k];
    if (c === undefined || (c.isScalar && c.value === null) || (!c.isScalar && !isValid(c.validity, i))) {
      nulls[i] = 1;
      anyNull = true;
    } else {
      out[i] = c.isScalar ? scalars[k]! : c.values[i]!;
    }
  }
  let validity: Uint8Array | null = null;
  if (anyNull) {
    for (let i = 0; i < n; i++) nulls[i] = nulls[i]! ^ 1;
    validity = packBits(nulls, n, mem);
  }
  return new Vec(n, out as unknown as Uint8Array, validity);
}

/** Mask of the active rows whose choice is k. */
function chosen(active: Uint8Array | null, choice: Int32Array, k: number, n: number, mem: Mem): { mask: Uint8Array; any: boolean } {
  const mask = mem.u8(n);
  let any = 0;
  for (let i = 0; i < n; i++) {
    const m = (choice[i] === k ? 1 : 0) & (active === null ? 1 : active[i]!);
    mask[i] = m;
    any |= m;
  }
  return { mask, any: any !== 0 };
}

function caseNode(e: Extract<BoundExpression, { kind: 'case' }>, input: readonly ColumnSchema[], opts: CompileOptions): Node {
  const whens = e.whens.map((w) => ({ when: compileNode(w.when, input, opts), then: compileNode(w.then, input, opts) }));
  const otherwise = compileNode(e.else, input, opts);
  const all = [...whens.flatMap((w) => [w.when, w.then]), otherwise];
  const type = e.type;
  const ELSE = whens.length;
  return {
    type, canFail: all.some((x) => x.canFail), fast: all.every((x) => x.fast),
    eval(f, active) {
      const n = f.n;
      // choice[i]: the WHEN that matched row i, or ELSE; -2 while undecided.
      const choice = f.mem.i32(n).fill(-2);
      let open = true;
      for (let k = 0; k < whens.length && open; k++) {
        const w = whens[k]!;
        let act = active;
        if (w.when.canFail && k > 0) {
          const c = chosen(active, choice, -2, n, f.mem);
          if (!c.any) break;
          act = c.mask;
        }
        const c = w.when.eval(f, act);
        if (c.isScalar) {
          if (c.value === true) {
            for (let i = 0; i < n; i++) if (choice[i] === -2) choice[i] = k;
            open = false;
          }
          continue;
        }
        const v = c.values as Uint8Array;
        const valid = c.validity;
        for (let i = 0; i < n; i++) {
          if (choice[i] === -2 && v[i] === 1 && isValid(valid, i)) choice[i] = k;
        }
      }
      for (let i = 0; i < n; i++) if (choice[i] === -2) choice[i] = ELSE;
      const results: (Col | undefined)[] = new Array(whens.length + 1);
      for (let k = 0; k <= whens.length; k++) {
        const node = k === ELSE ? otherwise : whens[k]!.then;
        const c = chosen(active, choice, k, n, f.mem);
        if (!c.any) continue;
        results[k] = node.eval(f, node.canFail ? c.mask : active);
      }
      return blend(type, n, choice, results, f.mem);
    },
  };
}

function coalesceNode(type: SqlType, args: Node[]): Node {
  return {
    type, canFail: args.some((a) => a.canFail), fast: args.every((a) => a.fast),
    eval(f, active) {
      const n = f.n;
      // choice[i]: the first argument not NULL in row i, -1 while there is none.
      const choice = f.mem.i32(n).fill(-1);
      const cols: (Col | undefined)[] = new Array(args.length);
      for (let k = 0; k < args.length; k++) {
        const arg = args[k]!;
        let act = active;
        if (k > 0) {
          const c = chosen(active, choice, -1, n, f.mem);
          if (!c.any) break;
          if (arg.canFail) act = c.mask;
        }
        const c = arg.eval(f, act);
        cols[k] = c;
        if (c.isScalar) {
          if (c.value !== null) {
            for (let i = 0; i < n; i++) if (choice[i] === -1) choice[i] = k;
            break;
          }
          continue;
        }
        const valid = c.validity;
        if (valid === null) {
          for (let i = 0; i < n; i++) if (choice[i] === -1) choice[i] = k;
          break;
        }
        for (let i = 0; i < n; i++) if (choice[i] === -1 && isValid(valid, i)) choice[i] = k;
      }
      return blend(type, n, choice, cols, f.mem);
    },
  };
}
