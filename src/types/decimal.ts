/**
 * NUMERIC values: exact decimals of arbitrary precision, with the display scale, NaN and
 * the infinities Postgres (14+) has, and Postgres's rules for the scale of each result.
 *
 * A finite value is `unscaled / 10^scale` where `scale` is the display scale (dscale):
 * `1.50` is (150n, 2) and prints as `1.50`. Values are immutable.
 */
import { SabotError, SqlState } from '../errors.js';

const enum Kind {
  Finite = 0,
  NaN = 1,
  PosInf = 2,
  NegInf = 3,
}

/** Largest display scale a numeric can store (NUMERIC_DSCALE_MAX). */
const MAX_DSCALE = 16383;
/** Largest number of decimal digits before the point (NUMERIC_WEIGHT_MAX + 1 base-10000 digits). */
const MAX_INT_DIGITS = 131072;
/** Fewest significant digits a division keeps (NUMERIC_MIN_SIG_DIGITS). */
const MIN_SIG_DIGITS = 16;
/** Largest scale a division or a function picks by itself (NUMERIC_MAX_DISPLAY_SCALE). */
const MAX_DISPLAY_SCALE = 1000;

const pow10Cache: bigint[] = [1n];

/** 10^n as a bigint, cached for the small exponents that are used all the time. */
export function pow10n(n: number): bigint {
  if (n < pow10Cache.length) return pow10Cache[n]!;
  if (n > 4096) return 10n ** BigInt(n);
  let last = pow10Cache[pow10Cache.length - 1]!;
  for (let i = pow10Cache.length; i <= n; i++) {
    last *= 10n;
    pow10Cache.push(last);
  }
  return last;
}

const absBig = (v: bigint): bigint => (v < 0n ? -v : v);

function invalidNumeric(text: string): SabotError {
  return new SabotError(SqlState.invalidTextRepresentation,
    `invalid input syntax for type numeric: "${text}"`);
}

function overflow(): SabotError {
  return new SabotError(SqlState.numericValueOutOfRange, 'value overflows numeric format');
}

function divisionByZero(): SabotError {
  return new SabotError(SqlState.divisionByZero, 'division by zero');
}

/** isspace() of the C library, which Postgres uses to trim input. */
function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Rounds `q + r/d` (where q = trunc(n/d), r = n % d) half away from zero. */
function roundQuotient(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const twiceR = absBig(r) * 2n;
  if (twiceR >= absBig(d)) return (n < 0n) !== (d < 0n) ? q - 1n : q + 1n;
  return q;
}

export class Decimal {
  /** Unscaled value; 0n for NaN and the infinities. */
  readonly unscaled: bigint;
  /** Display scale: digits after the decimal point; 0 for NaN and the infinities. */
  readonly scale: number;
  private readonly kind: Kind;

  private constructor(unscaled: bigint, scale: number, kind: Kind) {
    this.unscaled = unscaled;
    this.scale = scale;
    this.kind = kind;
  }

  static readonly NaN = new Decimal(0n, 0, Kind.NaN);
  static readonly Infinity = new Decimal(0n, 0, Kind.PosInf);
  static readonly NegativeInfinity = new Decimal(0n, 0, Kind.NegInf);
  static readonly ZERO = new Decimal(0n, 0, Kind.Finite);
  static readonly ONE = new Decimal(1n, 0, Kind.Finite);

  /** A finite value `unscaled / 10^scale`. */
  static of(unscaled: bigint, scale = 0): Decimal {
    if (!Number.isInteger(scale) || scale < 0) {
      throw new RangeError(`Decimal scale must be a non-negative integer, got ${scale}`);
    }
    if (scale > MAX_DSCALE) throw overflow();
    return new Decimal(unscaled, scale, Kind.Finite);
  }

  static fromBigInt(value: bigint, scale = 0): Decimal {
    return Decimal.of(value * pow10n(scale), scale);
  }

