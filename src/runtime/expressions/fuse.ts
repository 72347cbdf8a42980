/**
 * Loop fusion: a tree of fixed-width operations (arithmetic, comparisons, numeric
 * casts, AND / OR / NOT, IS NULL) compiled into one generated loop that computes the
 * whole tree for a row before going to the next, without intermediate columns.
 *
 * Why: in V8 every pass over a batch costs 1-2 ns per row whatever it computes (the
 * loop, bounds checks and typed-array loads do not vectorize), so `a + b * 2` as three
 * kernels costs three passes and three intermediate arrays where one fused pass does.
 * A filter fuses its predicate with the selection vector it produces, and a projection
 * after a filter fuses the gather: it reads row sel[q] of its inputs and writes output
 * row q, computing only the kept rows.
 *
 * Inputs of the loop ("leaves") are the columns and the subtrees that do not fuse
 * (strings, CASE, generic functions...), evaluated by their own nodes first; constants
 * are written into the code. NULLs follow SQL: each value carries a null flag z (0/1),
 * strict operations or the flags of their operands, AND / OR / NOT apply three-valued
 * logic to (value, flag) pairs. Code is generated per batch shape (which leaves are
 * scalars and which have NULLs) and cached.
 *
 * Exactness: the loop computes optimistically. A row it cannot compute exactly (the
 * `bad` test of an operation: overflow, division by zero, NaN, a value beyond the fast
 * range) goes, whole, through the reference evaluator (src/plan/evaluate.ts) with the
 * row's leaf values: it gives the exact value, or raises the exact error, and honours
 * the short circuits of AND and OR that the loop ignores.
 */
import type { EvalContext } from '../../functions/scalar-function.js';
import { evaluateScalar } from '../../plan/evaluate.js';
import type { BoundExpression } from '../../plan/expression.js';
import type { SqlType } from '../../types/sql-type.js';
import { castKernel } from './casts.js';
import {
  bitmapBytes, type Col, type FixedArray, isVariable, type Mem, physOf, physScalar, readValue, Vec,
} from './columns.js';
import type { Frame } from './frame.js';
import { fastKernel, type Fusion } from './kernels.js';

/** The part of a compiled node a fused loop needs of its leaves. */
export interface LeafNode {
  readonly type: SqlType;
  readonly canFail: boolean;
  readonly fast: boolean;
  eval(f: Frame, active: Uint8Array | null): Col;
}

type Mode = 'dense' | 'sel' | 'filter';

type Loop = (start: number, end: number, st: Int32Array, O: unknown, Z: Uint8Array | null, S: Int32Array | null,
  V: readonly unknown[], B: readonly (Uint8Array | null)[]) => number;

class NotFusable extends Error {}

/** An operation the loop computes inline (as opposed to a leaf). */
function inlineOp(e: BoundExpression): Fusion | 'logic' | undefined {
  switch (e.kind) {
    case 'call': {
      if (e.args.some((a) => isVariable(physOf(a.type))) || isVariable(physOf(e.type))) return undefined;
      return fastKernel(e.fn)?.fusion;
    }
    case 'cast':
      if (isVariable(physOf(e.expr.type)) || isVariable(physOf(e.type))) return undefined;
      return castKernel(e.expr.type, e.type).fusion;
    case 'and': case 'or': case 'not': case 'is-null':
      return 'logic';
    default:
      return undefined;
  }
}

/** A constant written into the code: a JS literal of its physical value. */
function literal(type: SqlType, value: unknown): string | undefined {
  if (value === null || isVariable(physOf(type))) return undefined;
  const v = physScalar(type, value);
  if (typeof v === 'bigint') return `${v}n`;
  if (Object.is(v, -0)) return '-0';
  if (Number.isNaN(v)) return 'NaN';
  return v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : `(${String(v)})`;
}

export class Fused {
  /** Inputs of the loop, in order. */
  readonly leaves: LeafNode[] = [];
  readonly leafExprs: BoundExpression[] = [];
  /** The fused tree with leaf k replaced by column k: what slow rows are evaluated with. */
  readonly reference: BoundExpression;
  /** Number of inline operations. */
  ops = 0;
  /** Whether some inline operation can send a row to the slow path (and so fail). */
  private failing = false;
  readonly type: SqlType;
  readonly canFail: boolean;
  readonly fast: boolean;
  private readonly loops = new Map<string, { loop: Loop; nullable: boolean }>();
  /** Leaves whose values the loop reads (not only their NULL flags). */
  private readonly valueUsed: boolean[] = [];

  private constructor(expr: BoundExpression, compileLeaf: (e: BoundExpression) => LeafNode) {
    this.type = expr.type;
    this.reference = this.collect(expr, compileLeaf, false);
    this.canFail = this.failing || this.leaves.some((l) => l.canFail);
    this.fast = this.leaves.every((l) => l.fast);
  }

