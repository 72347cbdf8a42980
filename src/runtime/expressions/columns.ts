/**
 * The column representation the compiled kernels work on, and its conversions from and to
 * Arrow `Data`.
 *
 * A kernel's operand is either a `Scalar` (a constant or a parameter: one in-memory value
 * for the whole batch, never materialised per row unless a consumer needs a column) or a
 * `Vec`: a typed array of physical values plus a validity bitmap, always starting at row 0.
 *
 * Physical layouts follow ../arrow-types.ts, with one difference inside the kernels:
 * booleans are one byte per row (0 or 1), which makes comparison and logic loops cheap;
 * they are packed into Arrow's bitmaps only when a result leaves the kernels.
 *
 * Validity is an Arrow-style bitmap (bit i of byte i >> 3, LSB first, 1 = valid), or
 * null when every row is valid. Bitmaps and values may be shared between columns: nothing
 * here mutates a buffer it did not allocate for the column it is building.
 */
import { Data, Vector } from 'apache-arrow';
import { SabotError, SqlState } from '../../errors.js';
import { Decimal } from '../../types/decimal.js';
import { Interval } from '../../types/interval.js';
import type { SqlType } from '../../types/sql-type.js';
import { DEFAULT_FORMAT_SETTINGS, formatText, type FormatSettings } from '../../types/text-format.js';
import { arrowType } from '../arrow-types.js';
import { gatherLoop } from './codegen.js';

/** The physical layout of a SQL type's column inside the kernels. */
export type Phys = 'bool' | 'i16' | 'i32' | 'u32' | 'i64' | 'f32' | 'f64' | 'utf8' | 'binary';

export type FixedArray = Uint8Array | Int16Array | Int32Array | Uint32Array | BigInt64Array | Float32Array | Float64Array;

export function physOf(type: SqlType): Phys {
  switch (type.kind) {
    case 'bool': return 'bool';
    case 'int2': return 'i16';
    case 'int4': case 'date': return 'i32';
    case 'oid': return 'u32';
    case 'int8': case 'time': case 'timestamp': case 'timestamptz': return 'i64';
    case 'float4': return 'f32';
    case 'float8': return 'f64';
    case 'bytea': return 'binary';
    case 'numeric': case 'interval': case 'json': case 'jsonb':
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'unknown':
      return 'utf8';
    case 'void':
      // Always NULL; only a result column of type void is refused (by arrowType).
      return 'bool';
  }
}

export function isVariable(p: Phys): p is 'utf8' | 'binary' {
  return p === 'utf8' || p === 'binary';
}

/**
 * Settings of the text form NUMERIC, INTERVAL and JSON travel in (see arrow-types.ts):
 * fixed, so a batch means the same thing whatever session reads it.
 */
export const ARROW_TEXT_SETTINGS: FormatSettings = DEFAULT_FORMAT_SETTINGS;

// ---------------------------------------------------------------------------------------
// Operands

/** One value for every row of a batch (SQL NULL is null), in its in-memory form. */
export class Scalar {
  readonly isScalar = true;
  constructor(readonly value: unknown) {}
}

export const NULL_SCALAR = new Scalar(null);

/** A column of `length` rows starting at row 0. */
export class Vec {
  readonly isScalar = false;
  constructor(
    readonly length: number,
    /** Fixed-width values (bool: one byte per row), or the bytes of utf8/binary values. */
    readonly values: FixedArray,
    /** Validity bitmap (1 = valid) or null when no row is NULL. */
    readonly validity: Uint8Array | null,
    /** utf8/binary: row i is values[offsets[i] .. offsets[i + 1]]. */
    readonly offsets: Int32Array | null = null,
  ) {}
}

export type Col = Scalar | Vec;

// ---------------------------------------------------------------------------------------
// Bitmaps and masks

/** Bytes of a bitmap for n rows, padded to 8 bytes. */
export function bitmapBytes(n: number): number {
  return ((n + 63) >>> 6) << 3;
}

/** Is row i valid under a bitmap that may be null (all valid)? */
export function isValid(bitmap: Uint8Array | null, i: number): boolean {
  return bitmap === null || ((bitmap[i >> 3]! >> (i & 7)) & 1) === 1;
}

/** Is row i active under a mask that may be null (all active)? */
export function isActive(active: Uint8Array | null, i: number): boolean {
  return active === null || active[i] !== 0;
}

