/**
 * sqrt, exp, ln, log and power of NUMERIC values, exact to the last digit Postgres
 * prints, with Postgres's choice of result scale (numeric.c): at least 16 significant
 * digits and no fewer decimals than the inputs have.
 *
 * The values are computed in fixed point on BigInts (an integer X meaning X / 10^w)
 * with guard digits beyond the result scale, then rounded half away from zero.
 */
import { SabotError, SqlState } from '../errors.js';
import { Decimal, pow10n } from '../types/decimal.js';

/** SQLSTATEs of the math functions' domain errors (class 22). */
export const INVALID_ARGUMENT_FOR_LOG = '2201E';
export const INVALID_ARGUMENT_FOR_POWER = '2201F';

const MIN_SIG_DIGITS = 16;
const MAX_DISPLAY_SCALE = 1000;
/** exp() of anything beyond this overflows (NUMERIC_MAX_RESULT_SCALE * 3). */
const MAX_EXP_ARG = 6000;
/** Extra digits carried by intermediate results. */
const GUARD = 12;
const LN10 = Math.LN10;
const LOG10_E = 0.434294481903252;

function resultScale(rscale: number, ...inputs: Decimal[]): number {
  let s = rscale;
  for (const d of inputs) s = Math.max(s, d.scale);
  return Math.min(Math.max(s, 0), MAX_DISPLAY_SCALE);
}

function overflow(): SabotError {
  return new SabotError(SqlState.numericValueOutOfRange, 'value overflows numeric format');
}

export function logOfZero(): SabotError {
  return new SabotError(INVALID_ARGUMENT_FOR_LOG, 'cannot take logarithm of zero');
}

export function logOfNegative(): SabotError {
  return new SabotError(INVALID_ARGUMENT_FOR_LOG, 'cannot take logarithm of a negative number');
}

export function zeroToNegativePower(): SabotError {
  return new SabotError(INVALID_ARGUMENT_FOR_POWER, 'zero raised to a negative power is undefined');
}

export function negativeToFractionalPower(): SabotError {
  return new SabotError(INVALID_ARGUMENT_FOR_POWER, 'a negative number raised to a non-integer power yields a complex result');
}

// ---------------------------------------------------------------------------------------
// Digits of a decimal, as Postgres's base-10000 NumericVar sees them