  /**
   * A JS number as Postgres casts float8 to numeric: rounded to `significantDigits`
   * (15 = DBL_DIG for float8; pass 6 = FLT_DIG for float4) with trailing zeros dropped.
   */
  static fromNumber(n: number, significantDigits = 15): Decimal {
    if (Number.isNaN(n)) return Decimal.NaN;
    if (n === Infinity) return Decimal.Infinity;
    if (n === -Infinity) return Decimal.NegativeInfinity;
    if (n === 0) return Decimal.ZERO;
    if (Number.isSafeInteger(n) && Math.abs(n) < 10 ** significantDigits) {
      return new Decimal(BigInt(n), 0, Kind.Finite);
    }
    const s = n.toExponential(significantDigits - 1);
    const neg = s.charCodeAt(0) === 45;
    const start = neg ? 1 : 0;
    const e = s.indexOf('e');
    let digits = s.slice(start, start + 1) + s.slice(start + 2, e);
    let end = digits.length;
    while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
    digits = digits.slice(0, end);
    const exp = Number(s.slice(e + 1));
    const scale = digits.length - 1 - exp;
    let unscaled = BigInt(digits);
    if (neg) unscaled = -unscaled;
    if (scale >= 0) return new Decimal(unscaled, scale, Kind.Finite);
    return new Decimal(unscaled * pow10n(-scale), 0, Kind.Finite);
  }

  /** Postgres numeric input: `[sign]digits[.digits][e[sign]digits]`, NaN, [+-]Infinity/inf. */
  static parse(text: string): Decimal {
    let i = 0;
    let end = text.length;
    while (i < end && isCSpace(text.charCodeAt(i))) i++;
    while (end > i && isCSpace(text.charCodeAt(end - 1))) end--;
    if (i === end) throw invalidNumeric(text);
    let neg = false;
    let c = text.charCodeAt(i);
    const first = c;
    if (c === 43 || c === 45) {
      neg = c === 45;
      i++;
      c = i < end ? text.charCodeAt(i) : 0;
    }
    // A letter here can only start NaN or an infinity.
    if ((c | 0x20) >= 97 && (c | 0x20) <= 122) {
      const word = text.slice(i, end).toLowerCase();
      if (word === 'nan' && first !== 43 && first !== 45) return Decimal.NaN;
      if (word === 'infinity' || word === 'inf') return neg ? Decimal.NegativeInfinity : Decimal.Infinity;
      throw invalidNumeric(text);
    }
    const intStart = i;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
    const intEnd = i;
    let fracStart = i;
    let fracEnd = i;
    if (i < end && text.charCodeAt(i) === 46) {
      i++;
      fracStart = i;
      while (i < end && isDigit(text.charCodeAt(i))) i++;
      fracEnd = i;
    }
    if (intEnd === intStart && fracEnd === fracStart) throw invalidNumeric(text);
    let exp = 0;
    if (i < end && (text.charCodeAt(i) | 0x20) === 101) {
      i++;
      let expNeg = false;
      if (i < end && (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45)) {
        expNeg = text.charCodeAt(i) === 45;
        i++;
      }
      const expStart = i;
      while (i < end && isDigit(text.charCodeAt(i))) {
        if (exp < 1e9) exp = exp * 10 + (text.charCodeAt(i) - 48);
        i++;
      }
      if (i === expStart) throw invalidNumeric(text);
      if (exp >= 1073741823) throw overflow();
      if (expNeg) exp = -exp;
    }
    if (i !== end) throw invalidNumeric(text);
    const fracLen = fracEnd - fracStart;
    const digits = fracLen === 0 ? text.slice(intStart, intEnd)
      : text.slice(intStart, intEnd) + text.slice(fracStart, fracEnd);
    let unscaled = BigInt(digits);
    if (neg) unscaled = -unscaled;
    let scale = fracLen - exp;
    if (scale > MAX_DSCALE) throw overflow();
    if (digits.length - fracLen + exp > MAX_INT_DIGITS && unscaled !== 0n) {
      let lead = 0;
      while (lead < digits.length && digits.charCodeAt(lead) === 48) lead++;
      if (digits.length - lead - fracLen + exp > MAX_INT_DIGITS) throw overflow();
    }
    if (scale < 0) {
      if (unscaled !== 0n) unscaled *= pow10n(-scale);
      scale = 0;
    }
    return new Decimal(unscaled, scale, Kind.Finite);
  }