/** A bitmap with the first n bits set. */
export function allValidBitmap(n: number): Uint8Array {
  const b = new Uint8Array(bitmapBytes(n));
  b.fill(255, 0, n >> 3);
  if (n & 7) b[n >> 3] = (1 << (n & 7)) - 1;
  return b;
}

/** The AND of two validity bitmaps, either of which may be null (all valid). */
export function andValidity(a: Uint8Array | null, b: Uint8Array | null, n: number, mem: Mem = FRESH): Uint8Array | null {
  if (a === null) return b;
  if (b === null || a === b) return a;
  const bytes = (n + 7) >> 3;
  const out = mem.u8(bitmapBytes(n));
  for (let k = 0; k < bytes; k++) out[k] = a[k]! & b[k]!;
  return out;
}

/** Validity of the result of a strict function of several operands. */
export function validityOf(cols: readonly Col[], n: number, mem: Mem = FRESH): Uint8Array | null {
  let v: Uint8Array | null = null;
  for (const c of cols) if (!c.isScalar) v = andValidity(v, c.validity, n, mem);
  return v;
}

/** Packs one byte per row (0/1) into a bitmap. */
export function packBits(bytes: Uint8Array, n: number, mem: Mem = FRESH): Uint8Array {
  const out = mem.u8(bitmapBytes(n));
  const whole = n & ~7;
  let i = 0;
  for (; i < whole; i += 8) {
    out[i >> 3] = bytes[i]! | (bytes[i + 1]! << 1) | (bytes[i + 2]! << 2) | (bytes[i + 3]! << 3)
      | (bytes[i + 4]! << 4) | (bytes[i + 5]! << 5) | (bytes[i + 6]! << 6) | (bytes[i + 7]! << 7);
  }
  let last = 0;
  for (; i < n; i++) last |= bytes[i]! << (i & 7);
  if (n & 7) out[n >> 3] = last;
  return out;
}

/** Unpacks bits offset .. offset + n of a bitmap into one byte per row. */
export function unpackBits(bits: Uint8Array, offset: number, n: number, mem: Mem = FRESH): Uint8Array {
  const out = mem.u8(n);
  if ((offset & 7) === 0) {
    const base = offset >> 3;
    const whole = n & ~7;
    let i = 0;
    for (; i < whole; i += 8) {
      const b = bits[base + (i >> 3)]!;
      out[i] = b & 1; out[i + 1] = (b >> 1) & 1; out[i + 2] = (b >> 2) & 1; out[i + 3] = (b >> 3) & 1;
      out[i + 4] = (b >> 4) & 1; out[i + 5] = (b >> 5) & 1; out[i + 6] = (b >> 6) & 1; out[i + 7] = b >> 7;
    }
    for (; i < n; i++) out[i] = (bits[base + (i >> 3)]! >> (i & 7)) & 1;
    return out;
  }
  for (let i = 0; i < n; i++) {
    const j = offset + i;
    out[i] = (bits[j >> 3]! >> (j & 7)) & 1;
  }
  return out;
}

/** A bitmap of n rows starting at bit `offset` of `bits`, as a bitmap starting at bit 0. */
export function rebaseBitmap(bits: Uint8Array, offset: number, n: number): Uint8Array {
  if ((offset & 7) === 0) return offset === 0 ? bits : bits.subarray(offset >> 3);
  return packBits(unpackBits(bits, offset, n), n);
}

/** The first active row, or -1. */
export function firstActive(active: Uint8Array | null, n: number): number {
  if (active === null) return n > 0 ? 0 : -1;
  for (let i = 0; i < n; i++) if (active[i] !== 0) return i;
  return -1;
}

// ---------------------------------------------------------------------------------------
// Allocation

export function allocFixed(p: Phys, n: number): FixedArray {
  switch (p) {
    case 'bool': return new Uint8Array(n);
    case 'i16': return new Int16Array(n);
    case 'i32': return new Int32Array(n);
    case 'u32': return new Uint32Array(n);
    case 'i64': return new BigInt64Array(n);
    case 'f32': return new Float32Array(n);
    case 'f64': return new Float64Array(n);
    case 'utf8': case 'binary':
      throw new SabotError(SqlState.internalError, `no fixed-width array for ${p}`);
  }
}

const WIDTH: Record<Phys, number> = { bool: 1, i16: 2, i32: 4, u32: 4, i64: 8, f32: 4, f64: 8, utf8: 1, binary: 1 };

