/**
 * The fast kernels, in a registry keyed by function name and argument types. The
 * function registry (src/functions/) stays the single source of truth for what exists
 * and what it means: a call is compiled to the kernel registered under its
 * `fn.name(fn.argTypes)` when there is one, and to the generic row-by-row kernel of
 * ./generic.ts otherwise. Every kernel here is strict, like the functions it replaces,
 * and hands the rows its loop cannot handle (overflow, division by zero, NaN, values
 * out of its fast range) to the scalar function itself, so results and errors are the
 * function's own.
 */
import type { ScalarFunction } from '../../functions/scalar-function.js';
import type { SqlType, TypeKind } from '../../types/sql-type.js';
import { type BinaryLoop, binaryLoop, runBinary, runUnary, type Shape, unaryLoop } from './codegen.js';
import {
  type Col, type FixedArray, isActive, isValid, NULL_SCALAR, physOf, physScalar, type Scalar, Vec,
  validityOf,
} from './columns.js';
import type { Frame } from './frame.js';
import { callRow, scalarCall } from './generic.js';
import { utf8Compare } from './strings.js';

/** A compiled call: takes the evaluated arguments, returns the result column. */
export interface CallKernel {
  /** Whether some row can raise an error (or has effects): decides short-circuit masks. */
  readonly canFail: boolean;
  /** False when the kernel will go row by row for these arguments (LIKE with a pattern column). */
  readonly fast?: boolean;
  /** The loop body, for kernels that can be fused into a larger loop (./fuse.ts). */
  readonly fusion?: Fusion;
  run(f: Frame, args: Col[], active: Uint8Array | null): Col;
}

/**
 * Code of one strict operation for fused loops: `compute` sets r from a (and b); `bad`
 * sends the row to the exact row-by-row evaluation. Both see fixed-width physical values.
 */
export interface Fusion {
  readonly compute: string;
  readonly bad: string | null;
}

/** What a kernel factory knows of an argument before any batch. */
export interface KernelArg {
  /** The value, when the argument is a constant. */
  readonly constant?: Scalar;
  /** The same for every row of a batch (a constant or a parameter). */
  readonly uniform: boolean;
}

/** Makes the kernel of one overload, for kernels that prepare their arguments once (LIKE). */
export type KernelFactory = (fn: ScalarFunction, args: readonly KernelArg[]) => CallKernel | undefined;

const registry = new Map<string, KernelFactory>();

export function kernelKey(name: string, argTypes: readonly (SqlType | TypeKind)[]): string {
  return `${name}(${argTypes.map((t) => (typeof t === 'string' ? t : t.kind)).join(',')})`;
}

/** Registers the fast kernel of `name(argTypes)`. */
export function registerKernel(name: string, argTypes: readonly TypeKind[], factory: KernelFactory): void {
  registry.set(kernelKey(name, argTypes), factory);
}

/** The fast kernel of a function overload, if it has one. */
export function fastKernel(fn: ScalarFunction, args: readonly KernelArg[] = []): CallKernel | undefined {
  if (fn.variadic) return undefined;
  return registry.get(kernelKey(fn.name, fn.argTypes))?.(fn, args);
}

/** The keys of every registered fast kernel (for tests and EXPLAIN). */
export function registeredKernels(): string[] {
  return [...registry.keys()].sort();
}

// ---------------------------------------------------------------------------------------
// Binary and unary kernels over generated loops

interface LoopSpec {
  /** Names the array types (the loops are cached per tag and body). */
  tag: string;
  /** Code setting r from a and b (or a). */
  compute: string;
  /** Sends a row to the scalar function; null when no row can. */
  bad: string | null;
  /** A cheaper `compute` for a shape with this scalar operand (a float comparison with a number that is not NaN). */
  specialize?: (shape: Shape, scalar: number | bigint) => string | undefined;
}

