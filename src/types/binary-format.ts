/**
 * Postgres's binary wire formats (format code 1) of every Sabot type: what typsend
 * writes and typreceive reads. All integers are big-endian; timestamps count
 * microseconds and dates days from 2000-01-01.
 */
import { isUtf8 } from 'node:buffer';
import { SabotError, SqlState } from '../errors.js';
import { Decimal } from './decimal.js';
import { Interval } from './interval.js';
import { END_DATE, END_TIMESTAMP, MIN_DATE, MIN_TIMESTAMP, PG_EPOCH_DAYS, PG_EPOCH_MICROS } from './datetime.js';
import { canonicalJsonb, stringifyJsonb, validateJson, type JsonValue } from './jsonb.js';
import type { SqlType } from './sql-type.js';

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;
const NUMERIC_MAX_DSCALE = 0x3fff;

const TWO_32 = 4294967296;
const USECS_PER_DAY = 86_400_000_000;

function badFormat(): SabotError {
  return new SabotError(SqlState.invalidBinaryRepresentation, 'incorrect binary data format');
}

function expectLength(buf: Buffer, n: number): void {
  if (buf.length !== n) throw badFormat();
}

/** Writes an integer number (exact within ±2^53) as int64 without a bigint. */
function writeInt64(buf: Buffer, v: number, offset: number): void {
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi, offset);
  buf.writeUInt32BE(v - hi * TWO_32, offset + 4);
}

function readInt64(buf: Buffer, offset: number): number {
  return buf.readInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}

function encodeTimestamp(us: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  if (us === Infinity) b.writeBigInt64BE(0x7fffffffffffffffn);
  else if (us === -Infinity) b.writeBigInt64BE(-0x8000000000000000n);
  else if (Math.abs(us - PG_EPOCH_MICROS) <= Number.MAX_SAFE_INTEGER) writeInt64(b, us - PG_EPOCH_MICROS, 0);
  else b.writeBigInt64BE(BigInt(Math.round(us)) - BigInt(PG_EPOCH_MICROS));
  return b;
}

function decodeTimestamp(buf: Buffer): number {
  expectLength(buf, 8);
  const hi = buf.readInt32BE(0);
  const lo = buf.readUInt32BE(4);
  if (hi === 0x7fffffff && lo === 0xffffffff) return Infinity;
  if (hi === -0x80000000 && lo === 0) return -Infinity;
  const v = hi * TWO_32 + lo + PG_EPOCH_MICROS;
  if (v < MIN_TIMESTAMP || v >= END_TIMESTAMP) {
    throw new SabotError(SqlState.datetimeFieldOverflow, 'timestamp out of range');
  }
  return v;
}

function encodeNumeric(value: unknown): Buffer {
  const d = value instanceof Decimal ? value
    : typeof value === 'bigint' ? Decimal.of(value)
      : typeof value === 'number' ? Decimal.fromNumber(value)
        : Decimal.parse(String(value));
  if (!d.isFinite()) {
    const b = Buffer.alloc(8);
    b.writeUInt16BE(d.isNaN() ? NUMERIC_NAN : d.sign() > 0 ? NUMERIC_PINF : NUMERIC_NINF, 4);
    // Postgres reads the display scale of its stored infinities out of their header
    // bits, which gives 32; clients ignore it, but send the same bytes.
    if (!d.isNaN()) b.writeUInt16BE(32, 6);
    return b;
  }
  const { digits, weight } = d.toBase10000();
  const b = Buffer.allocUnsafe(8 + 2 * digits.length);
  b.writeInt16BE(digits.length, 0);
  b.writeInt16BE(weight, 2);
  b.writeUInt16BE(d.unscaled < 0n ? NUMERIC_NEG : NUMERIC_POS, 4);
  b.writeInt16BE(d.scale, 6);
  for (let i = 0; i < digits.length; i++) b.writeInt16BE(digits[i]!, 8 + 2 * i);
  return b;
}