function view(p: Phys, buffer: ArrayBuffer, n: number, offset = 0): FixedArray {
  switch (p) {
    case 'bool': return new Uint8Array(buffer, offset, n);
    case 'i16': return new Int16Array(buffer, offset, n);
    case 'i32': return new Int32Array(buffer, offset, n);
    case 'u32': return new Uint32Array(buffer, offset, n);
    case 'i64': return new BigInt64Array(buffer, offset, n);
    case 'f32': return new Float32Array(buffer, offset, n);
    case 'f64': return new Float64Array(buffer, offset, n);
    case 'utf8': case 'binary':
      throw new SabotError(SqlState.internalError, `no fixed-width array for ${p}`);
  }
}

/**
 * Where kernels get their arrays. `fixed`, `u8` and `i32` may return arrays holding old
 * data (a kernel writes every row it returns); `zeros` is zeroed.
 */
export interface Mem {
  fixed(p: Phys, n: number): FixedArray;
  u8(n: number): Uint8Array;
  i32(n: number): Int32Array;
  zeros(n: number): Uint8Array;
}

/** Bytes of the slabs output arrays are cut from; arrays above OWN_BUFFER get their own. */
const SLAB_BYTES = 256 * 1024;
const OWN_BUFFER = 64 * 1024;
let slab: ArrayBuffer = new ArrayBuffer(0);
let slabUsed = 0;

/**
 * A region of uninitialised memory for an array that leaves the kernels. A new 32 KiB
 * typed array costs about 4 µs (zeroing, page faults, the GC of its backing store): as
 * much as five typed-array loops over it. Cutting arrays from 256 KiB slabs of
 * uninitialised memory costs about 0.4 µs each. The price: a slab lives as long as any
 * array cut from it, so a batch kept for long pins up to 256 KiB.
 */
function freshRegion(bytes: number): [ArrayBuffer, number] {
  const size = (bytes + 7) & ~7;
  if (size > OWN_BUFFER) return [Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer, 0];
  if (slabUsed + size > slab.byteLength) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES).buffer as ArrayBuffer;
    slabUsed = 0;
  }
  const offset = slabUsed;
  slabUsed += size;
  return [slab, offset];
}

/** New arrays, for results that leave the kernels (not zeroed, except by `zeros`). */
export const FRESH: Mem = {
  fixed: (p, n) => {
    const [buffer, offset] = freshRegion(n * WIDTH[p]);
    return view(p, buffer, n, offset);
  },
  u8: (n) => {
    const [buffer, offset] = freshRegion(n);
    return new Uint8Array(buffer, offset, n);
  },
  i32: (n) => {
    const [buffer, offset] = freshRegion(n * 4);
    return new Int32Array(buffer, offset, n);
  },
  zeros: (n) => FRESH.u8(n).fill(0),
};

/** A copy of an array in fresh memory. */
function freshCopy<A extends FixedArray | Int32Array>(a: A): A {
  const [buffer, offset] = freshRegion(a.byteLength);
  const copy = new (a.constructor as new (b: ArrayBuffer, o: number, n: number) => A)(buffer, offset, a.length);
  (copy as unknown as { set(x: A): void }).set(a);
  return copy;
}

/** Pool buffers up to this size; larger ones are allocated every time. */
const MAX_POOLED = 1 << 24;

/**
 * Reused arrays for intermediate results. Allocating a 32 KiB typed array costs about as
 * much as five typed-array loops over it (zeroing, page faults, GC of the backing
 * store), so each compiled expression keeps the buffers of its intermediates and hands
 * them out again, in the same order, for every batch. Whatever leaves the kernels is
 * copied out of the pool first (detach).
 */
export class Scratch implements Mem {
  private readonly pool: ArrayBuffer[] = [];
  private next = 0;
  private readonly owned = new WeakSet<ArrayBufferLike>();

  /** Starts an evaluation: every buffer is free again. */
  reset(): void {
    this.next = 0;
  }

  private buffer(bytes: number): ArrayBuffer {
    if (bytes > MAX_POOLED) return new ArrayBuffer(bytes);
    const i = this.next++;
    let b = this.pool[i];
    if (b === undefined || b.byteLength < bytes) {
      b = new ArrayBuffer(Math.max(64, bytes + (bytes >> 2)));
      this.pool[i] = b;
      this.owned.add(b);
    }
    return b;
  }

  owns(a: ArrayBufferView | null): boolean {
    return a !== null && this.owned.has(a.buffer);
  }

  fixed(p: Phys, n: number): FixedArray {
    return view(p, this.buffer(n * WIDTH[p]), n);
  }