  isNaN(): boolean { return this.kind === Kind.NaN; }
  isFinite(): boolean { return this.kind === Kind.Finite; }
  isInfinite(): boolean { return this.kind === Kind.PosInf || this.kind === Kind.NegInf; }
  isZero(): boolean { return this.kind === Kind.Finite && this.unscaled === 0n; }

  /** -1, 0 or 1; NaN for NaN (as Postgres's sign(numeric) returns NaN). */
  sign(): number {
    switch (this.kind) {
      case Kind.NaN: return NaN;
      case Kind.PosInf: return 1;
      case Kind.NegInf: return -1;
      default: return this.unscaled > 0n ? 1 : this.unscaled < 0n ? -1 : 0;
    }
  }

  /** The text Postgres prints: scale kept, `NaN`, `Infinity`, `-Infinity`. */
  toString(): string {
    switch (this.kind) {
      case Kind.NaN: return 'NaN';
      case Kind.PosInf: return 'Infinity';
      case Kind.NegInf: return '-Infinity';
      default: break;
    }
    const u = this.unscaled;
    const scale = this.scale;
    if (scale === 0) return u.toString();
    const neg = u < 0n;
    let s = (neg ? -u : u).toString();
    if (s.length <= scale) s = '0'.repeat(scale - s.length + 1) + s;
    const p = s.length - scale;
    const out = s.slice(0, p) + '.' + s.slice(p);
    return neg ? '-' + out : out;
  }

  toJSON(): string {
    return this.toString();
  }

  /** The nearest double (NaN and the infinities map to theirs). */
  toNumber(): number {
    switch (this.kind) {
      case Kind.NaN: return NaN;
      case Kind.PosInf: return Infinity;
      case Kind.NegInf: return -Infinity;
      default: break;
    }
    const u = this.unscaled;
    if (u >= -9007199254740992n && u <= 9007199254740992n && this.scale <= 22) {
      // Both operands are exact doubles, so the division rounds correctly.
      return Number(u) / 10 ** this.scale;
    }
    return Number(this.toString());
  }

  /** Rounded half away from zero to an integer, as the numeric → bigint cast does. */
  toBigInt(): bigint {
    if (this.kind === Kind.NaN) {
      throw new SabotError(SqlState.featureNotSupported, 'cannot convert NaN to bigint');
    }
    if (this.kind !== Kind.Finite) {
      throw new SabotError(SqlState.featureNotSupported, 'cannot convert infinity to bigint');
    }
    const v = this.scale === 0 ? this.unscaled : roundQuotient(this.unscaled, pow10n(this.scale));
    if (v > 9223372036854775807n || v < -9223372036854775808n) {
      throw new SabotError(SqlState.numericValueOutOfRange, 'bigint out of range');
    }
    return v;
  }

  /** This value with `scale` digits after the point (must not drop digits). */
  private upscale(scale: number): bigint {
    return scale === this.scale ? this.unscaled : this.unscaled * pow10n(scale - this.scale);
  }

  add(other: Decimal): Decimal {
    if (this.kind !== Kind.Finite || other.kind !== Kind.Finite) {
      if (this.kind === Kind.NaN || other.kind === Kind.NaN) return Decimal.NaN;
      if (this.kind === Kind.Finite) return other;
      if (other.kind === Kind.Finite) return this;
      return this.kind === other.kind ? this : Decimal.NaN;
    }
    const scale = Math.max(this.scale, other.scale);
    return new Decimal(this.upscale(scale) + other.upscale(scale), scale, Kind.Finite);
  }