/** A strict binary function computed by a generated loop, with the scalar function as slow path. */
function binaryKernel(fn: ScalarFunction, spec: LoopSpec): CallKernel {
  const [ta, tb] = fn.argTypes as [SqlType, SqlType];
  const out = fn.returnType;
  const outPhys = physOf(out);
  const loops = new Map<string, BinaryLoop>();
  const loop = (shape: Shape, scalar: number | bigint): BinaryLoop => {
    // The specialization depends on the shape and on whether the scalar is NaN only.
    const key = spec.specialize && shape !== 'vv' ? `${shape}${scalar !== scalar ? 'n' : 's'}` : shape;
    let l = loops.get(key);
    if (!l) {
      const compute = (shape !== 'vv' && spec.specialize?.(shape, scalar)) || spec.compute;
      l = binaryLoop(spec.tag, shape, compute, spec.bad);
      loops.set(key, l);
    }
    return l;
  };
  return {
    canFail: spec.bad !== null,
    fusion: { compute: spec.compute, bad: spec.bad },
    run(f, args, active) {
      const [a, b] = args as [Col, Col];
      if (a.isScalar && b.isScalar) return scalarCall(f, fn, [a.value, b.value], active);
      if ((a.isScalar && a.value === null) || (b.isScalar && b.value === null)) return NULL_SCALAR;
      const n = f.n;
      const validity = validityOf(args, n, f.mem);
      const O = f.mem.fixed(outPhys, n);
      const A = a.isScalar ? physScalar(ta, a.value) : a.values;
      const B = b.isScalar ? physScalar(tb, b.value) : b.values;
      const shape: Shape = a.isScalar ? 'sv' : b.isScalar ? 'vs' : 'vv';
      runBinary(loop(shape, (a.isScalar ? A : B) as number | bigint), n, A, B, O, (i) => slowRow(f, fn, args, active, validity, O, out, i));
      return new Vec(n, O, validity);
    },
  };
}

function unaryKernel(fn: ScalarFunction, spec: LoopSpec): CallKernel {
  const out = fn.returnType;
  const outPhys = physOf(out);
  const l = unaryLoop(spec.tag, spec.compute, spec.bad);
  return {
    canFail: spec.bad !== null,
    fusion: { compute: spec.compute, bad: spec.bad },
    run(f, args, active) {
      const a = args[0]!;
      if (a.isScalar) return scalarCall(f, fn, [a.value], active);
      const n = f.n;
      const O = f.mem.fixed(outPhys, n);
      runUnary(l, n, a.values, O, (i) => slowRow(f, fn, args, active, a.validity, O, out, i));
      return new Vec(n, O, a.validity);
    },
  };
}

/** Row i through the scalar function; NULL, inactive and failed rows get a zero. */
function slowRow(f: Frame, fn: ScalarFunction, args: Col[], active: Uint8Array | null,
  validity: Uint8Array | null, O: FixedArray, out: SqlType, i: number): void {
  const o = O as unknown as (number | bigint)[];
  const zero = O instanceof BigInt64Array ? 0n : 0;
  if (!isActive(active, i) || !isValid(validity, i)) {
    o[i] = zero;
    return;
  }
  const v = callRow(f, fn, args, fn.argTypes, i);
  o[i] = v === null ? zero : physScalar(out, v);
}

// ---------------------------------------------------------------------------------------
// Arithmetic

const INT_RANGE = { int2: [-32768, 32767], int4: [-2147483648, 2147483647] } as const;

function registerIntArithmetic(kind: 'int2' | 'int4'): void {
  const [lo, hi] = INT_RANGE[kind];
  const range = `!(r >= ${lo} && r <= ${hi})`;
  const tag = kind;
  const ops: [string, string, string][] = [
    ['+', 'r = a + b;', range],
    ['-', 'r = a - b;', range],
    // A product beyond 2^53 is inexact, but then it is also far out of range.
    ['*', 'r = a * b;', range],
    // b = 0 gives NaN or ±Infinity: out of range, so the scalar function raises 22012.
    ['/', 'r = Math.trunc(a / b);', range],
    ['%', 'r = b === -1 ? 0 : a % b;', 'r !== r'],
    ['mod', 'r = b === -1 ? 0 : a % b;', 'r !== r'],
  ];
  for (const [name, compute, bad] of ops) {
    registerKernel(name, [kind, kind], (fn) => binaryKernel(fn, { tag, compute, bad }));
  }
  registerKernel('-', [kind], (fn) => unaryKernel(fn, { tag, compute: 'r = -a;', bad: range }));
  registerKernel('abs', [kind], (fn) => unaryKernel(fn, { tag, compute: 'r = Math.abs(a);', bad: range }));
}