  u8(n: number): Uint8Array {
    return new Uint8Array(this.buffer(n), 0, n);
  }

  i32(n: number): Int32Array {
    return new Int32Array(this.buffer(n * 4), 0, n);
  }

  zeros(n: number): Uint8Array {
    return this.u8(n).fill(0);
  }
}

/** A column whose arrays are not in `scratch` (copied out of it if they are). */
export function detach(col: Col, scratch: Scratch | null): Col {
  if (col.isScalar || scratch === null) return col;
  const { values, validity, offsets } = col;
  if (!scratch.owns(values) && !scratch.owns(validity) && !scratch.owns(offsets)) return col;
  return new Vec(col.length,
    scratch.owns(values) ? freshCopy(values) : values,
    validity !== null && scratch.owns(validity) ? freshCopy(validity) : validity,
    offsets !== null && scratch.owns(offsets) ? freshCopy(offsets) : offsets);
}

// ---------------------------------------------------------------------------------------
// Strings

const encoder = new TextEncoder();

export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Decodes bytes start .. end of a UTF-8 buffer. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  const len = end - start;
  if (len <= 24) {
    // Short ASCII strings are the common case; skip the decoder's call overhead.
    let ascii = true;
    for (let k = start; k < end; k++) if (bytes[k]! >= 0x80) { ascii = false; break; }
    if (ascii) {
      let s = '';
      for (let k = start; k < end; k++) s += String.fromCharCode(bytes[k]!);
      return s;
    }
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, len).toString('utf8');
}

/** Accumulates variable-length values into an Arrow-style offsets + bytes pair. */
export class VarBuilder {
  offsets: Int32Array;
  bytes: Uint8Array;
  pos = 0;

  constructor(n: number, bytesHint = n * 8) {
    this.offsets = new Int32Array(n + 1);
    this.bytes = new Uint8Array(Math.max(16, bytesHint));
  }

  private reserve(extra: number): void {
    if (this.pos + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.pos + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
  }

  /** Ends row i (rows must be ended in order) after appending nothing more. */
  end(i: number): void {
    this.offsets[i + 1] = this.pos;
  }

  appendBytes(src: Uint8Array, start: number, end: number): void {
    const len = end - start;
    this.reserve(len);
    if (len < 16) {
      const b = this.bytes;
      let p = this.pos;
      for (let k = start; k < end; k++) b[p++] = src[k]!;
    } else {
      this.bytes.set(src.subarray(start, end), this.pos);
    }
    this.pos += len;
  }

  appendString(s: string): void {
    // At most 3 bytes per UTF-16 code unit.
    this.reserve(s.length * 3);
    let p = this.pos;
    const b = this.bytes;
    let ascii = true;
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0x80) { ascii = false; break; }
      b[p++] = c;
    }
    if (ascii) {
      this.pos = p;
      return;
    }
    const r = encoder.encodeInto(s, this.bytes.subarray(this.pos));
    this.pos += r.written;
  }

  finish(): { offsets: Int32Array; bytes: Uint8Array } {
    return { offsets: this.offsets, bytes: this.bytes.subarray(0, this.pos) };
  }
}

// ---------------------------------------------------------------------------------------
// In-memory values (the form of sql-type.ts) from and to the physical layout

/** The physical form of a non-null in-memory value, for fixed-width layouts. */
export function physScalar(type: SqlType, value: unknown): number | bigint {
  switch (physOf(type)) {
    case 'bool': return value ? 1 : 0;
    case 'i64': {
      if (type.kind === 'int8') return value as bigint;
      // Postgres's ±infinity timestamps have no form in an Arrow column yet.
      if (!Number.isFinite(value)) {
        throw new SabotError(SqlState.featureNotSupported, `infinite ${type.name} values cannot be stored in a batch yet`);
      }
      return BigInt(Math.round(value as number));
    }
    case 'i16': case 'i32': case 'u32': case 'f32': case 'f64': return value as number;
    default:
      throw new SabotError(SqlState.internalError, `type ${type.name} has no fixed-width form`);
  }
}

/** The text of a non-null value of a utf8-layout type, as Arrow columns hold it. */
export function textOf(type: SqlType, value: unknown): string {
  return typeof value === 'string' ? value : formatText(type, value, ARROW_TEXT_SETTINGS);
}

/** The bytes of a non-null value of a utf8 or binary type. */
export function bytesOf(type: SqlType, value: unknown): Uint8Array {
  return physOf(type) === 'binary' ? value as Uint8Array : utf8Bytes(textOf(type, value));
}