  sub(other: Decimal): Decimal {
    return this.add(other.neg());
  }

  mul(other: Decimal): Decimal {
    if (this.kind !== Kind.Finite || other.kind !== Kind.Finite) {
      if (this.kind === Kind.NaN || other.kind === Kind.NaN) return Decimal.NaN;
      const s = this.sign() * other.sign();
      if (s === 0) return Decimal.NaN;
      return s > 0 ? Decimal.Infinity : Decimal.NegativeInfinity;
    }
    const scale = this.scale + other.scale;
    if (scale > MAX_DSCALE) {
      // Postgres rounds the product to the largest scale it can store.
      const exact = this.unscaled * other.unscaled;
      return new Decimal(roundQuotient(exact, pow10n(scale - MAX_DSCALE)), MAX_DSCALE, Kind.Finite);
    }
    return new Decimal(this.unscaled * other.unscaled, scale, Kind.Finite);
  }

  /** Division with Postgres's result scale (select_div_scale), rounded half away from zero. */
  div(other: Decimal): Decimal {
    if (this.kind !== Kind.Finite || other.kind !== Kind.Finite) {
      if (this.kind === Kind.NaN || other.kind === Kind.NaN) return Decimal.NaN;
      if (this.kind !== Kind.Finite) {
        if (other.kind !== Kind.Finite) return Decimal.NaN;
        const s = other.sign();
        if (s === 0) throw divisionByZero();
        return (this.kind === Kind.PosInf) === (s > 0) ? Decimal.Infinity : Decimal.NegativeInfinity;
      }
      return Decimal.ZERO; // finite / ±Infinity
    }
    if (other.unscaled === 0n) throw divisionByZero();
    const [w1, f1] = baseWeight(this.unscaled, this.scale);
    const [w2, f2] = baseWeight(other.unscaled, other.scale);
    let qweight = w1 - w2;
    if (f1 <= f2) qweight--;
    let rscale = MIN_SIG_DIGITS - qweight * 4;
    rscale = Math.max(rscale, this.scale, other.scale, 0);
    rscale = Math.min(rscale, MAX_DISPLAY_SCALE);
    return this.divToScale(other, rscale);
  }

  /** This / other rounded half away from zero to exactly `scale` digits after the point. */
  divToScale(other: Decimal, scale: number): Decimal {
    if (this.kind !== Kind.Finite || other.kind !== Kind.Finite) return this.div(other);
    if (other.unscaled === 0n) throw divisionByZero();
    // this/other = (u1 / 10^s1) / (u2 / 10^s2); scaled by 10^scale:
    const shift = scale - this.scale + other.scale;
    let num = this.unscaled;
    let den = other.unscaled;
    if (shift >= 0) num *= pow10n(shift);
    else den *= pow10n(-shift);
    return new Decimal(roundQuotient(num, den), scale, Kind.Finite);
  }

  /** Remainder with the sign of the dividend; scale = max of the inputs' scales. */
  mod(other: Decimal): Decimal {
    if (this.kind !== Kind.Finite || other.kind !== Kind.Finite) {
      if (this.kind === Kind.NaN || other.kind === Kind.NaN) return Decimal.NaN;
      if (this.kind !== Kind.Finite) {
        if (other.kind === Kind.Finite && other.unscaled === 0n) throw divisionByZero();
        return Decimal.NaN;
      }
      return this; // finite % ±Infinity
    }
    if (other.unscaled === 0n) throw divisionByZero();
    const scale = Math.max(this.scale, other.scale);
    return new Decimal(this.upscale(scale) % other.upscale(scale), scale, Kind.Finite);
  }

