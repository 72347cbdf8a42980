/**
 * Fast CASTs between the integer and float types (and bool <-> int4), as typed-array
 * loops. Rows a loop cannot handle exactly (out of range, NaN, beyond 2^53) go through
 * castValue, which computes them or raises its error; every other cast is row by row
 * in ./generic.ts.
 */
import { isTextual, type SqlType, type TypeKind } from '../../types/sql-type.js';
import { runUnary, type UnaryLoop, unaryLoop } from './codegen.js';
import { type Col, type FixedArray, isActive, isValid, NULL_SCALAR, physOf, physScalar, readValue, Vec } from './columns.js';
import type { Frame } from './frame.js';
import type { Fusion } from './kernels.js';
import { castRow, genericCast } from './generic.js';

export interface CastKernel {
  readonly canFail: boolean;
  /** A typed-array loop (false: castValue row by row). */
  readonly fast: boolean;
  /** The loop body, when the cast can be fused into a larger loop (./fuse.ts). */
  readonly fusion?: Fusion;
  /** Returns its operand (between string types). */
  readonly identity?: boolean;
  run(f: Frame, col: Col, active: Uint8Array | null): Col;
}

interface CastSpec {
  compute: string;
  bad: string | null;
  /** Reads int8 operands through an Int32Array view (lo, hi words) rather than as BigInts. */
  int8Words?: boolean;
  /** Writes an int8 result through an Int32Array view from a double r (|r| < 2^53). */
  int8Out?: boolean;
}

const SMALL: Partial<Record<TypeKind, [number, number]>> = { int2: [-32768, 32767], int4: [-2147483648, 2147483647] };
const SAFE = 9007199254740991;
/** Round half to even, as castValue does for floats to integers. */
const RINT = 'r = Math.round(a); if (Math.abs(a % 1) === 0.5 && r % 2 !== 0) r -= 1;';

function spec(from: TypeKind, to: TypeKind): CastSpec | undefined {
  const ints = ['int2', 'int4'];
  const floats = ['float4', 'float8'];
  if (ints.includes(from) && ints.includes(to)) {
    const [lo, hi] = SMALL[to]!;
    return { compute: 'r = a;', bad: from === 'int4' && to === 'int2' ? `!(r >= ${lo} && r <= ${hi})` : null };
  }
  if (ints.includes(from) && to === 'int8') return { compute: 'r = BigInt(a);', bad: null };
  if (from === 'int8' && ints.includes(to)) {
    const [lo, hi] = SMALL[to]!;
    return { compute: 'r = a;', bad: `h !== (a >> 31) || !(r >= ${lo} && r <= ${hi})`, int8Words: true };
  }
  // Integers are exact in float8 and round once into float4 (as the Float32Array store does).
  if (ints.includes(from) && floats.includes(to)) return { compute: 'r = a;', bad: null };
  if (from === 'int8' && floats.includes(to)) {
    // hi * 2^32 is exact, so the sum rounds once: the same double as Number(bigint).
    const d = 'h * 4294967296 + (a >>> 0)';
    return { compute: to === 'float4' ? `r = Math.fround(${d});` : `r = ${d};`, bad: null, int8Words: true };
  }
  if (from === 'float4' && to === 'float8') return { compute: 'r = a;', bad: null };
  if (from === 'float8' && to === 'float4') return { compute: 'r = Math.fround(a);', bad: 'r - r !== 0' };
  if (floats.includes(from) && ints.includes(to)) {
    const [lo, hi] = SMALL[to]!;
    return { compute: RINT, bad: `!(r >= ${lo} && r <= ${hi})` };
  }
  if (floats.includes(from) && to === 'int8') return { compute: RINT, bad: `!(r >= -${SAFE} && r <= ${SAFE})`, int8Out: true };
  if (from === 'bool' && to === 'int4') return { compute: 'r = a;', bad: null };
  if (from === 'int4' && to === 'bool') return { compute: 'r = a !== 0 ? 1 : 0;', bad: null };
  return undefined;
}

/** The kernel of CAST(from AS to): a typed-array loop when there is one, else castValue per row. */
export function castKernel(from: SqlType, to: SqlType): CastKernel {
  // Between string types a cast keeps the value (castValue), and the bytes with it.
  if (isTextual(from) && isTextual(to)) return { canFail: false, fast: true, identity: true, run: (_f, col) => col };
  const s = spec(from.kind, to.kind);
  if (!s) {
    return { canFail: true, fast: false, run: (f, col, active) => genericCast(f, col, from, to, active) };
  }
  const load = s.int8Words ? 'const a = A[i << 1], h = A[(i << 1) + 1];' : undefined;
  const store = s.int8Out ? 'const w = Math.floor(r / 4294967296); O[i << 1] = r - w * 4294967296; O[(i << 1) + 1] = w;' : undefined;
  const loop: UnaryLoop = unaryLoop(`cast:${from.kind}>${to.kind}`, s.compute, s.bad, load, store);
  const outPhys = physOf(to);
  return {
    canFail: s.bad !== null,
    fast: true,
    // Casts reading or writing int8 through words need whole arrays; the others fuse.
    fusion: s.int8Words || s.int8Out ? undefined : { compute: s.compute, bad: s.bad },
    run(f, col, active) {
      if (col.isScalar) return col.value === null ? NULL_SCALAR : genericCast(f, col, from, to, active);
      const n = f.n;
      const O = f.mem.fixed(outPhys, n);
      const A = s.int8Words ? words(col.values) : col.values;
      const Ow = s.int8Out ? words(O) : O;
      runUnary(loop, n, A, Ow, (i) => slowCast(f, col, from, to, active, O, i));
      return new Vec(n, O, col.validity);
    },
  };
}

function words(a: FixedArray): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length * 2);
}

function slowCast(f: Frame, col: Vec, from: SqlType, to: SqlType, active: Uint8Array | null, O: FixedArray, i: number): void {
  const o = O as unknown as (number | bigint)[];
  const zero = O instanceof BigInt64Array ? 0n : 0;
  if (!isActive(active, i) || !isValid(col.validity, i)) {
    o[i] = zero;
    return;
  }
  const v = castRow(f, readValue(col, from, i), from, to, i);
  o[i] = v === null ? zero : physScalar(to, v);
}
