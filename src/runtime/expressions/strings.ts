/**
 * String kernels on UTF-8 bytes, without decoding rows into JS strings: comparisons and
 * LIKE with a constant pattern.
 *
 * The reference (src/functions/comparison.ts) orders strings as JS does, by UTF-16 code
 * units. UTF-8 bytes order by code point, which agrees except that characters above
 * U+FFFF (surrogate pairs in UTF-16) sort below U+E000..U+FFFF in UTF-16 and above them
 * by code point; compareUtf8 corrects for that at the first differing character.
 */
import type { SqlType } from '../../types/sql-type.js';
import { type Col, bytesOf, decodeUtf8, type Vec } from './columns.js';

/** The key under which a code point sorts in UTF-16 code unit order. */
function utf16Key(cp: number): number {
  return cp >= 0xe000 && cp <= 0xffff ? cp + 0x200000 : cp;
}

function codePointAt(b: Uint8Array, p: number): number {
  const c = b[p]!;
  if (c < 0x80) return c;
  if (c < 0xe0) return ((c & 0x1f) << 6) | (b[p + 1]! & 0x3f);
  if (c < 0xf0) return ((c & 0x0f) << 12) | ((b[p + 1]! & 0x3f) << 6) | (b[p + 2]! & 0x3f);
  return ((c & 0x07) << 18) | ((b[p + 1]! & 0x3f) << 12) | ((b[p + 2]! & 0x3f) << 6) | (b[p + 3]! & 0x3f);
}

/** -1, 0 or 1: x[xs..xe) against y[ys..ye) in the order of JS string comparison. */
export function compareUtf8(x: Uint8Array, xs: number, xe: number, y: Uint8Array, ys: number, ye: number): number {
  const xl = xe - xs;
  const yl = ye - ys;
  const len = xl < yl ? xl : yl;
  for (let k = 0; k < len; k++) {
    const a = x[xs + k]!;
    const b = y[ys + k]!;
    if (a === b) continue;
    if (a < 0x80 && b < 0x80) return a < b ? -1 : 1;
    // Back up to the start of the character both strings differ in.
    let s = k;
    while (s > 0 && (x[xs + s]! & 0xc0) === 0x80) s--;
    const ka = utf16Key(codePointAt(x, xs + s));
    const kb = utf16Key(codePointAt(y, ys + s));
    return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : 1;
  }
  return xl < yl ? -1 : xl > yl ? 1 : 0;
}

function equalUtf8(x: Uint8Array, xs: number, xe: number, y: Uint8Array, ys: number, ye: number): boolean {
  const len = xe - xs;
  if (len !== ye - ys) return false;
  for (let k = 0; k < len; k++) if (x[xs + k] !== y[ys + k]) return false;
  return true;
}

type Op = '=' | '<>' | '<' | '<=' | '>' | '>=';

function test(op: Op, c: number): number {
  switch (op) {
    case '=': return c === 0 ? 1 : 0;
    case '<>': return c !== 0 ? 1 : 0;
    case '<': return c < 0 ? 1 : 0;
    case '<=': return c <= 0 ? 1 : 0;
    case '>': return c > 0 ? 1 : 0;
    case '>=': return c >= 0 ? 1 : 0;
  }
}

