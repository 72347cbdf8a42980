import type { Data } from 'apache-arrow';
import type { ColumnSchema } from '../../runtime/arrow-types.js';
import { DEFAULT_FORMAT_SETTINGS, formatText, parseText } from '../../types/text-format.js';
import { canonicalJsonb } from '../../types/jsonb.js';
import type { TypeKind } from '../../types/sql-type.js';
import {
  BoolBuilder, BytesBuilder, columnBuilder, Int64Builder, NumberBuilder, type ColumnBuilder,
} from './column-builders.js';
import { isoTimestamp, plainFloat, plainInteger } from './text-values.js';

/** Why a record cannot become a row; the record goes to the dead letters with this reason. */
export class RecordError extends Error {}

const INTEGER_LIMITS: Partial<Record<TypeKind, [number, number]>> = {
  int2: [-32768, 32767], int4: [-2147483648, 2147483647], int8: [-Infinity, Infinity],
};

/** The decoding path of a column, decided once per column rather than per value. */
const enum Form { Text, Integer, Int64, Float, Timestamp, Other }

function formOf(kind: TypeKind): Form {
  switch (kind) {
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'unknown': return Form.Text;
    case 'int2': case 'int4': return Form.Integer;
    case 'int8': return Form.Int64;
    case 'float4': case 'float8': return Form.Float;
    case 'timestamp': case 'timestamptz': return Form.Timestamp;
    default: return Form.Other;
  }
}

const utf8 = new TextDecoder();

/**
 * Turns the values a format decoder finds for one column into that column's Arrow
 * values: plain forms (digits, ISO timestamps, text bytes) on fast paths, anything
 * else through Postgres's input function of the column's type, so a CSV field or a
 * JSON string reads as the same text would in Postgres. A value that does not fit the
 * type throws a RecordError.
 */
export class ColumnDecoder {
  builder: ColumnBuilder;
  private readonly kind: TypeKind;
  private readonly form: Form;
  private readonly min: number;
  private readonly max: number;
  /** json and jsonb columns take a JSON value's own text, quotes included. */
  readonly wantsJsonText: boolean;

  constructor(readonly column: ColumnSchema) {
    this.builder = columnBuilder(column);
    this.kind = column.type.kind;
    this.form = formOf(this.kind);
    [this.min, this.max] = INTEGER_LIMITS[this.kind] ?? [0, 0];
    this.wantsJsonText = this.kind === 'json' || this.kind === 'jsonb';
  }

  /** The values decoded so far as Arrow data; the decoder starts over empty, with room for as many. */
  finish(): Data {
    const data = this.builder.finish();
    this.builder = columnBuilder(this.column, data.length);
    return data;
  }

  null(): void {
    if (!this.column.nullable) throw new RecordError(`column "${this.column.name}" is NOT NULL but the record has no value for it`);
    this.builder.appendNull();
  }

  /** A JSON number token (already checked against the JSON grammar). */
  number(bytes: Uint8Array, start: number, end: number): void {
    switch (this.form) {
      case Form.Timestamp: { // epoch milliseconds
        const ms = plainFloat(bytes, start, end);
        if (Number.isNaN(ms) || Math.abs(ms) > 9e15) throw this.wrong(`a timestamp in milliseconds, not ${latin1(bytes, start, end)}`);
        (this.builder as Int64Builder).append(Math.round(ms * 1000));
        return;
      }
      case Form.Other:
        if (this.kind !== 'numeric' && this.kind !== 'oid') throw this.wrong(`${this.column.type.name}, not a number`);
    }
    this.text(bytes, start, end);
  }

  /** A JSON integer token of up to 15 digits, read already as v. */
  integer(v: number, bytes: Uint8Array, start: number, end: number): void {
    if (this.form === Form.Int64) (this.builder as Int64Builder).append(v);
    else if (this.form === Form.Integer && v >= this.min && v <= this.max) (this.builder as NumberBuilder).append(v);
    else this.number(bytes, start, end);
  }

  /** A CSV field or a JSON string's content (unescaped). */
  text(bytes: Uint8Array, start: number, end: number): void {
    switch (this.form) {
      case Form.Text:
        (this.builder as BytesBuilder).append(bytes, start, end);
        return;
      case Form.Int64: case Form.Integer: {
        const v = plainInteger(bytes, start, end);
        if (v >= this.min && v <= this.max) {
          if (this.form === Form.Int64) (this.builder as Int64Builder).append(v);
          else (this.builder as NumberBuilder).append(v);
          return;
        }
        break;
      }
      case Form.Float: {
        const v = plainFloat(bytes, start, end);
        if (!Number.isNaN(v)) { (this.builder as NumberBuilder).append(v); return; }
        break;
      }
      case Form.Timestamp: {
        const v = isoTimestamp(bytes, start, end);
        if (!Number.isNaN(v)) { (this.builder as Int64Builder).append(v); return; }
        break;
      }
    }
    this.parsed(utf8.decode(bytes.subarray(start, end)));
  }

  /** A JSON true or false. */
  bool(v: boolean): void {
    if (this.kind === 'bool') (this.builder as BoolBuilder).append(v);
    else if (this.form === Form.Text) (this.builder as BytesBuilder).appendText(v ? 'true' : 'false');
    else throw this.wrong(`${this.column.type.name}, not a boolean`);
  }

  /** A JSON value's own text: an object or array, or any value for a json/jsonb column. */
  json(bytes: Uint8Array, start: number, end: number): void {
    if (this.form === Form.Text || this.kind === 'json') (this.builder as BytesBuilder).append(bytes, start, end);
    else if (this.kind === 'jsonb') (this.builder as BytesBuilder).appendText(canonicalJsonb(utf8.decode(bytes.subarray(start, end))));
    else throw this.wrong(`${this.column.type.name}, not a JSON ${bytes[start] === 123 ? 'object' : 'array'}`);
  }

  private wrong(what: string): RecordError {
    return new RecordError(`column "${this.column.name}" is ${what}`);
  }

  /** The slow path: Postgres input of the text, then the value's column form. */
  private parsed(text: string): void {
    let v: unknown;
    try {
      v = parseText(this.column.type, text, DEFAULT_FORMAT_SETTINGS);
    } catch (err) {
      throw new RecordError(`column "${this.column.name}": ${(err as Error).message}`);
    }
    const b = this.builder;
    if (b instanceof BoolBuilder) b.append(v as boolean);
    else if (b instanceof NumberBuilder) b.append(v as number);
    else if (b instanceof Int64Builder) {
      if (typeof v === 'bigint') b.appendBigInt(v);
      else if (Number.isFinite(v)) b.append(v as number);
      else throw new RecordError(`column "${this.column.name}": ${text} cannot be kept in a stream`);
    } else if (b instanceof BytesBuilder) {
      if (v instanceof Uint8Array) b.append(v, 0, v.length);
      else b.appendText(typeof v === 'string' ? v : formatText(this.column.type, v, DEFAULT_FORMAT_SETTINGS));
    }
  }
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, Math.min(end, start + 64)));
}