  /** The fused form of an expression whose root is an inline operation, or undefined. */
  static build(e: BoundExpression, compileLeaf: (e: BoundExpression) => LeafNode): Fused | undefined {
    if (inlineOp(e) === undefined || isVariable(physOf(e.type))) return undefined;
    try {
      return new Fused(e, compileLeaf);
    } catch (err) {
      if (err instanceof NotFusable) return undefined;
      throw err;
    }
  }

  /**
   * Walks the tree: inline operations stay, constants stay (written into the code),
   * everything else becomes a leaf. A leaf that can fail under AND / OR would be
   * evaluated for rows the reference skips, so such trees do not fuse.
   */
  private collect(e: BoundExpression, compileLeaf: (e: BoundExpression) => LeafNode, guarded: boolean): BoundExpression {
    const op = inlineOp(e);
    if (op !== undefined) {
      if (op !== 'logic') {
        this.ops++;
        if (op.bad !== null) this.failing = true;
      }
      switch (e.kind) {
        case 'call': return { ...e, args: e.args.map((a) => this.collect(a, compileLeaf, guarded)) };
        case 'cast': return { ...e, expr: this.collect(e.expr, compileLeaf, guarded) };
        case 'and': case 'or': this.ops++; return { ...e, args: e.args.map((a) => this.collect(a, compileLeaf, true)) };
        case 'not': this.ops++; return { ...e, arg: this.collect(e.arg, compileLeaf, guarded) };
        case 'is-null': {
          this.ops++;
          // Only the NULL flag of the operand is read: any type will do.
          const arg = inlineOp(e.arg) === undefined || isVariable(physOf(e.arg.type))
            ? this.leaf(e.arg, compileLeaf, guarded, false) : this.collect(e.arg, compileLeaf, guarded);
          return { ...e, arg };
        }
        default: break;
      }
    }
    if (e.kind === 'constant' && literal(e.type, e.value) !== undefined) return e;
    if (isVariable(physOf(e.type))) throw new NotFusable();
    return this.leaf(e, compileLeaf, guarded, true);
  }

  private leaf(e: BoundExpression, compileLeaf: (e: BoundExpression) => LeafNode, guarded: boolean, value: boolean): BoundExpression {
    // The same column read twice is one leaf.
    let k = e.kind === 'column' ? this.leafExprs.findIndex((x) => x.kind === 'column' && x.index === e.index) : -1;
    if (k < 0) {
      const node = compileLeaf(e);
      if (node.canFail && guarded) throw new NotFusable();
      k = this.leaves.length;
      this.leaves.push(node);
      this.leafExprs.push(e);
      this.valueUsed.push(false);
    }
    if (value) this.valueUsed[k] = true;
    return { kind: 'column', type: e.type, index: k, name: `$leaf${k}` };
  }

  // -------------------------------------------------------------------------------------
  // Code generation

  /**
   * Shape of leaf k in a batch: 'v' a column without NULLs, 'n' a column with NULLs,
   * 's' a non-null scalar, 'z' a NULL scalar.
   */
  private shapeOf(cols: readonly Col[]): string {
    let s = '';
    for (const c of cols) s += c.isScalar ? (c.value === null ? 'z' : 's') : c.validity === null ? 'v' : 'n';
    return s;
  }

  /** The loop for a mode and batch shape, and whether it writes NULL flags (Z). */
  private loop(mode: Mode, shape: string): { loop: Loop; nullable: boolean } {
    const key = mode + shape;
    let l = this.loops.get(key);
    if (!l) {
      const { source, nullable } = this.source(mode, shape);
      const loop = new Function('start', 'end', 'st', 'O', 'Z', 'S', 'V', 'B', `'use strict';\n${source}\n//# sourceURL=sabot-fused/${key}`) as Loop;
      l = { loop, nullable };
      this.loops.set(key, l);
    }
    return l;
  }

