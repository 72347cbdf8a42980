/**
 * The Postgres text format of every Sabot type: what a `RowDescription` column with
 * format 0 carries, what `SELECT x::text` prints, and what a string literal or a text
 * parameter is read as. Output and input match Postgres (DateStyle ISO, bytea_output hex).
 */
import { SabotError, SqlState } from '../errors.js';
import { Decimal } from './decimal.js';
import { Interval, type IntervalStyle } from './interval.js';
import {
  formatDate, formatTime, formatTimestamp, formatTimestamptz, parseDate, parseTime, parseTimestamp,
  parseTimestamptz,
} from './datetime.js';
import { formatFloat4, formatFloat8, parseFloat4, parseFloat8 } from './float-format.js';
import { canonicalJsonb, stringifyJsonb, validateJson, type JsonValue } from './jsonb.js';
import type { SqlType } from './sql-type.js';

export interface FormatSettings {
  /** The session TimeZone: an IANA name or a `±HH[:MM]` offset. */
  timeZone: string;
  intervalStyle: IntervalStyle;
  /** extra_float_digits: > 0 prints the shortest exact digits (the default, 1). */
  extraFloatDigits: number;
  /** The instant `now`, `today`, ... mean in input (µs since 1970); default: the clock. */
  now?: number;
}

/** Postgres's defaults for a session that set nothing. */
export const DEFAULT_FORMAT_SETTINGS: FormatSettings = Object.freeze({
  timeZone: 'UTC',
  intervalStyle: 'postgres',
  extraFloatDigits: 1,
});

// ---------------------------------------------------------------------------------------
// Output

const HEX_DIGITS = '0123456789abcdef';

/** bytea in hex output format: `\x0102ff`. */
export function formatBytea(v: Uint8Array): string {
  if (v.length > 64) {
    return '\\x' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  }
  let out = '\\x';
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    out += HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!;
  }
  return out;
}

function formatNumeric(value: unknown): string {
  if (value instanceof Decimal) return value.toString();
  if (typeof value === 'number') return Decimal.fromNumber(value).toString();
  if (typeof value === 'bigint') return value.toString();
  return String(value);
}

function asMicros(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.getTime() * 1000;
  if (typeof value === 'bigint') return Number(value);
  return Number(value);
}

/**
 * A value's text as Postgres prints it. `value` is the in-memory form of sql-type.ts
 * (never null: NULL has no text). Numbers, bigints, Decimals and Dates are accepted
 * where they make sense (a bigint for int8, a number for numeric, a Date for timestamps).
 */
export function formatText(type: SqlType, value: unknown, settings: FormatSettings): string {
  switch (type.kind) {
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'unknown':
    case 'json':
      return typeof value === 'string' ? value : String(value);
    case 'int4':
    case 'int2':
    case 'int8':
      return String(value);
    case 'bool':
      return value ? 't' : 'f';
    case 'float8':
      return formatFloat8(value as number, settings.extraFloatDigits);
    case 'float4':
      return formatFloat4(value as number, settings.extraFloatDigits);
    case 'numeric':
      return formatNumeric(value);
    case 'timestamp':
      return formatTimestamp(asMicros(value));
    case 'timestamptz':
      return formatTimestamptz(asMicros(value), settings.timeZone);
    case 'date':
      return formatDate(value as number);
    case 'time':
      return formatTime(value as number);
    case 'interval':
      return (value as Interval).toString(settings.intervalStyle);
    case 'jsonb':
      return typeof value === 'string' ? value : stringifyJsonb(value as JsonValue);
    case 'bytea':
      return formatBytea(value as Uint8Array);
    case 'oid':
      return String(Number(value) >>> 0);
    case 'void':
      return '';
    default:
      throw new SabotError(SqlState.internalError, `no text output for type ${(type as SqlType).name}`);
  }
}

// ---------------------------------------------------------------------------------------
// Input

const isCSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