/** One byte per row: a op b, for string columns (at most one of them a non-null scalar). */
export function utf8Compare(op: Op, a: Col, b: Col, type: SqlType, n: number, out: Uint8Array): Uint8Array {
  const equality = op === '=' || op === '<>';
  const want = op === '=' ? 1 : 0;
  if (!a.isScalar && !b.isScalar) {
    const xo = a.offsets!, xb = a.values as Uint8Array, yo = b.offsets!, yb = b.values as Uint8Array;
    for (let i = 0; i < n; i++) {
      if (equality) out[i] = equalUtf8(xb, xo[i]!, xo[i + 1]!, yb, yo[i]!, yo[i + 1]!) ? want : 1 - want;
      else out[i] = test(op, compareUtf8(xb, xo[i]!, xo[i + 1]!, yb, yo[i]!, yo[i + 1]!));
    }
    return out;
  }
  // One side constant: compare the column against its bytes, flipping the order if needed.
  const flip = a.isScalar;
  const col = (flip ? b : a) as Vec;
  const c = bytesOf(type, (flip ? a : b as { value: unknown }).value as unknown);
  const cl = c.length;
  const xo = col.offsets!, xb = col.values as Uint8Array;
  if (equality) {
    for (let i = 0; i < n; i++) out[i] = equalUtf8(xb, xo[i]!, xo[i + 1]!, c, 0, cl) ? want : 1 - want;
    return out;
  }
  for (let i = 0; i < n; i++) {
    const r = compareUtf8(xb, xo[i]!, xo[i + 1]!, c, 0, cl);
    out[i] = test(op, flip ? -r : r);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// LIKE

/**
 * A LIKE pattern made of literals and `%` only, matched on UTF-8 bytes: literal
 * occurrences in valid UTF-8 fall on character boundaries, so byte matching agrees with
 * the reference's regular expression on decoded strings.
 */
export interface BytePattern {
  /** The literal pieces between `%`s (the first and last may be empty). */
  readonly pieces: Uint8Array[];
  /** No `%` at all: the whole string must equal pieces[0]. */
  readonly exact: boolean;
}

/**
 * Parses a LIKE pattern as src/functions/string.ts likeRegExp does; undefined when it
 * needs the regular-expression path (`_`, a lone surrogate) or is invalid (the scalar
 * function then raises the error for each row it applies to).
 */
export function bytePattern(pattern: string, escape = '\\'): BytePattern | undefined {
  const pieces: string[] = [''];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const code = c.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) {
      // A surrogate: fine as half of a pair, but keep it simple and exact.
      const next = pattern.charCodeAt(i + 1);
      if (code >= 0xdc00 || !(next >= 0xdc00 && next <= 0xdfff)) return undefined;
      pieces[pieces.length - 1] += c + pattern[++i]!;
      continue;
    }
    if (escape !== '' && c === escape) {
      if (i + 1 >= pattern.length) return undefined;
      const e = pattern.charCodeAt(i + 1);
      if (e >= 0xd800 && e <= 0xdfff) return undefined;
      pieces[pieces.length - 1] += pattern[++i]!;
    } else if (c === '%') pieces.push('');
    else if (c === '_') return undefined;
    else pieces[pieces.length - 1] += c;
  }
  const encoder = new TextEncoder();
  return { pieces: pieces.map((p) => encoder.encode(p)), exact: pieces.length === 1 };
}

function startsAt(b: Uint8Array, p: number, lit: Uint8Array): boolean {
  for (let k = 0; k < lit.length; k++) if (b[p + k] !== lit[k]) return false;
  return true;
}

function indexOf(b: Uint8Array, from: number, to: number, lit: Uint8Array): number {
  const last = to - lit.length;
  const first = lit[0]!;
  for (let p = from; p <= last; p++) {
    if (b[p] === first && startsAt(b, p, lit)) return p;
  }
  return -1;
}

export function matchBytes(pat: BytePattern, b: Uint8Array, s: number, e: number): boolean {
  const pieces = pat.pieces;
  const head = pieces[0]!;
  if (pat.exact) return e - s === head.length && startsAt(b, s, head);
  const tail = pieces[pieces.length - 1]!;
  if (e - s < head.length + tail.length) return false;
  if (!startsAt(b, s, head) || !startsAt(b, e - tail.length, tail)) return false;
  let p = s + head.length;
  const end = e - tail.length;
  for (let k = 1; k < pieces.length - 1; k++) {
    const lit = pieces[k]!;
    if (lit.length === 0) continue;
    const at = indexOf(b, p, end, lit);
    if (at < 0) return false;
    p = at + lit.length;
  }
  return true;
}

/** One byte per row: does row i of a string column match. */
export function likeBytes(col: Vec, pat: BytePattern, n: number, out: Uint8Array): Uint8Array {
  const o = col.offsets!, b = col.values as Uint8Array;
  for (let i = 0; i < n; i++) out[i] = matchBytes(pat, b, o[i]!, o[i + 1]!) ? 1 : 0;
  return out;
}

/** One byte per row through a regular expression on the decoded rows (`_`, ILIKE). */
export function likeRegExpRows(col: Vec, re: RegExp, n: number, active: Uint8Array | null, out: Uint8Array): Uint8Array {
  out.fill(0);
  const o = col.offsets!, b = col.values as Uint8Array;
  const v = col.validity;
  for (let i = 0; i < n; i++) {
    if (active !== null && active[i] === 0) continue;
    if (v !== null && ((v[i >> 3]! >> (i & 7)) & 1) === 0) continue;
    out[i] = re.test(decodeUtf8(b, o[i]!, o[i + 1]!)) ? 1 : 0;
  }
  return out;
}