function fromText(type: SqlType, s: string): unknown {
  switch (type.kind) {
    case 'numeric': return Decimal.parse(s);
    case 'interval': return Interval.parse(s, undefined, undefined, ARROW_TEXT_SETTINGS.intervalStyle);
    default: return s;
  }
}

/** Row i of a column in its in-memory form (null for NULL). The slow path only. */
export function readValue(col: Col, type: SqlType, i: number): unknown {
  if (col.isScalar) return col.value;
  if (!isValid(col.validity, i)) return null;
  const v = col.values;
  switch (physOf(type)) {
    case 'bool': return v[i] !== 0;
    case 'i64': return type.kind === 'int8' ? v[i] : Number(v[i]);
    case 'i16': case 'i32': case 'u32': case 'f32': case 'f64': return v[i];
    case 'utf8': return fromText(type, decodeUtf8(v as Uint8Array, col.offsets![i]!, col.offsets![i + 1]!));
    case 'binary': return (v as Uint8Array).slice(col.offsets![i]!, col.offsets![i + 1]!);
  }
}

/**
 * Builds a column of one type row by row from in-memory values: what the generic kernels
 * produce. Rows may be set in any order for fixed-width types and must be set in order
 * (every row, NULL or not) for variable-width ones.
 */
export class ColumnBuilder {
  readonly phys: Phys;
  private readonly fixed: FixedArray | null;
  private readonly varb: VarBuilder | null;
  private validity: Uint8Array | null = null;

  constructor(readonly type: SqlType, readonly n: number) {
    this.phys = physOf(type);
    this.fixed = isVariable(this.phys) ? null : allocFixed(this.phys, n);
    this.varb = isVariable(this.phys) ? new VarBuilder(n) : null;
  }

  setNull(i: number): void {
    if (this.validity === null) this.validity = allValidBitmap(this.n);
    this.validity[i >> 3]! &= ~(1 << (i & 7));
    if (this.varb) this.varb.end(i);
  }

  /** Sets row i to a value (null: NULL). */
  set(i: number, value: unknown): void {
    if (value === null || value === undefined) {
      this.setNull(i);
      return;
    }
    if (this.fixed) {
      (this.fixed as unknown as (number | bigint)[])[i] = physScalar(this.type, value);
    } else {
      const b = this.varb!;
      if (this.phys === 'binary') {
        const bytes = value as Uint8Array;
        b.appendBytes(bytes, 0, bytes.length);
      } else {
        b.appendString(textOf(this.type, value));
      }
      b.end(i);
    }
  }

  /** Sets row i to the bytes of a utf8/binary value (as bytesOf gives them). */
  setBytes(i: number, bytes: Uint8Array): void {
    this.varb!.appendBytes(bytes, 0, bytes.length);
    this.varb!.end(i);
  }

  /** Copies row j of a column of the same type into row i. */
  copy(i: number, from: Vec, j: number): void {
    if (!isValid(from.validity, j)) {
      this.setNull(i);
      return;
    }
    if (this.fixed) {
      (this.fixed as unknown as (number | bigint)[])[i] = from.values[j]!;
    } else {
      this.varb!.appendBytes(from.values as Uint8Array, from.offsets![j]!, from.offsets![j + 1]!);
      this.varb!.end(i);
    }
  }

  finish(): Vec {
    if (this.fixed) return new Vec(this.n, this.fixed, this.validity);
    const { offsets, bytes } = this.varb!.finish();
    return new Vec(this.n, bytes, this.validity, offsets);
  }
}

/** A scalar repeated over n rows. */
export function broadcast(value: unknown, type: SqlType, n: number): Vec {
  const p = physOf(type);
  if (value === null) {
    if (isVariable(p)) return new Vec(n, new Uint8Array(0), new Uint8Array(bitmapBytes(n)), new Int32Array(n + 1));
    return new Vec(n, allocFixed(p, n), new Uint8Array(bitmapBytes(n)));
  }
  if (isVariable(p)) {
    const bytes = bytesOf(type, value);
    const len = bytes.length;
    const out = new Uint8Array(len * n);
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      out.set(bytes, i * len);
      offsets[i + 1] = (i + 1) * len;
    }
    return new Vec(n, out, null, offsets);
  }
  const arr = allocFixed(p, n);
  (arr as { fill(v: number | bigint): unknown }).fill(physScalar(type, value));
  return new Vec(n, arr, null);
}