  private source(mode: Mode, shape: string): { source: string; nullable: boolean } {
    const pre: string[] = [];
    const row: string[] = [];
    this.leaves.forEach((leaf, k) => {
      const s = shape[k]!;
      const zero = physOf(leaf.type) === 'i64' ? '0n' : '0';
      if (this.valueUsed[k]) {
        if (s === 'v' || s === 'n') {
          pre.push(`const L${k} = V[${k}];`);
          row.push(`const l${k} = L${k}[i];`);
        } else {
          pre.push(`const l${k} = ${s === 'z' ? zero : `V[${k}]`};`);
        }
      }
      if (s === 'n') {
        pre.push(`const N${k} = B[${k}];`);
        row.push(`const z${k} = ((N${k}[i >> 3] >> (i & 7)) & 1) ^ 1;`);
      }
    });
    const bail = mode === 'filter' ? '{ st[0] = k; return i; }' : mode === 'sel' ? 'return q;' : 'return i;';
    const body: string[] = [];
    let temp = 0;
    const emit = (e: BoundExpression): { v: string; z: string } => {
      switch (e.kind) {
        case 'column': {
          const s = shape[e.index]!;
          return { v: `l${e.index}`, z: s === 'n' ? `z${e.index}` : s === 'z' ? '1' : '0' };
        }
        case 'constant':
          return { v: literal(e.type, e.value)!, z: '0' };
        case 'not': {
          const a = emit(e.arg);
          return { v: `(${a.v} ^ 1)`, z: a.z };
        }
        case 'is-null': {
          const a = emit(e.arg);
          return { v: e.negated ? `(${a.z} ^ 1)` : a.z, z: '0' };
        }
        case 'and': case 'or': {
          const parts = e.args.map(emit);
          const t = `t${temp++}`;
          const vs = parts.map((p) => p.v);
          if (parts.every((p) => p.z === '0')) {
            body.push(`const ${t} = ${vs.join(e.kind === 'and' ? ' & ' : ' | ')};`);
            return { v: t, z: '0' };
          }
          const z = `${t}z`;
          const zs = parts.map((p) => p.z).join(' | ');
          if (e.kind === 'and') {
            // Decided FALSE by a valid FALSE operand; else NULL if some operand is NULL.
            const f = parts.map((p) => `((${p.v} ^ 1) & (${p.z} ^ 1))`).join(' | ');
            body.push(`const ${t}f = ${f}, ${t}n = ${zs};`, `const ${t} = (${t}f | ${t}n) ^ 1, ${z} = ${t}n & (${t}f ^ 1);`);
          } else {
            const tr = parts.map((p) => `(${p.v} & (${p.z} ^ 1))`).join(' | ');
            body.push(`const ${t}t = ${tr}, ${t}n = ${zs};`, `const ${t} = ${t}t, ${z} = ${t}n & (${t}t ^ 1);`);
          }
          return { v: t, z };
        }
        case 'call': case 'cast': {
          const fusion = inlineOp(e) as Fusion;
          const args = e.kind === 'call' ? e.args.map(emit) : [emit(e.expr)];
          const t = `t${temp++}`;
          const zs = args.map((a) => a.z).filter((z) => z !== '0');
          const z = zs.length === 0 ? '0' : zs.includes('1') ? '1' : `(${zs.join(' | ')})`;
          const names = ['a', 'b'];
          const binds = args.map((a, k) => `${names[k]} = ${a.v}`).join(', ');
          const check = fusion.bad === null ? '' : z === '0' ? `if (${fusion.bad}) ${bail}` : `if ((${fusion.bad}) && ${z} === 0) ${bail}`;
          // `| 0` tells V8 a small integer result is an int32, which keeps a following
          // BigInt(x) (int4 to int8) in machine registers: 2 ns per row instead of 20.
          const p = physOf(e.type);
          const narrow = p === 'i16' || p === 'i32' ? ' | 0' : '';
          body.push(`let ${t}; { const ${binds}; let r; ${fusion.compute} ${check} ${t} = r${narrow}; }`);
          return { v: t, z };
        }
        default:
          throw new Error(`not fusable: ${e.kind}`);
      }
    };
    // A filter keeps rows that are TRUE: NULL and FALSE alike are dropped, so AND / OR /
    // NOT need no three-valued (value, flag) pairs there, only "is TRUE" / "is FALSE" bits.
    const truth = (e: BoundExpression, want: boolean): string => {
      switch (e.kind) {
        case 'and': case 'or': {
          // AND is TRUE when all are, FALSE when one is; OR the other way round.
          const all = (e.kind === 'and') === want;
          return `(${e.args.map((a) => truth(a, want)).join(all ? ' & ' : ' | ')})`;
        }
        case 'not':
          return truth(e.arg, !want);
        default: {
          const { v, z } = emit(e);
          const bit = want ? v : `(${v} ^ 1)`;
          return z === '0' ? bit : `(${bit} & (${z} ^ 1))`;
        }
      }
    };
    const out = mode === 'filter' ? { v: truth(this.reference, true), z: '0' } : emit(this.reference);
    const lines = [...pre];
    if (mode === 'filter') lines.push('let k = st[0];');
    lines.push(mode === 'sel' ? 'for (let q = start; q < end; q++) {\nconst i = S[q];' : 'for (let i = start; i < end; i++) {');
    lines.push(...row, ...body);
    const at = mode === 'sel' ? 'q' : 'i';
    if (mode === 'filter') {
      lines.push('S[k] = i;', `k += ${out.v};`);
    } else {
      lines.push(`O[${at}] = ${out.v};`);
      if (out.z !== '0') lines.push(`Z[${at}] = ${out.z};`);
    }
    lines.push('}');
    if (mode === 'filter') lines.push('st[0] = k;');
    lines.push('return -1;');
    return { source: lines.join('\n'), nullable: out.z !== '0' };
  }

