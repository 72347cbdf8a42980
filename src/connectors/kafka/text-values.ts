import { daysFromCivil } from '../../types/datetime.js';

/**
 * Fast paths for the values that fill high-volume streams, read straight from bytes:
 * plain integers, plain decimals, ISO timestamps. Each returns NaN when the text is not
 * in its plain form, and the caller falls back to the full Postgres input functions.
 */

/** Optional sign and up to 15 digits. */
export function plainInteger(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = bytes[i] === 45; // -
  if (negative || bytes[i] === 43) i++;
  if (i === end || end - i > 15) return NaN;
  let v = 0;
  for (; i < end; i++) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return negative ? -v : v;
}

const POWERS = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22];

/**
 * A decimal number (sign, digits, fraction, exponent) with at most 15 significant digits
 * and a small exponent: then digits / 10^k is exactly what the text denotes, correctly
 * rounded (both operands are exact doubles).
 */
export function plainFloat(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = bytes[i] === 45;
  if (negative || bytes[i] === 43) i++;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let any = false;
  for (; i < end; i++) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9) break;
    any = true;
    if (mantissa !== 0 || d !== 0) digits++;
    mantissa = mantissa * 10 + d;
  }
  if (i < end && bytes[i] === 46) { // .
    for (i++; i < end; i++) {
      const d = bytes[i]! - 48;
      if (d < 0 || d > 9) break;
      any = true;
      if (mantissa !== 0 || d !== 0) digits++;
      mantissa = mantissa * 10 + d;
      scale--;
    }
  }
  if (!any) return NaN;
  if (i < end && (bytes[i] === 101 || bytes[i] === 69)) { // e E
    i++;
    const exponent = plainInteger(bytes, i, end);
    if (Number.isNaN(exponent)) return NaN;
    scale += exponent;
    i = end;
  }
  if (i !== end || digits > 15) return NaN;
  let v: number;
  if (scale === 0) v = mantissa;
  else if (scale > 0 && scale <= 22) v = mantissa * POWERS[scale]!;
  else if (scale < 0 && scale >= -22) v = mantissa / POWERS[-scale]!;
  else return NaN;
  return negative ? -v : v;
}

function digits(bytes: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

/** The last date read (year * 10,000 + month * 100 + day) and its day number: timestamps of a stream share their days. */
let lastDate = -1;
let lastDays = 0;

/**
 * `YYYY-MM-DD[T ]HH:MM:SS[.f…]` with an optional `Z`, as microseconds since 1970 (the
 * text's own clock; UTC with Z).
 */
export function isoTimestamp(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 19 || bytes[start + 4] !== 45 || bytes[start + 7] !== 45 || bytes[start + 13] !== 58 || bytes[start + 16] !== 58) return NaN;
  const separator = bytes[start + 10];
  if (separator !== 84 && separator !== 32) return NaN; // T or space
  const year = digits(bytes, start, 4);
  const month = digits(bytes, start + 5, 2);
  const day = digits(bytes, start + 8, 2);
  const hour = digits(bytes, start + 11, 2);
  const minute = digits(bytes, start + 14, 2);
  const second = digits(bytes, start + 17, 2);
  const date = year * 10000 + month * 100 + day;
  if (date !== lastDate) {
    if (!(month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month))) return NaN;
    lastDays = daysFromCivil(year, month, day);
    lastDate = date;
  }
  if (!(hour <= 23 && minute <= 59 && second <= 59)) return NaN;
  let i = start + 19;
  let micros = 0;
  if (i < end && bytes[i] === 46) {
    let n = 0;
    for (i++; i < end; i++) {
      const d = bytes[i]! - 48;
      if (d < 0 || d > 9) break;
      if (n < 6) micros = micros * 10 + d;
      else if (n === 6 && d >= 5) micros++; // round to the microsecond on the 7th digit
      n++;
    }
    if (n < 6) micros *= POWERS[6 - n]!;
  }
  if (i < end && bytes[i] === 90) i++; // Z
  if (i !== end) return NaN;
  return (lastDays * 86400 + hour * 3600 + minute * 60 + second) * 1_000_000 + micros;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
