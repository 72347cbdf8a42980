/**
 * x [NOT] IN (list) with SQL's NULL rules: TRUE on a match, else NULL when x or any
 * list item is NULL, else FALSE (negated: FALSE, NULL, TRUE).
 *
 * When x is a column and every item a constant or parameter, the list is prepared once
 * per batch into a typed array (searched linearly when short, by binary search when
 * long) or, for strings, into byte strings grouped by length; no row is decoded. Other
 * shapes compare row by row through the type's comparator.
 */
import { comparatorFor } from '../../functions/comparison.js';
import type { SqlType } from '../../types/sql-type.js';
import {
  bitmapBytes, bytesOf, type Col, isVariable, type Mem, NULL_SCALAR, packBits, physOf, physScalar, readValue, Scalar,
  Vec,
} from './columns.js';

const LINEAR_MAX = 8;

/** Types whose '=' is byte equality of their Arrow text (see comparison.ts). */
const BYTE_EQUAL = new Set(['text', 'varchar', 'bpchar', 'name', 'jsonb']);

export function inList(x: Col, list: readonly Col[], type: SqlType, negated: boolean, n: number, mem: Mem): Col {
  const allScalar = list.every((c) => c.isScalar);
  if (x.isScalar && allScalar) return new Scalar(inListValue(x.value, list.map((c) => (c as Scalar).value), type, negated));
  if (x.isScalar && x.value === null) return NULL_SCALAR;
  const p = physOf(type);
  if (!x.isScalar && allScalar && (!isVariable(p) || BYTE_EQUAL.has(type.kind))) {
    const values = list.map((c) => (c as Scalar).value);
    const sawNull = values.includes(null);
    const items = values.filter((v) => v !== null);
    const out = mem.u8(n);
    const match = isVariable(p) ? matchBytes(x, items.map((v) => bytesOf(type, v)), n, out) : matchFixed(x, items, type, n, out);
    return finish(match, x.validity, sawNull, negated, n, mem);
  }
  return rowByRow(x, list, type, negated, n);
}

function inListValue(x: unknown, list: readonly unknown[], type: SqlType, negated: boolean): boolean | null {
  if (x === null) return null;
  const cmp = comparatorFor(type)!;
  let sawNull = false;
  for (const y of list) {
    if (y === null) sawNull = true;
    else if (cmp(x, y) === 0) return !negated;
  }
  return sawNull ? null : negated;
}

function rowByRow(x: Col, list: readonly Col[], type: SqlType, negated: boolean, n: number): Col {
  const values = new Uint8Array(n);
  const nulls = new Uint8Array(n);
  let anyNull = false;
  const row = new Array<unknown>(list.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < list.length; k++) row[k] = readValue(list[k]!, type, i);
    const r = inListValue(readValue(x, type, i), row, type, negated);
    if (r === null) {
      nulls[i] = 1;
      anyNull = true;
    } else values[i] = r ? 1 : 0;
  }
  return new Vec(n, values, anyNull ? invert(nulls, n) : null);
}

/** A validity bitmap from a NULL mask (one byte per row). */
function invert(nulls: Uint8Array, n: number): Uint8Array {
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) valid[i] = nulls[i]! ^ 1;
  return packBits(valid, n);
}

/** Result of the test from the match mask: see the header for the rules. */
function finish(match: Uint8Array, xValidity: Uint8Array | null, sawNull: boolean, negated: boolean, n: number, mem: Mem): Col {
  if (!sawNull) {
    if (negated) for (let i = 0; i < n; i++) match[i] = match[i]! ^ 1;
    return new Vec(n, match, xValidity);
  }
  // Rows without a match are NULL; so are rows where x is NULL.
  const validity = mem.zeros(bitmapBytes(n));
  for (let i = 0; i < n; i++) validity[i >> 3]! |= match[i]! << (i & 7);
  if (xValidity !== null) for (let k = 0; k < validity.length; k++) validity[k]! &= xValidity[k] ?? 0;
  if (negated) for (let i = 0; i < n; i++) match[i] = match[i]! ^ 1;
  return new Vec(n, match, validity);
}

function matchFixed(x: Vec, items: unknown[], type: SqlType, n: number, out: Uint8Array): Uint8Array {
  const p = physOf(type);
  const a = x.values;
  if (p === 'i64') {
    const list = BigInt64Array.from(items.map((v) => physScalar(type, v) as bigint)).sort();
    const m = list.length;
    if (m <= LINEAR_MAX) {
      for (let i = 0; i < n; i++) {
        const v = (a as BigInt64Array)[i]!;
        let hit = 0;
        for (let k = 0; k < m; k++) if (list[k] === v) { hit = 1; break; }
        out[i] = hit;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = (a as BigInt64Array)[i]!;
        let lo = 0, hi = m - 1, hit = 0;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          const y = list[mid]!;
          if (y < v) lo = mid + 1;
          else if (y > v) hi = mid - 1;
          else { hit = 1; break; }
        }
        out[i] = hit;
      }
    }
    return out;
  }
  // Numbers: NaN matches NaN (comparison.ts), so it is kept apart from the sorted list.
  const nums = items.map((v) => physScalar(type, v) as number);
  const hasNaN = nums.some((v) => v !== v);
  const list = Float64Array.from(nums.filter((v) => v === v)).sort();
  const m = list.length;
  const src = a as Float64Array;
  if (m <= LINEAR_MAX) {
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      let hit = v !== v && hasNaN ? 1 : 0;
      for (let k = 0; k < m; k++) if (list[k] === v) { hit = 1; break; }
      out[i] = hit;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      if (v !== v) {
        out[i] = hasNaN ? 1 : 0;
        continue;
      }
      let lo = 0, hi = m - 1, hit = 0;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const y = list[mid]!;
        if (y < v) lo = mid + 1;
        else if (y > v) hi = mid - 1;
        else { hit = 1; break; }
      }
      out[i] = hit;
    }
  }
  return out;
}

function matchBytes(x: Vec, items: Uint8Array[], n: number, out: Uint8Array): Uint8Array {
  out.fill(0);
  const byLength = new Map<number, Uint8Array[]>();
  for (const b of items) {
    const l = byLength.get(b.length);
    if (l) l.push(b);
    else byLength.set(b.length, [b]);
  }
  const o = x.offsets!, bytes = x.values as Uint8Array;
  for (let i = 0; i < n; i++) {
    const s = o[i]!, e = o[i + 1]!;
    const candidates = byLength.get(e - s);
    if (candidates === undefined) continue;
    for (const c of candidates) {
      let eq = true;
      for (let k = 0; k < c.length; k++) if (bytes[s + k] !== c[k]) { eq = false; break; }
      if (eq) { out[i] = 1; break; }
    }
  }
  return out;
}