function registerFloatArithmetic(kind: 'float4' | 'float8'): void {
  const round = (e: string) => (kind === 'float4' ? `Math.fround(${e})` : e);
  // Infinity or NaN out of finite operands is an overflow; out of NaN or Infinity it is
  // not. The scalar function tells them apart.
  const nonFinite = 'r - r !== 0';
  const ops: [string, string, string][] = [
    ['+', `r = ${round('a + b')};`, nonFinite],
    ['-', `r = ${round('a - b')};`, nonFinite],
    ['*', `r = ${round('a * b')};`, nonFinite],
    ['/', `r = ${round('a / b')};`, `b === 0 || ${nonFinite}`],
  ];
  for (const [name, compute, bad] of ops) {
    registerKernel(name, [kind, kind], (fn) => binaryKernel(fn, { tag: kind, compute, bad }));
  }
  registerKernel('-', [kind], (fn) => unaryKernel(fn, { tag: kind, compute: 'r = -a;', bad: null }));
  registerKernel('abs', [kind], (fn) => unaryKernel(fn, { tag: kind, compute: 'r = Math.abs(a);', bad: null }));
}

/**
 * round, floor, ceil, trunc, sign, sqrt, exp, ln, log and power of double precision: the
 * rows whose result is an error or a special case (a negative square root, an overflow,
 * NaN or an infinity in power) go to the scalar function.
 */
function registerFloatMath(): void {
  const unary: [string[], string, string | null][] = [
    // C's rint, as the scalar round(float8): halves to even.
    [['round'], 'r = Math.round(a); if (r - a === 0.5 && r % 2 !== 0) r -= 1;', null],
    [['floor'], 'r = Math.floor(a);', null],
    [['ceil', 'ceiling'], 'r = Math.ceil(a);', null],
    [['trunc'], 'r = Math.trunc(a);', null],
    [['sign'], 'r = a > 0 ? 1 : a < 0 ? -1 : 0;', null],
    [['sqrt'], 'r = Math.sqrt(a);', 'a < 0'],
    [['exp'], 'r = Math.exp(a);', 'r === 0 || r === Infinity'],
    [['ln'], 'r = Math.log(a);', 'a <= 0'],
    [['log', 'log10'], 'r = Math.log10(a);', 'a <= 0'],
  ];
  for (const [names, compute, bad] of unary) {
    for (const name of names) registerKernel(name, ['float8'], (fn) => unaryKernel(fn, { tag: 'float8', compute, bad }));
  }
  for (const name of ['power', 'pow', '^']) {
    registerKernel(name, ['float8', 'float8'], (fn) => binaryKernel(fn, { tag: 'float8', compute: 'r = Math.pow(a, b);', bad: 'r - r !== 0 || r === 0' }));
  }
}

/**
 * int8 arithmetic on BigInt64Array elements: V8 compiles `BigInt.asIntN(64, a + b)` over
 * typed-array loads to machine arithmetic without allocating, so these loops run at
 * 1-2 ns per row. Products of operands beyond int32 go to the scalar function.
 */
function registerInt8Arithmetic(): void {
  const MIN = '-9223372036854775808n';
  const tag = 'int8';
  const ops: [string, string, string][] = [
    ['+', 'r = BigInt.asIntN(64, a + b);', '((a ^ r) & (b ^ r)) < 0n'],
    ['-', 'r = BigInt.asIntN(64, a - b);', '((a ^ b) & (a ^ r)) < 0n'],
    ['*', 'r = BigInt.asIntN(64, a * b);', 'a > 2147483647n || a < -2147483648n || b > 2147483647n || b < -2147483648n'],
    ['/', 'r = b === 0n ? 0n : a / b;', `b === 0n || (b === -1n && a === ${MIN})`],
    ['%', 'r = b === 0n ? 0n : a % b;', 'b === 0n'],
    ['mod', 'r = b === 0n ? 0n : a % b;', 'b === 0n'],
  ];
  for (const [name, compute, bad] of ops) {
    registerKernel(name, ['int8', 'int8'], (fn) => binaryKernel(fn, { tag, compute, bad }));
  }
  registerKernel('-', ['int8'], (fn) => unaryKernel(fn, { tag, compute: 'r = BigInt.asIntN(64, -a);', bad: `a === ${MIN}` }));
  registerKernel('abs', ['int8'], (fn) => unaryKernel(fn, { tag, compute: 'r = a < 0n ? BigInt.asIntN(64, -a) : a;', bad: `a === ${MIN}` }));
}

// ---------------------------------------------------------------------------------------
// Comparisons: one byte per row

const COMPARISONS = ['=', '<>', '<', '<=', '>', '>='] as const;
type Comparison = typeof COMPARISONS[number];

