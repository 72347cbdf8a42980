/**
 * REAL and DOUBLE PRECISION text as Postgres 12+ prints and reads it.
 *
 * Output with extra_float_digits > 0 (the default, 1) is the shortest text that reads
 * back as the same value (as float32 for real), in fixed notation when the decimal
 * exponent is in [-4, 15) for float8 and [-4, 6) for float4, else `1.5e+20` / `1e-05`.
 * With extra_float_digits <= 0 it is printf's `%.{15|6 + extra_float_digits}g`.
 */
import { SabotError, SqlState } from '../errors.js';

function specialText(v: number): string | undefined {
  if (v !== v) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  return undefined;
}

/** Text of `digits` (no point, no trailing zeros) times 10^exp in fixed or exponent form. */
function layout(neg: boolean, digits: string, exp: number, fixedMax: number): string {
  let out: string;
  if (exp < -4 || exp >= fixedMax) {
    out = digits.length === 1 ? digits : digits[0] + '.' + digits.slice(1);
    out += (exp < 0 ? 'e-' : 'e+') + (Math.abs(exp) < 10 ? '0' : '') + Math.abs(exp);
  } else if (exp < 0) {
    out = '0.' + '0'.repeat(-exp - 1) + digits;
  } else if (digits.length <= exp + 1) {
    out = digits + '0'.repeat(exp + 1 - digits.length);
  } else {
    out = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  }
  return neg ? '-' + out : out;
}

/** Mantissa digits (with trailing zeros) and exponent of JS `toExponential` output. */
function expDigits(s: string): [string, number] {
  const start = s.charCodeAt(0) === 45 ? 1 : 0;
  const e = s.indexOf('e');
  const digits = e - start > 1 ? s[start]! + s.slice(start + 2, e) : s[start]!;
  return [digits, Number(s.slice(e + 1))];
}

function stripZeros(digits: string): string {
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  return end < digits.length ? digits.slice(0, end) : digits;
}

// ---------------------------------------------------------------------------------------
// Exact arithmetic for the rare values where the rounding interval or a tie matters.

const view = new DataView(new ArrayBuffer(8));

/** |v| = m * 2^e exactly, and the rounding interval of v in the given format. */
interface Parts {
  m: bigint;
  e: number;
  /** At a power of two the gap below is half the gap above. */
  lowerCloser: boolean;
}

function parts64(v: number): Parts {
  view.setFloat64(0, v);
  const hi = view.getUint32(0) & 0x7fffffff;
  const lo = view.getUint32(4);
  const biased = hi >>> 20;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { m: frac, e: -1074, lowerCloser: false };
  return { m: frac | (1n << 52n), e: biased - 1075, lowerCloser: frac === 0n && biased > 1 };
}

function parts32(f: number): Parts {
  view.setFloat32(0, f);
  const bits = view.getUint32(0) & 0x7fffffff;
  const biased = bits >>> 23;
  const frac = bits & 0x7fffff;
  if (biased === 0) return { m: BigInt(frac), e: -149, lowerCloser: false };
  return { m: BigInt(frac | 0x800000), e: biased - 150, lowerCloser: frac === 0 && biased > 1 };
}

/**
 * A lower bound of the count of significant digits in the exact decimal expansion of
 * a > 0 (a double): a value that needs k fractional bits has k fractional decimal
 * digits, the last a 5. Ties at n digits need exactly n + 1.
 */
function exactDigitsLowerBound(a: number): number {
  view.setFloat64(0, a);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let tz: number; // trailing zero bits of the 53-bit significand
  if (lo !== 0) tz = 31 - Math.clz32(lo & -lo);
  else if ((hi & 0xfffff) !== 0) tz = 32 + 31 - Math.clz32((hi & 0xfffff) & -(hi & 0xfffff));
  else tz = 52;
  const k = (biased === 0 ? 1074 : 1075 - biased) - tz; // fractional bits
  if (k <= 0) return 0; // an integer: no useful bound
  return k + Math.floor(Math.log10(a));
}