  // -------------------------------------------------------------------------------------
  // Running

  private leafCols(f: Frame, active: Uint8Array | null): Col[] {
    return this.leaves.map((l) => l.eval(f, active));
  }

  private args(cols: readonly Col[]): [unknown[], (Uint8Array | null)[]] {
    const V = cols.map((c, k) => (c.isScalar ? (c.value === null ? null : physScalar(this.leaves[k]!.type, c.value)) : c.values));
    const B = cols.map((c) => (c.isScalar ? null : c.validity));
    return [V, B];
  }

  /** Row i exactly, through the reference evaluator; a failure is reported and gives null. */
  private slowRow(f: Frame, cols: readonly Col[], i: number): unknown {
    const row = cols.map((c, k) => readValue(c, this.leaves[k]!.type, i));
    try {
      return evaluateScalar(this.reference, row, { params: f.params, context: f.ctx as EvalContext });
    } catch (err) {
      f.fail(i, err);
      return null;
    }
  }

  /**
   * The value for every row (dense) or for rows sel[0 .. m) (output row q is batch row
   * sel[q]). Rows not active are unspecified. Arrays come from `mem`.
   */
  evaluate(f: Frame, active: Uint8Array | null, sel: Int32Array | null, mem: Mem): Col {
    const cols = this.leafCols(f, active);
    const m = sel === null ? f.n : sel.length;
    // A NULL scalar leaf makes NULL rows, but the other operations still run: the
    // reference evaluates every argument of a strict function before it looks for NULLs.
    const shape = this.shapeOf(cols);
    const outPhys = physOf(this.type);
    const O = mem.fixed(outPhys, m);
    const { loop, nullable } = this.loop(sel === null ? 'dense' : 'sel', shape);
    let Z: Uint8Array | null = nullable ? mem.u8(m) : null;
    const [V, B] = this.args(cols);
    const st = new Int32Array(1);
    const o = O as unknown as (number | bigint)[];
    const zero = outPhys === 'i64' ? 0n : 0;
    let q = 0;
    while ((q = loop(q, m, st, O, Z, sel, V, B)) >= 0) {
      const i = sel === null ? q : sel[q]!;
      let v: unknown = null;
      if (active === null || active[i] !== 0) v = this.slowRow(f, cols, i);
      if (v === null) {
        o[q] = zero;
        if (Z === null) Z = mem.zeros(m);
        Z[q] = 1;
      } else {
        o[q] = physScalar(this.type, v);
        if (Z !== null) Z[q] = 0;
      }
      q++;
    }
    return new Vec(m, O as FixedArray, Z === null ? null : validityOfNulls(Z, m, mem));
  }

  /** Rows where the expression (a boolean) is TRUE, ascending, in an array from `mem`. */
  select(f: Frame, mem: Mem): Int32Array {
    const n = f.n;
    const cols = this.leafCols(f, null);
    const shape = this.shapeOf(cols);
    const S = mem.i32(n);
    const [V, B] = this.args(cols);
    const { loop } = this.loop('filter', shape);
    const st = new Int32Array(1);
    let i = 0;
    while ((i = loop(i, n, st, null, null, S, V, B)) >= 0) {
      if (this.slowRow(f, cols, i) === true) S[st[0]++] = i;
      i++;
    }
    return S.subarray(0, st[0]);
  }
}

/** A validity bitmap from NULL flags (one byte per row, 1 = NULL). */
function validityOfNulls(Z: Uint8Array, n: number, mem: Mem): Uint8Array {
  const out = mem.u8(bitmapBytes(n));
  const whole = n & ~7;
  let i = 0;
  for (; i < whole; i += 8) {
    out[i >> 3] = ((Z[i]! | (Z[i + 1]! << 1) | (Z[i + 2]! << 2) | (Z[i + 3]! << 3) | (Z[i + 4]! << 4)
      | (Z[i + 5]! << 5) | (Z[i + 6]! << 6) | (Z[i + 7]! << 7)) ^ 255);
  }
  if (i < n) {
    let last = 0;
    for (; i < n; i++) last |= (Z[i]! ^ 1) << (i & 7);
    out[n >> 3] = last;
  }
  return out;
}