function decodeNumeric(buf: Buffer): Decimal {
  if (buf.length < 8) throw badFormat();
  const ndigits = buf.readInt16BE(0);
  const weight = buf.readInt16BE(2);
  const sign = buf.readUInt16BE(4);
  const dscale = buf.readUInt16BE(6);
  if (ndigits < 0) {
    throw new SabotError(SqlState.invalidBinaryRepresentation, 'invalid length in external "numeric" value');
  }
  if (buf.length !== 8 + 2 * ndigits) throw badFormat();
  if (sign === NUMERIC_NAN) return Decimal.NaN;
  if (sign === NUMERIC_PINF) return Decimal.Infinity;
  if (sign === NUMERIC_NINF) return Decimal.NegativeInfinity;
  if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG) {
    throw new SabotError(SqlState.invalidBinaryRepresentation, 'invalid sign in external "numeric" value');
  }
  if (dscale > NUMERIC_MAX_DSCALE) {
    throw new SabotError(SqlState.invalidBinaryRepresentation, 'invalid scale in external "numeric" value');
  }
  const digits = new Array<number>(ndigits);
  for (let i = 0; i < ndigits; i++) {
    const d = buf.readInt16BE(8 + 2 * i);
    if (d < 0 || d >= 10000) {
      throw new SabotError(SqlState.invalidBinaryRepresentation, 'invalid digit in external "numeric" value');
    }
    digits[i] = d;
  }
  return Decimal.fromBase10000(digits, weight, sign === NUMERIC_NEG, dscale);
}

function encodeText(value: unknown): Buffer {
  return Buffer.from(typeof value === 'string' ? value : String(value), 'utf8');
}

/** UTF-8 text; invalid UTF-8 or a NUL byte is 22021 as in Postgres. */
function decodeText(buf: Buffer): string {
  if (!isUtf8(buf) || buf.indexOf(0) >= 0) {
    throw new SabotError(SqlState.characterNotInRepertoire, `invalid byte sequence for encoding "UTF8": ${badSequence(buf)}`);
  }
  return buf.toString('utf8');
}