const pow5Cache: bigint[] = [1n];
function pow5(n: number): bigint {
  while (pow5Cache.length <= n) pow5Cache.push(pow5Cache[pow5Cache.length - 1]! * 5n);
  return pow5Cache[n]!;
}

/** Sign of D * 10^q - L * 2^f. */
function compareDecDyadic(D: bigint, q: number, L: bigint, f: number): number {
  let a = D;
  let b = L;
  // 10^q = 2^q * 5^q
  if (q >= 0) a *= pow5(q);
  else b *= pow5(-q);
  const twos = q - f; // a * 2^q vs b * 2^f  →  a * 2^(q-f) vs b
  if (twos >= 0) a <<= BigInt(twos);
  else b <<= BigInt(-twos);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether D * 10^q lies strictly inside the rounding interval of the value in `p`. */
function insideExact(D: bigint, q: number, p: Parts): boolean {
  // In units of 2^(e-2): v = 4m, bounds 4m - (1 or 2) and 4m + 2.
  const f = p.e - 2;
  const v4 = p.m << 2n;
  return compareDecDyadic(D, q, v4 - (p.lowerCloser ? 1n : 2n), f) > 0
    && compareDecDyadic(D, q, v4 + 2n, f) < 0;
}

/** Whether the decimal digits × 10^(exp - len + 1) equal m * 2^e exactly. */
function equalsExact(digits: string, exp: number, p: Parts): boolean {
  return compareDecDyadic(BigInt(digits), exp - digits.length + 1, p.m, p.e) === 0;
}

/**
 * The digits of |v| rounded to n significant digits, half to even on exact ties (as
 * glibc's printf and Ryu do; JS rounds ties up). Returns [digits (n of them), exponent].
 */
function roundedDigits(a: number, n: number, p: () => Parts, exactDigits = 0): [string, number] {
  const [d, x] = expDigits(a.toExponential(n - 1));
  if (n >= 100 || exactDigits > n + 2) return [d, x];
  const [t, tx] = expDigits(a.toExponential(n));
  if (t.charCodeAt(t.length - 1) !== 53 || tx !== x) return [d, x];
  // v may be exactly halfway: JS rounded up; Postgres keeps an even last digit.
  if ((d.charCodeAt(d.length - 1) & 1) === 0) return [d, x];
  if (Number(a.toExponential(n)) !== a || !equalsExact(t, tx, p())) return [d, x];
  const down = (BigInt(d) - 1n).toString();
  return [down.length < n ? down + '0' : down, down.length < n ? x - 1 : x];
}

/**
 * The shortest digits strictly inside the rounding interval of |value| (Postgres's
 * Ryu rejects the boundaries), nearest to it, ties to even; at least `minDigits`.
 */
function shortestExact(a: number, p: Parts, minDigits: number, maxDigits: number): [string, number] {
  const lazy = (): Parts => p;
  for (let n = minDigits; n <= maxDigits; n++) {
    const [d, x] = roundedDigits(a, n, lazy);
    const q = x - n + 1;
    const D = BigInt(d);
    if (insideExact(D, q, p)) return [stripZeros(d), x];
    // The nearest n-digit number may fall outside a lopsided interval while its
    // neighbour towards the value is inside.
    const below = compareDecDyadic(D, q, p.m, p.e) < 0;
    const N = below ? D + 1n : D - 1n;
    if (insideExact(N, q, p)) {
      const s = N.toString();
      if (s.length > n) return [stripZeros(s), x + 1];
      if (s.length < n) return [stripZeros(s), x - 1];
      return [stripZeros(s), x];
    }
  }
  const [d, x] = expDigits(a.toExponential(maxDigits - 1));
  return [stripZeros(d), x];
}

const TWO_53 = 9007199254740992;
const POW10: number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Shortest round-trip digits of a double, as Postgres's Ryu picks them. */
function shortest64(a: number): [string, number] {
  const [d0, x] = expDigits(a.toExponential());
  const n = d0.length;
  if (a < TWO_53) {
    if (Number.isInteger(a) || n <= 15 || exactDigitsLowerBound(a) > 19) return [d0, x];
    // 16-17 digits: the value may sit exactly halfway between two candidates.
    const t = a.toExponential(n);
    if (t.charCodeAt(t.indexOf('e') - 1) !== 53) return [d0, x];
  }
  return shortestExact(a, parts64(a), n, 17);
}

/** printf `%.{precision}g` (ties to even). */
function formatG(v: number, precision: number, parts: (v: number) => Parts): string {
  const p = precision < 1 ? 1 : precision;
  const a = v < 0 ? -v : v;
  const [d, exp] = roundedDigits(a, p, () => parts(a), exactDigitsLowerBound(a));
  return layout(v < 0, stripZeros(d), exp, p);
}

/** float8 output, as Postgres with the given extra_float_digits. */
export function formatFloat8(v: number, extraFloatDigits = 1): string {
  const sp = specialText(v);
  if (sp !== undefined) return sp;
  if (extraFloatDigits > 0) {
    const a = v < 0 ? -v : v;
    if (a >= 1e-4 && a < 1e15) {
      // JS prints fixed notation for 1e-7 <= |v| < 1e21 with the shortest digits; they
      // are Postgres's too unless there are 16 or more (then a tie may need care).
      const s = String(v);
      if (s.length - (v < 0 ? 1 : 0) <= 16 || Number.isInteger(a) || exactDigitsLowerBound(a) > 19) return s;
    }
    const [digits, exp] = shortest64(a);
    return layout(v < 0, digits, exp, 15);
  }
  return formatG(v, 15 + extraFloatDigits, parts64);
}

/** Shortest digits that read back as the float32 `f` (> 0), as Postgres picks them. */
function shortest32(f: number): [string, number] {
  // The interval's bounds are exact doubles, so candidates compare as doubles; only
  // a candidate whose double equals a bound needs exact arithmetic.
  view.setFloat32(0, f);
  const bits = view.getUint32(0) & 0x7fffffff;
  const biased = bits >>> 23;
  const ulp = 2 ** (biased === 0 ? -149 : biased - 150);
  const lo = f - ((bits & 0x7fffff) === 0 && biased > 1 ? ulp / 4 : ulp / 2);
  const hi = f + ulp / 2;
  let exact: Parts | undefined;
  const exactParts = (): Parts => (exact ??= parts32(f));
  const exactDigits = exactDigitsLowerBound(f);
  const inside = (D: number, q: number): boolean => {
    // D and 10^|q| are exact doubles, so one multiplication or division rounds the
    // decimal correctly, as Number() would.
    const x = q >= 0 ? (q <= 22 ? D * POW10[q]! : Number(D + 'e' + q))
      : q >= -22 ? D / POW10[-q]! : Number(D + 'e' + q);
    if (x > lo && x < hi) return true;
    if (x === lo || x === hi) return insideExact(BigInt(D), q, exactParts());
    return false;
  };
  // The shortest digits of f as a double are within half a double ulp of it, so they
  // decide its rounding to n <= 9 digits, unless they read exactly ...5(000) past
  // digit n (a tie or a near tie): then ask roundedDigits.
  const [ds, xs] = expDigits(f.toExponential());
  const rounded = (n: number): [string, number] => {
    if (ds.length <= n) return [ds + '0'.repeat(n - ds.length), xs];
    const next = ds.charCodeAt(n);
    if (next === 53) {
      let k = n + 1;
      while (k < ds.length && ds.charCodeAt(k) === 48) k++;
      if (k === ds.length) return roundedDigits(f, n, exactParts, exactDigits);
    }
    if (next < 53) return [ds.slice(0, n), xs];
    const up = String(Number(ds.slice(0, n)) + 1);
    return up.length > n ? [up.slice(0, n), xs + 1] : [up, xs];
  };
  /** The digits of an n-digit candidate inside the interval, if there is one. */
  const attempt = (n: number): [string, number] | undefined => {
    const [d, x] = rounded(n);
    const q = x - n + 1;
    const D = Number(d);
    if (inside(D, q)) return [stripZeros(d), x];
    // A lopsided interval may miss the nearest candidate but hold its neighbour.
    const N = inside(D + 1, q) ? D + 1 : inside(D - 1, q) ? D - 1 : -1;
    if (N < 0) return undefined;
    const t = String(N);
    return [stripZeros(t), t.length > n ? x + 1 : t.length < n ? x - 1 : x];
  };
  // Some n-digit number is inside for every n from the shortest on (9 always works).
  let best: [string, number] | undefined;
  let low = 1;
  let high = 9;
  while (low < high) {
    const mid = (low + high) >> 1;
    const r = attempt(mid);
    if (r === undefined) {
      low = mid + 1;
    } else {
      best = r;
      high = mid;
    }
  }
  if (best === undefined) best = attempt(low);
  if (best !== undefined) return best;
  const [d, x] = expDigits(f.toExponential(8));
  return [stripZeros(d), x];
}

/** float4 output: the value rounded to float32, in the shortest digits that read back. */
export function formatFloat4(v: number, extraFloatDigits = 1): string {
  const f = Math.fround(v);
  const sp = specialText(f);
  if (sp !== undefined) return sp;
  if (extraFloatDigits > 0) {
    // Integers below 10^6 are exact in float32 and print as themselves.
    if (Number.isInteger(f) && f < 1e6 && f > -1e6) return String(f);
    const [digits, exp] = shortest32(f < 0 ? -f : f);
    return layout(f < 0, digits, exp, 6);
  }
  return formatG(f, 6 + extraFloatDigits, parts64);
}

// ---------------------------------------------------------------------------------------
// Input

const FLOAT_SYNTAX = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_SYNTAX = /^[+-]?0[xX][0-9a-fA-F]+$/;

const isCSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

function trimC(text: string): string {
  let i = 0;
  let n = text.length;
  while (i < n && isCSpace(text.charCodeAt(i))) i++;
  while (n > i && isCSpace(text.charCodeAt(n - 1))) n--;
  return i === 0 && n === text.length ? text : text.slice(i, n);
}

function specialValue(t: string): number | undefined {
  if (t.length < 3 || t.length > 9) return undefined;
  switch (t.toLowerCase()) {
    case 'nan': case '+nan': case '-nan': return NaN;
    case 'inf': case '+inf': case 'infinity': case '+infinity': return Infinity;
    case '-inf': case '-infinity': return -Infinity;
    default: return undefined;
  }
}

/** Whether a decimal literal has a non-zero digit in its mantissa. */
function hasNonZeroMantissa(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 101 || c === 69) return false;
    if (c >= 49 && c <= 57) return true;
  }
  return false;
}