function invalid(typeName: string, text: string): SabotError {
  return new SabotError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${typeName}: "${text}"`);
}

function outOfRange(typeName: string, text: string): SabotError {
  return new SabotError(SqlState.numericValueOutOfRange, `value "${text}" is out of range for type ${typeName}`);
}

/**
 * Reads `[space][sign]digits[space]` as a number: the value, or NaN for bad syntax,
 * or ±Infinity when it has too many digits to matter.
 */
function scanInteger(text: string): number {
  const n = text.length;
  let i = 0;
  while (i < n && isCSpace(text.charCodeAt(i))) i++;
  let neg = false;
  if (i < n) {
    const c = text.charCodeAt(i);
    if (c === 45 || c === 43) {
      neg = c === 45;
      i++;
    }
  }
  const start = i;
  let v = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    i++;
  }
  if (i === start) return NaN;
  while (i < n && isCSpace(text.charCodeAt(i))) i++;
  if (i !== n) return NaN;
  if (v > 1e17) v = Infinity;
  return neg ? -v : v;
}

/** smallint input (22P02 / 22003). */
export function parseInt2(text: string): number {
  const v = scanInteger(text);
  if (v !== v) throw invalid('smallint', text);
  if (v < -32768 || v > 32767) throw outOfRange('smallint', text);
  return v || 0;
}

/** integer input (22P02 / 22003). */
export function parseInt4(text: string): number {
  const v = scanInteger(text);
  if (v !== v) throw invalid('integer', text);
  if (v < -2147483648 || v > 2147483647) throw outOfRange('integer', text);
  return v || 0;
}

/** bigint input (22P02 / 22003). */
export function parseInt8(text: string): bigint {
  const v = scanInteger(text);
  if (v !== v) throw invalid('bigint', text);
  if (v > -9007199254740991 && v < 9007199254740991) return BigInt(v);
  // Too big for a double to be exact: read the digits again as a bigint.
  let t = text.trim();
  if (t.charCodeAt(0) === 43) t = t.slice(1);
  let b: bigint;
  try {
    b = BigInt(t);
  } catch {
    throw invalid('bigint', text);
  }
  if (b < -9223372036854775808n || b > 9223372036854775807n) throw outOfRange('bigint', text);
  return b;
}

/** oid input: 0..4294967295, or -2147483648..-1 meaning 2^32 + n (as strtoul reads them). */
export function parseOid(text: string): number {
  const v = scanInteger(text);
  if (v !== v) throw invalid('oid', text);
  if (v > 4294967295 || v < -2147483648) throw outOfRange('oid', text);
  return v < 0 ? v + 4294967296 : v || 0;
}

const TRUE_WORDS = ['true', 'yes', 'on'];
const FALSE_WORDS = ['false', 'no', 'off'];

/** boolean input: t/true/yes/on/1, f/false/no/off/0, any case, unique prefixes, trimmed. */
export function parseBool(text: string): boolean {
  let i = 0;
  let n = text.length;
  while (i < n && isCSpace(text.charCodeAt(i))) i++;
  while (n > i && isCSpace(text.charCodeAt(n - 1))) n--;
  const len = n - i;
  if (len > 0) {
    const w = (i === 0 && n === text.length ? text : text.slice(i, n)).toLowerCase();
    if (len === 1 && w === '1') return true;
    if (len === 1 && w === '0') return false;
    const c = w.charCodeAt(0);
    // `o` alone is ambiguous (on/off); every other prefix of these words is unique.
    if (!(len === 1 && c === 111)) {
      for (const t of TRUE_WORDS) if (t.startsWith(w)) return true;
      for (const f of FALSE_WORDS) if (f.startsWith(w)) return false;
    }
  }
  throw invalid('boolean', text);
}

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[65 + i] = 10 + i;
  HEX_VALUE[97 + i] = 10 + i;
}

/** bytea input: hex format `\x0102` (spaces between bytes allowed) or escape format. */
export function parseBytea(text: string): Uint8Array {
  if (text.charCodeAt(0) === 92 && text.charCodeAt(1) === 120) {
    const out = Buffer.allocUnsafe((text.length - 2) >> 1);
    let o = 0;
    let i = 2;
    const n = text.length;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 9 || c === 13) {
        i++;
        continue;
      }
      const hi = c < 128 ? HEX_VALUE[c]! : -1;
      if (hi < 0) {
        throw new SabotError(SqlState.invalidParameterValue, `invalid hexadecimal digit: "${text[i]}"`);
      }
      if (i + 1 >= n) {
        throw new SabotError(SqlState.invalidParameterValue, 'invalid hexadecimal data: odd number of digits');
      }
      const c2 = text.charCodeAt(i + 1);
      const lo = c2 < 128 ? HEX_VALUE[c2]! : -1;
      if (lo < 0) {
        throw new SabotError(SqlState.invalidParameterValue, `invalid hexadecimal digit: "${text[i + 1]}"`);
      }
      out[o++] = (hi << 4) | lo;
      i += 2;
    }
    return new Uint8Array(out.buffer, out.byteOffset, o);
  }
  // Escape format: \\ is a backslash, \ooo an octal byte, anything else as its UTF-8.
  if (text.indexOf('\\') < 0) return new Uint8Array(Buffer.from(text, 'utf8'));
  const src = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(src.length);
  let o = 0;
  for (let i = 0; i < src.length;) {
    const b = src[i]!;
    if (b !== 92) {
      out[o++] = b;
      i++;
      continue;
    }
    const b1 = src[i + 1];
    if (b1 === 92) {
      out[o++] = 92;
      i += 2;
      continue;
    }
    const b2 = src[i + 2];
    const b3 = src[i + 3];
    if (b1 !== undefined && b2 !== undefined && b3 !== undefined && b1 >= 48 && b1 <= 51
      && b2 >= 48 && b2 <= 55 && b3 >= 48 && b3 <= 55) {
      out[o++] = ((b1 - 48) << 6) | ((b2 - 48) << 3) | (b3 - 48);
      i += 4;
      continue;
    }
    throw new SabotError(SqlState.invalidTextRepresentation, 'invalid input syntax for type bytea');
  }
  return new Uint8Array(out.buffer, out.byteOffset, o);
}

/** name input: truncated to 63 bytes of UTF-8 (on a character boundary). */
export function parseName(text: string): string {
  if (text.length <= 21) return text; // at most 3 bytes per UTF-16 unit
  const b = Buffer.from(text, 'utf8');
  if (b.length <= 63) return text;
  let end = 63;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString('utf8');
}

/**
 * Reads text as a value of `type`, exactly as Postgres's input function does (errors
 * included). Returns the in-memory form of sql-type.ts.
 */
export function parseText(type: SqlType, text: string, settings: FormatSettings): unknown {
  switch (type.kind) {
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'unknown':
      return text;
    case 'name':
      return parseName(text);
    case 'bool':
      return parseBool(text);
    case 'int2':
      return parseInt2(text);
    case 'int4':
      return parseInt4(text);
    case 'int8':
      return parseInt8(text);
    case 'float4':
      return parseFloat4(text);
    case 'float8':
      return parseFloat8(text);
    case 'numeric':
      return Decimal.parse(text);
    case 'timestamp':
      return parseTimestamp(text, { timeZone: settings.timeZone, now: settings.now });
    case 'timestamptz':
      return parseTimestamptz(text, { timeZone: settings.timeZone, now: settings.now });
    case 'date':
      return parseDate(text, { timeZone: settings.timeZone, now: settings.now });
    case 'time':
      return parseTime(text, { timeZone: settings.timeZone, now: settings.now });
    case 'interval':
      return Interval.parse(text, undefined, undefined, settings.intervalStyle);
    case 'json':
      validateJson(text);
      return text;
    case 'jsonb':
      return canonicalJsonb(text);
    case 'bytea':
      return parseBytea(text);
    case 'oid':
      return parseOid(text);
    case 'void':
      return null;
    default:
      throw new SabotError(SqlState.internalError, `no text input for type ${(type as SqlType).name}`);
  }
}