/** The bytes of the first invalid UTF-8 sequence, as Postgres names them (`0xc3 0x28`). */
function badSequence(buf: Buffer): string {
  for (let i = 0; i < buf.length;) {
    const b = buf[i]!;
    const len = b === 0 ? 0 : b < 0x80 ? 1 : (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 ? 4 : 0;
    const seq = buf.subarray(i, i + Math.max(len, 1));
    if (len === 0 || seq.length < len || !isUtf8(seq)) {
      return Array.from(buf.subarray(i, i + Math.max(1, Math.min(len || 1, buf.length - i))),
        (x) => '0x' + x.toString(16).padStart(2, '0')).join(' ');
    }
    i += len;
  }
  return '';
}

/**
 * A value in Postgres's binary format for `type` (the in-memory form of sql-type.ts).
 * An integer that does not fit its type is 22003 (`integer out of range`, ...).
 */
export function encodeBinary(type: SqlType, value: unknown): Buffer {
  try {
    return encode(type, value);
  } catch (e) {
    if (e instanceof RangeError) {
      throw new SabotError(SqlState.numericValueOutOfRange, `${type.name} out of range`);
    }
    throw e;
  }
}

function encode(type: SqlType, value: unknown): Buffer {
  let b: Buffer;
  switch (type.kind) {
    case 'bool':
      b = Buffer.allocUnsafe(1);
      b[0] = value ? 1 : 0;
      return b;
    case 'int2':
      b = Buffer.allocUnsafe(2);
      b.writeInt16BE(Number(value));
      return b;
    case 'int4':
      b = Buffer.allocUnsafe(4);
      b.writeInt32BE(Number(value));
      return b;
    case 'int8':
      b = Buffer.allocUnsafe(8);
      if (typeof value === 'bigint') b.writeBigInt64BE(value);
      else if (Number.isSafeInteger(value)) writeInt64(b, value as number, 0);
      else b.writeBigInt64BE(BigInt(value as number));
      return b;
    case 'oid':
      b = Buffer.allocUnsafe(4);
      b.writeUInt32BE(Number(value) >>> 0);
      return b;
    case 'float4':
      b = Buffer.allocUnsafe(4);
      b.writeFloatBE(value as number);
      return b;
    case 'float8':
      b = Buffer.allocUnsafe(8);
      b.writeDoubleBE(value as number);
      return b;
    case 'numeric':
      return encodeNumeric(value);
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'unknown':
    case 'json':
      return encodeText(value);
    case 'jsonb': {
      const text = typeof value === 'string' ? value : stringifyJsonb(value as JsonValue);
      const len = Buffer.byteLength(text, 'utf8');
      b = Buffer.allocUnsafe(len + 1);
      b[0] = 1;
      b.write(text, 1, 'utf8');
      return b;
    }
    case 'bytea': {
      const v = value as Uint8Array;
      return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    }
    case 'timestamp':
    case 'timestamptz':
      return encodeTimestamp(value instanceof Date ? value.getTime() * 1000 : (value as number));
    case 'date': {
      const d = value as number;
      b = Buffer.allocUnsafe(4);
      b.writeInt32BE(d === Infinity ? 0x7fffffff : d === -Infinity ? -0x80000000 : d - PG_EPOCH_DAYS);
      return b;
    }
    case 'time':
      b = Buffer.allocUnsafe(8);
      writeInt64(b, value as number, 0);
      return b;
    case 'interval': {
      const iv = value as Interval;
      b = Buffer.allocUnsafe(16);
      writeInt64(b, iv.micros, 0);
      b.writeInt32BE(iv.days, 8);
      b.writeInt32BE(iv.months, 12);
      return b;
    }
    case 'void':
      return Buffer.alloc(0);
    default:
      throw new SabotError(SqlState.internalError, `no binary output for type ${(type as SqlType).name}`);
  }
}

/**
 * Reads Postgres's binary format of `type` into the in-memory form of sql-type.ts.
 * A wrong length is 22P03 `incorrect binary data format`.
 */
export function decodeBinary(type: SqlType, buf: Buffer): unknown {
  switch (type.kind) {
    case 'bool':
      expectLength(buf, 1);
      return buf[0] !== 0;
    case 'int2':
      expectLength(buf, 2);
      return buf.readInt16BE(0);
    case 'int4':
      expectLength(buf, 4);
      return buf.readInt32BE(0);
    case 'int8':
      expectLength(buf, 8);
      return buf.readBigInt64BE(0);
    case 'oid':
      expectLength(buf, 4);
      return buf.readUInt32BE(0);
    case 'float4':
      expectLength(buf, 4);
      return buf.readFloatBE(0);
    case 'float8':
      expectLength(buf, 8);
      return buf.readDoubleBE(0);
    case 'numeric':
      return decodeNumeric(buf);
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'unknown':
      return decodeText(buf);
    case 'json': {
      const text = decodeText(buf);
      validateJson(text);
      return text;
    }
    case 'jsonb': {
      if (buf.length < 1) throw badFormat();
      if (buf[0] !== 1) {
        throw new SabotError(SqlState.invalidBinaryRepresentation, `unsupported jsonb version number ${buf[0]}`);
      }
      return canonicalJsonb(decodeText(buf.subarray(1)));
    }
    case 'bytea':
      return new Uint8Array(buf);
    case 'timestamp':
    case 'timestamptz':
      return decodeTimestamp(buf);
    case 'date': {
      expectLength(buf, 4);
      const d = buf.readInt32BE(0);
      if (d === 0x7fffffff) return Infinity;
      if (d === -0x80000000) return -Infinity;
      const days = d + PG_EPOCH_DAYS;
      if (days < MIN_DATE || days >= END_DATE) {
        throw new SabotError(SqlState.datetimeFieldOverflow, 'date out of range');
      }
      return days;
    }
    case 'time': {
      expectLength(buf, 8);
      const t = readInt64(buf, 0);
      if (t < 0 || t > USECS_PER_DAY) throw new SabotError(SqlState.datetimeFieldOverflow, 'time out of range');
      return t;
    }
    case 'interval': {
      expectLength(buf, 16);
      const micros = readInt64(buf, 0);
      if (Math.abs(micros) > Number.MAX_SAFE_INTEGER) {
        throw new SabotError(SqlState.datetimeFieldOverflow, 'interval out of range');
      }
      return new Interval(buf.readInt32BE(12), buf.readInt32BE(8), micros);
    }
    case 'void':
      return null;
    default:
      throw new SabotError(SqlState.internalError, `no binary input for type ${(type as SqlType).name}`);
  }
}