function parseFloatText(text: string, typeName: string, float4: boolean): number {
  const t = trimC(text);
  let v: number;
  if (FLOAT_SYNTAX.test(t)) {
    v = Number(t);
    if (float4) v = Math.fround(v);
    if (v === Infinity || v === -Infinity || (v === 0 && hasNonZeroMantissa(t))) {
      throw new SabotError(SqlState.numericValueOutOfRange, `"${text}" is out of range for type ${typeName}`);
    }
    return v;
  }
  const sp = specialValue(t);
  if (sp !== undefined) return sp;
  if (HEX_SYNTAX.test(t)) {
    const neg = t.charCodeAt(0) === 45;
    v = Number(neg || t.charCodeAt(0) === 43 ? t.slice(1) : t);
    if (float4) v = Math.fround(v);
    if (v === Infinity) {
      throw new SabotError(SqlState.numericValueOutOfRange, `"${text}" is out of range for type ${typeName}`);
    }
    return neg ? -v : v;
  }
  throw new SabotError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${typeName}: "${text}"`);
}

/** float8 input: decimal or exponent text, Infinity/inf/NaN in any case, whitespace trimmed. */
export function parseFloat8(text: string): number {
  return parseFloatText(text, 'double precision', false);
}

/** float4 input, rounded to float32; out of float32 range is 22003. */
export function parseFloat4(text: string): number {
  return parseFloatText(text, 'real', true);
}