/*
 * Comparison loops are branch-free: `+(a < b)` and bitwise combinations of booleans
 * compile to flag-setting instructions, where `a < b ? 1 : 0` compiles to a branch that
 * mispredicts on half the rows of random data (measured: 7.4 against 1.8 ns per row).
 */

/** Comparisons of integers, dates, booleans (0/1) and bigints: the JS operators. */
function plainCompare(op: Comparison): string {
  const js = op === '=' ? '===' : op === '<>' ? '!==' : op;
  return `r = +(a ${js} b);`;
}

/** Float comparisons with Postgres's NaN: equal to itself and above every other value. */
function floatCompare(op: Comparison): string {
  switch (op) {
    case '=': return 'r = (a === b) | ((a !== a) & (b !== b));';
    case '<>': return 'r = ((a === b) | ((a !== a) & (b !== b))) ^ 1;';
    case '<': return 'r = (a < b) | ((b !== b) & (a === a));';
    case '<=': return 'r = (a <= b) | (b !== b);';
    case '>': return 'r = (a > b) | ((a !== a) & (b === b));';
    case '>=': return 'r = (a >= b) | (a !== a);';
  }
}

/**
 * The same when the scalar operand is a number, not NaN: a NaN row is then only ever
 * above it, which the negated operators give for free.
 */
function floatCompareWith(op: Comparison, shape: Shape, scalar: number | bigint): string | undefined {
  if (scalar !== scalar) return undefined;
  if (shape === 'vs') {
    // b is a number: a NaN is greater than b.
    switch (op) {
      case '=': return 'r = +(a === b);';
      case '<>': return 'r = +(a !== b);';
      case '<': return 'r = +(a < b);';
      case '<=': return 'r = +(a <= b);';
      case '>': return 'r = +!(a <= b);';
      case '>=': return 'r = +!(a < b);';
    }
  }
  // a is a number: b NaN is greater than a.
  switch (op) {
    case '=': return 'r = +(a === b);';
    case '<>': return 'r = +(a !== b);';
    case '<': return 'r = +!(a >= b);';
    case '<=': return 'r = +!(a > b);';
    case '>': return 'r = +(a > b);';
    case '>=': return 'r = +(a >= b);';
  }
}

const STRING_KINDS: TypeKind[] = ['text', 'varchar', 'bpchar', 'name', 'jsonb'];

function registerComparisons(): void {
  const fixed: [TypeKind, (op: Comparison) => string][] = [
    ['bool', plainCompare], ['int2', plainCompare], ['int4', plainCompare], ['date', plainCompare],
    ['oid', plainCompare], ['int8', plainCompare], ['time', plainCompare], ['timestamp', plainCompare],
    ['timestamptz', plainCompare], ['float4', floatCompare], ['float8', floatCompare],
  ];
  for (const [kind, code] of fixed) {
    const float = code === floatCompare;
    for (const op of COMPARISONS) {
      registerKernel(op, [kind, kind], (fn) => binaryKernel(fn, {
        tag: `cmp:${physOf(fn.argTypes[0]!)}`, compute: code(op), bad: null,
        specialize: float ? (shape, scalar) => floatCompareWith(op, shape, scalar) : undefined,
      }));
    }
  }
  for (const kind of STRING_KINDS) {
    for (const op of COMPARISONS) registerKernel(op, [kind, kind], (fn) => stringCompareKernel(fn, op));
  }
}

function stringCompareKernel(fn: ScalarFunction, op: Comparison): CallKernel {
  const ta = fn.argTypes[0]!;
  return {
    canFail: false,
    run(f, args, active) {
      const [a, b] = args as [Col, Col];
      if (a.isScalar && b.isScalar) return scalarCall(f, fn, [a.value, b.value], active);
      if ((a.isScalar && a.value === null) || (b.isScalar && b.value === null)) return NULL_SCALAR;
      return new Vec(f.n, utf8Compare(op, a, b, ta, f.n, f.mem.u8(f.n)), validityOf(args, f.n, f.mem));
    },
  };
}

let registered = false;

/** Fills the registry (idempotent). */
export function registerBuiltinKernels(): void {
  if (registered) return;
  registered = true;
  registerIntArithmetic('int2');
  registerIntArithmetic('int4');
  registerFloatArithmetic('float4');
  registerFloatArithmetic('float8');
  registerFloatMath();
  registerInt8Arithmetic();
  registerComparisons();
}