function absBig(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** Decimal exponent of the leading digit of a non-zero finite value: 123.4 → 2, 0.05 → -2. */
function leadExponent(d: Decimal): number {
  return absBig(d.unscaled).toString().length - 1 - d.scale;
}

/** floor(|d| * 10^k): |d| in fixed point with k decimals. */
function shifted(d: Decimal, k: number): bigint {
  const s = k - d.scale;
  const u = absBig(d.unscaled);
  return s >= 0 ? u * pow10n(s) : u / pow10n(-s);
}

/** Whether |d| has non-zero digits below 10^e. */
function hasDigitsBelow(d: Decimal, e: number): boolean {
  const s = e + d.scale;
  return s > 0 && d.unscaled % pow10n(s) !== 0n;
}

/**
 * The leading base-10000 digits of |d| (up to `groups` of them) as a number f and the
 * decimal exponent p of its last digit, so |d| ≈ f * 10^p as Postgres estimates it.
 */
function leadingGroups(d: Decimal, groups: number): { f: number; p: number } {
  const weight = Math.floor(leadExponent(d) / 4);
  let f = 0;
  let p = weight * 4;
  for (let i = 0; i < groups; i++) {
    const exp = (weight - i) * 4;
    // Postgres keeps no trailing groups of zeros.
    if (i > 0 && !hasDigitsBelow(d, exp + 4)) break;
    f = f * 10000 + Number(shifted(d, -exp) % 10000n);
    p = exp;
  }
  return { f, p };
}

const NEAR_ONE_LOW = Decimal.parse('0.9');
const NEAR_ONE_HIGH = Decimal.parse('1.1');

/** Postgres's estimate_ln_dweight: the decimal exponent of ln(d), used to pick scales. */
function lnWeight(d: Decimal): number {
  if (d.sign() <= 0) return 0;
  if (d.compare(NEAR_ONE_LOW) >= 0 && d.compare(NEAR_ONE_HIGH) <= 0) {
    const x = d.sub(Decimal.ONE);
    return x.isZero() ? 0 : leadExponent(x);
  }
  const { f, p } = leadingGroups(d, 2);
  return Math.trunc(Math.log10(Math.abs(Math.log(f) + p * LN10)));
}

/** ln(|d|) as a double, for values far beyond the range of doubles too. */
function approxLn(d: Decimal): number {
  const { f, p } = leadingGroups(d, 4);
  return Math.log(f) + p * LN10;
}

// ---------------------------------------------------------------------------------------
// Fixed point

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** exp(X / 10^w) at scale `scale` (a few units of error at most), X of either sign. */
function expFixed(X: bigint, w: number, scale: number): bigint {
  const negative = X < 0n;
  const ax = absBig(X);
  const x = Number(ax / pow10n(Math.max(0, w - 15))) / 10 ** Math.min(w, 15);
  // Halve the argument n times to below 0.5, sum the series, square n times.
  const n = x > 0.5 ? Math.ceil(Math.log2(x / 0.5)) : 0;
  const resultDigits = negative ? 0 : Math.ceil(x * LOG10_E);
  const W = scale + resultDigits + Math.ceil(n * 0.302) + GUARD;
  const one = pow10n(W);
  const y = (w <= W ? ax * pow10n(W - w) : ax / pow10n(w - W)) >> BigInt(n);
  let sum = one;
  let term = one;
  for (let k = 1n; term !== 0n; k++) {
    term = (term * y) / (one * k);
    sum += term;
  }
  for (let i = 0; i < n; i++) sum = (sum * sum) / one;
  if (negative) return (one * pow10n(scale)) / sum;
  return sum / pow10n(W - scale);
}

/** ln(d) for d > 0 at scale `scale` (a few units of error at most). */
function lnFixed(d: Decimal, scale: number): bigint {
  const inverted = d.compare(Decimal.ONE) < 0;
  // Square roots bring the value within 1% of 1; n of them multiply its log by 2^-n.
  const n = Math.max(0, Math.ceil(Math.log2(Math.abs(approxLn(d)) / 0.00995)) + 1);
  const W = scale + Math.ceil(n * 0.302) + GUARD;
  const one = pow10n(W);
  let X = inverted ? pow10n(d.scale + W) / absBig(d.unscaled) : shifted(d, W);
  const limit = (one * 101n) / 100n;
  let halvings = 0;
  while (X > limit) {
    X = isqrt(X * one);
    halvings++;
  }
  // ln(y) = 2 atanh((y - 1) / (y + 1)) = 2 (z + z^3/3 + z^5/5 + ...)
  const z = ((X - one) * one) / (X + one);
  const z2 = (z * z) / one;
  let sum = z;
  let power = z;
  for (let k = 3n; ; k += 2n) {
    power = (power * z2) / one;
    const term = power / k;
    if (term === 0n) break;
    sum += term;
  }
  const ln = (sum * 2n) << BigInt(halvings);
  const r = ln / pow10n(W - scale);
  return inverted ? -r : r;
}

function decimalAt(X: bigint, scale: number, rscale: number): Decimal {
  return Decimal.of(X, scale).round(rscale);
}

// ---------------------------------------------------------------------------------------
// The functions

export function numericSqrt(d: Decimal): Decimal {
  if (d.isNaN()) return d;
  if (d.sign() < 0) {
    throw new SabotError(INVALID_ARGUMENT_FOR_POWER, 'cannot take square root of a negative number');
  }
  if (!d.isFinite()) return d;
  const weight = d.isZero() ? 0 : Math.floor(leadExponent(d) / 4);
  const sweight = Math.trunc(((weight + 1) * 4) / 2) - 1;
  const rscale = resultScale(MIN_SIG_DIGITS - sweight, d);
  // One more digit than needed: floor(sqrt) keeps the digit that decides the rounding.
  const w = rscale + 1;
  return decimalAt(isqrt(shifted(d, 2 * w)), w, rscale);
}

export function numericExp(d: Decimal): Decimal {
  if (d.isNaN()) return d;
  if (!d.isFinite()) return d.sign() > 0 ? d : Decimal.ZERO;
  const x = d.toNumber();
  const weight = Math.min(Math.max(x * LOG10_E, -2000), 2000);
  const rscale = resultScale(MIN_SIG_DIGITS - Math.trunc(weight), d);
  if (Math.abs(x) >= MAX_EXP_ARG) {
    if (x > 0) throw overflow();
    return Decimal.of(0n, rscale);
  }
  const w = rscale + GUARD;
  const X = shifted(d, w) * BigInt(d.sign());
  return decimalAt(expFixed(X, w, w), w, rscale);
}

function checkLogArgument(d: Decimal): void {
  const s = d.sign();
  if (s < 0) throw logOfNegative();
  if (s === 0) throw logOfZero();
}

export function numericLn(d: Decimal): Decimal {
  if (d.isNaN()) return d;
  checkLogArgument(d);
  if (!d.isFinite()) return d;
  const rscale = resultScale(MIN_SIG_DIGITS - lnWeight(d), d);
  const w = rscale + GUARD;
  return decimalAt(lnFixed(d, w), w, rscale);
}

/** log(base, x): the logarithm of x to a base. */
export function numericLog(base: Decimal, x: Decimal): Decimal {
  if (base.isNaN() || x.isNaN()) return Decimal.NaN;
  checkLogArgument(base);
  checkLogArgument(x);
  if (!base.isFinite()) return x.isFinite() ? Decimal.ZERO : Decimal.NaN;
  if (!x.isFinite()) return x;
  const baseWeight = lnWeight(base);
  const resultWeight = lnWeight(x) - baseWeight;
  const rscale = resultScale(MIN_SIG_DIGITS - resultWeight, base, x);
  // A small ln(base) magnifies the errors of both logarithms in the quotient.
  const wx = rscale + GUARD + Math.abs(resultWeight) + Math.abs(baseWeight);
  const wb = wx + Math.abs(baseWeight);
  const lnBase = Decimal.of(lnFixed(base, wb), wb);
  if (lnBase.isZero()) throw new SabotError(SqlState.divisionByZero, 'division by zero');
  return Decimal.of(lnFixed(x, wx), wx).divToScale(lnBase, rscale);
}

function isIntegral(d: Decimal): boolean {
  return d.isFinite() && d.trunc(0).compare(d) === 0;
}

/** power(base, exponent) and ^, with Postgres's NaN, infinity and domain rules. */
export function numericPower(base: Decimal, exponent: Decimal): Decimal {
  if (base.isNaN()) return !exponent.isNaN() && exponent.isZero() ? Decimal.ONE : Decimal.NaN;
  if (exponent.isNaN()) return base.isFinite() && base.compare(Decimal.ONE) === 0 ? Decimal.ONE : Decimal.NaN;
  const bs = base.sign();
  if (bs === 0 && exponent.sign() < 0) throw zeroToNegativePower();
  if (bs < 0 && exponent.isFinite() && !isIntegral(exponent)) throw negativeToFractionalPower();
  if (!base.isFinite() || !exponent.isFinite()) return infinitePower(base, exponent);
  if (isIntegral(exponent) && exponent.abs().compare(INT32_MAX) <= 0) {
    return integerPower(base, Number(exponent.toBigInt()));
  }
  if (bs === 0) return Decimal.of(0n, MIN_SIG_DIGITS);
  return generalPower(base, exponent);
}

const INT32_MAX = Decimal.fromBigInt(2147483647n);

/** Powers with an infinite operand, as Postgres's numeric_power (and POSIX pow) define them. */
function infinitePower(base: Decimal, exponent: Decimal): Decimal {
  const one = Decimal.ONE;
  if (!exponent.isFinite()) {
    const cmp = base.abs().compare(one);
    if (cmp === 0) return one;
    if (exponent.sign() > 0) {
      if (cmp > 0) return Decimal.Infinity;
      return Decimal.ZERO;
    }
    return cmp > 0 ? Decimal.ZERO : Decimal.Infinity;
  }
  // base is ±Infinity, exponent finite.
  const es = exponent.sign();
  if (es === 0) return one;
  if (base.sign() > 0) return es > 0 ? Decimal.Infinity : Decimal.ZERO;
  const odd = isIntegral(exponent) && exponent.toBigInt() % 2n !== 0n;
  if (es > 0) return odd ? Decimal.NegativeInfinity : Decimal.Infinity;
  return Decimal.ZERO;
}

/** Digits an exact power may have before it is computed through exp and ln instead. */
const EXACT_POWER_DIGITS = 4000;
/** Decimal digits before the point of the largest numeric. */
const MAX_WEIGHT_DIGITS = 131072;

function integerPower(base: Decimal, exponent: number): Decimal {
  // Postgres (up to 15) gives integer powers 16 decimals, or the base's scale if larger.
  const rscale = resultScale(MIN_SIG_DIGITS, base);
  if (exponent === 0) return Decimal.ONE.round(rscale);
  if (base.isZero()) return Decimal.of(0n, rscale);
  const digits = absBig(base.unscaled).toString().length;
  const abs = Math.abs(exponent);
  if (digits * abs <= EXACT_POWER_DIGITS) {
    const p = Decimal.of(base.unscaled ** BigInt(abs), base.scale * abs);
    return exponent > 0 ? p.round(rscale) : Decimal.ONE.divToScale(p, rscale);
  }
  const weight = approxLn(base) * exponent * LOG10_E;
  if (weight > MAX_WEIGHT_DIGITS) throw overflow();
  if (weight < -rscale - 1) return Decimal.of(0n, rscale);
  return signedPower(base, Decimal.fromBigInt(BigInt(exponent)), rscale);
}

function generalPower(base: Decimal, exponent: Decimal): Decimal {
  const val = approxLn(base) * exponent.toNumber();
  if (Math.abs(val) > MAX_EXP_ARG * 1.0033) {
    if (val > 0) throw overflow();
    return Decimal.of(0n, MAX_DISPLAY_SCALE);
  }
  const rscale = resultScale(MIN_SIG_DIGITS - Math.trunc(val * LOG10_E), base, exponent);
  return signedPower(base, exponent, rscale);
}

/** A negative base only gets here with an integral exponent: its parity gives the sign. */
function signedPower(base: Decimal, exponent: Decimal, rscale: number): Decimal {
  const r = powerThroughLogs(base.abs(), exponent, rscale);
  return base.sign() < 0 && exponent.toBigInt() % 2n !== 0n ? r.neg() : r;
}

/** exp(exponent * ln(base)) for base > 0, rounded to rscale. */
function powerThroughLogs(base: Decimal, exponent: Decimal, rscale: number): Decimal {
  const val = approxLn(base) * exponent.toNumber();
  const resultDigits = Math.max(0, Math.ceil(val * LOG10_E));
  const exponentDigits = Math.max(0, leadExponent(exponent) + 1);
  // ln(base) needs the digits the product and the exponential magnify its error by.
  const w = rscale + resultDigits + exponentDigits + GUARD;
  const lnBase = lnFixed(base, w);
  const product = Decimal.of(lnBase, w).mul(exponent).round(w);
  const X = product.unscaled * pow10n(w - product.scale);
  const out = rscale + GUARD;
  return decimalAt(expFixed(X, w, out), out, rscale);
}