/** Rows sel[0 .. m) of a column, in that order. */
export function gatherVec(vec: Vec, type: SqlType, sel: Int32Array, m: number, mem: Mem = FRESH): Vec {
  const p = physOf(type);
  let validity: Uint8Array | null = null;
  if (vec.validity !== null) {
    const src = vec.validity;
    validity = mem.u8(bitmapBytes(m));
    // Bits are collected in a register and stored a byte at a time.
    let acc = 0;
    for (let k = 0; k < m; k++) {
      const j = sel[k]!;
      acc |= ((src[j >> 3]! >> (j & 7)) & 1) << (k & 7);
      if ((k & 7) === 7) {
        validity[k >> 3] = acc;
        acc = 0;
      }
    }
    if (m & 7) validity[m >> 3] = acc;
  }
  if (isVariable(p)) {
    const so = vec.offsets!, sb = vec.values as Uint8Array;
    const offsets = new Int32Array(m + 1);
    let total = 0;
    for (let k = 0; k < m; k++) {
      const j = sel[k]!;
      total += so[j + 1]! - so[j]!;
      offsets[k + 1] = total;
    }
    const bytes = new Uint8Array(total);
    for (let k = 0; k < m; k++) {
      const j = sel[k]!;
      const s = so[j]!, e = so[j + 1]!;
      const at = offsets[k]!;
      if (e - s < 16) for (let q = s; q < e; q++) bytes[at + q - s] = sb[q]!;
      else bytes.set(sb.subarray(s, e), at);
    }
    return new Vec(m, bytes, validity, offsets);
  }
  const out = mem.fixed(p, m);
  gatherLoop(p)(m, sel, vec.values, out);
  return new Vec(m, out, validity);
}

export function toVec(col: Col, type: SqlType, n: number): Vec {
  return col.isScalar ? broadcast(col.value, type, n) : col;
}

// ---------------------------------------------------------------------------------------
// Arrow

const expectedTypeIds = new Map<string, number>();

function expectedTypeId(type: SqlType): number {
  let id = expectedTypeIds.get(type.kind);
  if (id === undefined) {
    id = arrowType(type).typeId;
    expectedTypeIds.set(type.kind, id);
  }
  return id;
}

/** A column of a batch as a Vec, without copying unless the slice is not byte-aligned. */
export function vecFromData(data: Data, type: SqlType, mem: Mem = FRESH): Vec {
  if (data.type.typeId !== expectedTypeId(type)) {
    throw new SabotError(SqlState.internalError,
      `column of type ${type.name} has Arrow type ${String(data.type)}, expected ${String(arrowType(type))}`);
  }
  const n = data.length;
  const validity = data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0
    ? rebaseBitmap(data.nullBitmap, data.offset, n) : null;
  const p = physOf(type);
  switch (p) {
    case 'bool':
      return new Vec(n, unpackBits(data.values as Uint8Array, data.offset, n, mem), validity);
    case 'u32': {
      const v = data.values as Int32Array;
      return new Vec(n, new Uint32Array(v.buffer, v.byteOffset, v.length), validity);
    }
    case 'utf8': case 'binary':
      return new Vec(n, data.values as Uint8Array, validity, data.valueOffsets as Int32Array);
    default:
      return new Vec(n, data.values as FixedArray, validity);
  }
}

/** A column as Arrow Data of type arrowType(type), n rows. */
export function dataFromCol(col: Col, type: SqlType, n: number): Data {
  const vec = toVec(col, type, n);
  const arrow = arrowType(type);
  const bitmap = vec.validity ?? undefined;
  // An unknown null count (-1) is counted by Arrow when first asked for.
  const nullCount = bitmap ? -1 : 0;
  switch (physOf(type)) {
    case 'bool':
      return new Data(arrow, 0, n, nullCount, [undefined, packBits(vec.values as Uint8Array, n), bitmap]);
    case 'u32': {
      const v = vec.values as Uint32Array;
      return new Data(arrow, 0, n, nullCount, [undefined, new Int32Array(v.buffer, v.byteOffset, v.length), bitmap]);
    }
    case 'utf8': case 'binary':
      return new Data(arrow, 0, n, nullCount, [vec.offsets!, vec.values, bitmap]);
    default:
      return new Data(arrow, 0, n, nullCount, [undefined, vec.values, bitmap]);
  }
}

/** The same column as an Arrow Vector. */
export function vectorFromCol(col: Col, type: SqlType, n: number): Vector {
  return new Vector([dataFromCol(col, type, n)]);
}