  neg(): Decimal {
    switch (this.kind) {
      case Kind.NaN: return this;
      case Kind.PosInf: return Decimal.NegativeInfinity;
      case Kind.NegInf: return Decimal.Infinity;
      default: return this.unscaled === 0n ? this : new Decimal(-this.unscaled, this.scale, Kind.Finite);
    }
  }

  abs(): Decimal {
    if (this.kind === Kind.NegInf) return Decimal.Infinity;
    if (this.kind === Kind.Finite && this.unscaled < 0n) return new Decimal(-this.unscaled, this.scale, Kind.Finite);
    return this;
  }

  /** -1, 0 or 1. NaN equals NaN and sorts above everything, +Infinity above all numbers. */
  compare(other: Decimal): number {
    return Decimal.compare(this, other);
  }

  static compare(a: Decimal, b: Decimal): number {
    if (a.kind !== Kind.Finite || b.kind !== Kind.Finite) {
      const ra = rank(a.kind);
      const rb = rank(b.kind);
      return ra < rb ? -1 : ra > rb ? 1 : 0;
    }
    let x = a.unscaled;
    let y = b.unscaled;
    if (a.scale < b.scale) x *= pow10n(b.scale - a.scale);
    else if (a.scale > b.scale) y *= pow10n(a.scale - b.scale);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  /** Numeric equality: `1.5` equals `1.50`, NaN equals NaN. */
  equals(other: Decimal): boolean {
    return Decimal.compare(this, other) === 0;
  }

  /**
   * Postgres round(numeric, int): half away from zero; a negative scale rounds to the
   * left of the point. The result has max(scale, 0) digits after the point.
   */
  round(scale = 0): Decimal {
    return this.rescale(scale, true);
  }

  /** Postgres trunc(numeric, int): like round, towards zero. */
  trunc(scale = 0): Decimal {
    return this.rescale(scale, false);
  }

  private rescale(scale: number, round: boolean): Decimal {
    if (this.kind !== Kind.Finite) return this;
    if (scale > MAX_DSCALE) scale = MAX_DSCALE;
    if (scale >= this.scale) return new Decimal(this.upscale(scale), scale, Kind.Finite);
    const d = pow10n(this.scale - scale);
    const q = round ? roundQuotient(this.unscaled, d) : this.unscaled / d;
    if (scale >= 0) return new Decimal(q, scale, Kind.Finite);
    return new Decimal(q * pow10n(-scale), 0, Kind.Finite);
  }

  floor(): Decimal {
    if (this.kind !== Kind.Finite) return this;
    if (this.scale === 0) return this;
    const d = pow10n(this.scale);
    let q = this.unscaled / d;
    if (this.unscaled < 0n && q * d !== this.unscaled) q -= 1n;
    return new Decimal(q, 0, Kind.Finite);
  }

  ceil(): Decimal {
    if (this.kind !== Kind.Finite) return this;
    if (this.scale === 0) return this;
    const d = pow10n(this.scale);
    let q = this.unscaled / d;
    if (this.unscaled > 0n && q * d !== this.unscaled) q += 1n;
    return new Decimal(q, 0, Kind.Finite);
  }

  /** Postgres trim_scale(): the same value without trailing fractional zeros. */
  trimScale(): Decimal {
    if (this.kind !== Kind.Finite || this.scale === 0) return this;
    let u = this.unscaled;
    let s = this.scale;
    if (u === 0n) return Decimal.ZERO;
    while (s > 0 && u % 10n === 0n) {
      u /= 10n;
      s--;
    }
    return s === this.scale ? this : new Decimal(u, s, Kind.Finite);
  }

  /** A string equal for numerically equal values (for hashing and grouping). */
  hashKey(): string {
    return this.trimScale().toString();
  }

  /**
   * Coerces to NUMERIC(precision, scale) as Postgres's apply_typmod does: rounds to
   * `scale` and rejects values with too many digits before the point (22003).
   */
  withTypmod(precision: number, scale: number): Decimal {
    if (this.kind === Kind.NaN) return this;
    if (this.kind !== Kind.Finite) {
      throw new SabotError(SqlState.numericValueOutOfRange, 'numeric field overflow', {
        detail: `A field with precision ${precision}, scale ${scale} cannot hold an infinite value.`,
      });
    }
    const r = this.round(scale);
    const maxDigits = precision - scale;
    if (r.unscaled !== 0n) {
      const intDigits = absBig(r.unscaled).toString().length - r.scale;
      if (intDigits > maxDigits) {
        throw new SabotError(SqlState.numericValueOutOfRange, 'numeric field overflow', {
          detail: `A field with precision ${precision}, scale ${scale} must round to an absolute value less than ${maxDigits > 0 ? '10^' + maxDigits : '1'}.`,
        });
      }
    }
    return r;
  }

  /**
   * Base-10000 digits as Postgres stores them (for the binary format): the digits
   * without leading or trailing zero groups, and the weight of the first one.
   */
  toBase10000(): { digits: number[]; weight: number } {
    if (this.kind !== Kind.Finite || this.unscaled === 0n) return { digits: [], weight: 0 };
    const scale4 = (this.scale + 3) & ~3;
    let s = absBig(this.unscaled).toString();
    if (scale4 > this.scale) s += '0'.repeat(scale4 - this.scale);
    const lead = (4 - (s.length & 3)) & 3;
    if (lead) s = '0'.repeat(lead) + s;
    const n = s.length >> 2;
    const digits: number[] = [];
    let last = -1;
    for (let i = 0; i < n; i++) {
      const o = i << 2;
      const d = (s.charCodeAt(o) - 48) * 1000 + (s.charCodeAt(o + 1) - 48) * 100
        + (s.charCodeAt(o + 2) - 48) * 10 + (s.charCodeAt(o + 3) - 48);
      digits.push(d);
      if (d !== 0) last = i;
    }
    digits.length = last + 1;
    return { digits, weight: n - 1 - (scale4 >> 2) };
  }

  /**
   * The value of base-10000 `digits` whose first has `weight`, negated if `negative`,
   * truncated (as Postgres's numeric_recv does) to `scale` digits after the point.
   */
  static fromBase10000(digits: ArrayLike<number>, weight: number, negative: boolean, scale: number): Decimal {
    if (scale > MAX_DSCALE) throw overflow();
    const n = digits.length;
    if (n === 0) return new Decimal(0n, scale, Kind.Finite);
    let s = '';
    for (let i = 0; i < n; i++) {
      const d = digits[i]!;
      s += d < 10 ? '000' + d : d < 100 ? '00' + d : d < 1000 ? '0' + d : String(d);
    }
    let u = BigInt(s);
    // value = u * 10^(4 * (weight - n + 1))
    const e = 4 * (weight - n + 1);
    const shift = scale + e;
    if (shift >= 0) u *= pow10n(shift);
    else u /= pow10n(-shift);
    return new Decimal(negative ? -u : u, scale, Kind.Finite);
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function rank(kind: Kind): number {
  switch (kind) {
    case Kind.NegInf: return 0;
    case Kind.Finite: return 1;
    case Kind.PosInf: return 2;
    default: return 3;
  }
}

/** Weight and value of the first non-zero base-10000 digit of u / 10^scale ([0, 0] for 0). */
function baseWeight(u: bigint, scale: number): [number, number] {
  if (u === 0n) return [0, 0];
  const s = absBig(u).toString();
  const e = s.length - 1 - scale; // decimal exponent of the leading digit
  const w = Math.floor(e / 4);
  const g = e - 4 * w + 1; // digits in the leading group: 1..4
  let first = 0;
  for (let i = 0; i < g; i++) first = first * 10 + (i < s.length ? s.charCodeAt(i) - 48 : 0);
  return [w, first];
}
