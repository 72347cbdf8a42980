/**
 * JSON and JSONB text: a JSON scanner with Postgres's error messages (22P02 `invalid
 * input syntax for type json` with the same DETAIL and CONTEXT), and jsonb's canonical
 * output: keys deduplicated (the last wins) and ordered by length then bytes, `": "` and
 * `", "` separators, strings re-escaped, numbers as NUMERIC prints them (`1.50` stays,
 * `1e2` is `100`). JSON.parse is not used: it loses the text of numbers.
 */
import { SabotError, SqlState } from '../errors.js';
import { Decimal } from './decimal.js';

/** A JSON number, kept as the text NUMERIC prints for it. */
export class JsonNumber {
  constructor(readonly text: string) {}
  toNumber(): number {
    return Number(this.text);
  }
  toDecimal(): Decimal {
    return Decimal.parse(this.text);
  }
}

/** A parsed JSON value; objects are Maps in jsonb key order, without duplicate keys. */
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

const MAX_DEPTH = 4000;

// Token kinds
const T_END = 0;
const T_STRING = 1;
const T_NUMBER = 2;
const T_TRUE = 3;
const T_FALSE = 4;
const T_NULL = 5;
const T_OBJECT_START = 6;
const T_OBJECT_END = 7;
const T_ARRAY_START = 8;
const T_ARRAY_END = 9;
const T_COMMA = 10;
const T_COLON = 11;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** Letters, digits, `_` and non-ASCII: what Postgres scans as one (bad) word. */
const isWordChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i;
  HEX[97 + i] = 10 + i;
}

class Scanner {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  tok = T_END;
  tokStart = 0;
  tokEnd = 0;
  /** Decoded value of a string token (when decoding). */
  str = '';
  private depth = 0;

  constructor(private readonly s: string, private readonly jsonb: boolean, private readonly build: boolean) {}

  // ---- errors

  private context(atEnd: boolean): string {
    const s = this.s;
    let start = this.lineStart;
    const end = this.tokEnd;
    if (end - start >= 50) start = end - 49;
    if (start - this.lineStart <= 3) start = this.lineStart;
    const prefix = start > this.lineStart ? '...' : '';
    const next = end < s.length ? s.charCodeAt(end) : 0;
    const suffix = !atEnd && end < s.length && next !== 10 && next !== 13 ? '...' : '';
    return `JSON data, line ${this.line}: ${prefix}${s.slice(start, end)}${suffix}`;
  }

  fail(detail: string, atEnd = false): never {
    throw new SabotError(SqlState.invalidTextRepresentation, 'invalid input syntax for type json', {
      detail, where: this.context(atEnd),
    });
  }

  private invalidToken(end: number): never {
    this.tokEnd = end;
    this.fail(`Token "${this.s.slice(this.tokStart, end)}" is invalid.`);
  }

  /** Complains that the current token is not what the grammar wants here. */
  unexpected(expected: string): never {
    if (this.tok === T_END) this.fail('The input string ended unexpectedly.', true);
    this.fail(`${expected}, but found "${this.s.slice(this.tokStart, this.tokEnd)}".`);
  }

  // ---- lexer

  next(): void {
    const s = this.s;
    const n = s.length;
    let i = this.i;
    for (;;) {
      if (i >= n) break;
      const c = s.charCodeAt(i);
      if (c === 32 || c === 9 || c === 13) {
        i++;
      } else if (c === 10) {
        i++;
        this.line++;
        this.lineStart = i;
      } else {
        break;
      }
    }
    this.tokStart = i;
    if (i >= n) {
      this.i = i;
      this.tokEnd = i;
      this.tok = T_END;
      return;
    }
    const c = s.charCodeAt(i);
    switch (c) {
      case 123: this.punct(i, T_OBJECT_START); return;
      case 125: this.punct(i, T_OBJECT_END); return;
      case 91: this.punct(i, T_ARRAY_START); return;
      case 93: this.punct(i, T_ARRAY_END); return;
      case 44: this.punct(i, T_COMMA); return;
      case 58: this.punct(i, T_COLON); return;
      case 34: this.string(i); return;
      default: break;
    }
    if (c === 45 || isDigit(c)) {
      this.number(i);
      return;
    }
    let j = i;
    while (j < n && isWordChar(s.charCodeAt(j))) j++;
    if (j === i) this.invalidToken(i + 1);
    const len = j - i;
    if (len === 4 && s.startsWith('true', i)) this.tok = T_TRUE;
    else if (len === 4 && s.startsWith('null', i)) this.tok = T_NULL;
    else if (len === 5 && s.startsWith('false', i)) this.tok = T_FALSE;
    else this.invalidToken(j);
    this.tokEnd = j;
    this.i = j;
  }

  private punct(i: number, tok: number): void {
    this.tok = tok;
    this.tokEnd = i + 1;
    this.i = i + 1;
  }

  private number(i: number): void {
    const s = this.s;
    const n = s.length;
    let j = i;
    let ok = true;
    if (s.charCodeAt(j) === 45) j++;
    if (j < n && s.charCodeAt(j) === 48) {
      j++;
    } else if (j < n && isDigit(s.charCodeAt(j))) {
      while (j < n && isDigit(s.charCodeAt(j))) j++;
    } else {
      ok = false;
    }
    if (ok && j < n && s.charCodeAt(j) === 46) {
      j++;
      if (j < n && isDigit(s.charCodeAt(j))) {
        while (j < n && isDigit(s.charCodeAt(j))) j++;
      } else {
        ok = false;
      }
    }
    if (ok && j < n && (s.charCodeAt(j) | 0x20) === 101) {
      j++;
      if (j < n && (s.charCodeAt(j) === 43 || s.charCodeAt(j) === 45)) j++;
      if (j < n && isDigit(s.charCodeAt(j))) {
        while (j < n && isDigit(s.charCodeAt(j))) j++;
      } else {
        ok = false;
      }
    }
    // Letters or digits glued to a number belong to the (bad) token.
    while (j < n && isWordChar(s.charCodeAt(j))) {
      j++;
      ok = false;
    }
    if (!ok) this.invalidToken(j);
    this.tok = T_NUMBER;
    this.tokEnd = j;
    this.i = j;
  }

  private string(i: number): void {
    const s = this.s;
    const n = s.length;
    let j = i + 1;
    let out = '';
    let segStart = j;
    let hiSurrogate = -1;
    for (;;) {
      if (j >= n) this.invalidToken(n);
      const c = s.charCodeAt(j);
      if (c === 34 && hiSurrogate === -1) break;
      if (c === 92) {
        if (this.build) out += s.slice(segStart, j);
        j++;
        if (j >= n) this.invalidToken(n);
        const e = s.charCodeAt(j);
        if (e === 117) {
          let ch = 0;
          for (let k = 1; k <= 4; k++) {
            j++;
            if (j >= n) this.invalidToken(n);
            const h = s.charCodeAt(j);
            const v = h < 128 ? HEX[h]! : -1;
            if (v < 0) {
              this.tokEnd = j + 1;
              this.fail('"\\u" must be followed by four hexadecimal digits.');
            }
            ch = ch * 16 + v;
          }
          j++;
          if (ch >= 0xd800 && ch <= 0xdbff) {
            if (hiSurrogate !== -1) {
              this.tokEnd = j;
              this.fail('Unicode high surrogate must not follow a high surrogate.');
            }
            hiSurrogate = ch;
            segStart = j;
            continue;
          }
          if (ch >= 0xdc00 && ch <= 0xdfff) {
            if (hiSurrogate === -1) {
              this.tokEnd = j;
              this.fail('Unicode low surrogate must follow a high surrogate.');
            }
            if (this.build) out += String.fromCharCode(hiSurrogate, ch);
            hiSurrogate = -1;
            segStart = j;
            continue;
          }
          if (hiSurrogate !== -1) {
            this.tokEnd = j;
            this.fail('Unicode low surrogate must follow a high surrogate.');
          }
          if (ch === 0 && this.jsonb) {
            throw new SabotError(SqlState.untranslatableCharacter, 'unsupported Unicode escape sequence', {
              detail: '\\u0000 cannot be converted to text.', where: this.contextAt(j),
            });
          }
          if (this.build) out += String.fromCharCode(ch);
          segStart = j;
          continue;
        }
        if (hiSurrogate !== -1) {
          this.tokEnd = j + 1;
          this.fail('Unicode low surrogate must follow a high surrogate.');
        }
        let r: string;
        switch (e) {
          case 34: r = '"'; break;
          case 92: r = '\\'; break;
          case 47: r = '/'; break;
          case 98: r = '\b'; break;
          case 102: r = '\f'; break;
          case 110: r = '\n'; break;
          case 114: r = '\r'; break;
          case 116: r = '\t'; break;
          default: {
            const w = e >= 0xd800 && e <= 0xdbff ? 2 : 1;
            this.tokEnd = j + w;
            this.fail(`Escape sequence "\\${s.slice(j, j + w)}" is invalid.`);
          }
        }
        if (this.build) out += r;
        j++;
        segStart = j;
        continue;
      }
      if (hiSurrogate !== -1) {
        this.tokEnd = j + 1;
        this.fail('Unicode low surrogate must follow a high surrogate.');
      }
      if (c < 32) {
        this.tokEnd = j;
        this.fail(`Character with value 0x${c < 16 ? '0' : ''}${c.toString(16)} must be escaped.`);
      }
      j++;
    }
    if (this.build) this.str = segStart === i + 1 && out === '' ? s.slice(segStart, j) : out + s.slice(segStart, j);
    this.tok = T_STRING;
    this.tokEnd = j + 1;
    this.i = j + 1;
  }

  private contextAt(end: number): string {
    this.tokEnd = end;
    return this.context(false);
  }

  // ---- parser

  value(): JsonValue {
    switch (this.tok) {
      case T_STRING: {
        const v = this.str;
        this.next();
        return v;
      }
      case T_NUMBER: {
        const v = this.build ? new JsonNumber(canonicalNumber(this.s.slice(this.tokStart, this.tokEnd))) : null;
        this.next();
        return v;
      }
      case T_TRUE: this.next(); return true;
      case T_FALSE: this.next(); return false;
      case T_NULL: this.next(); return null;
      case T_OBJECT_START: return this.object();
      case T_ARRAY_START: return this.array();
      default: return this.unexpected('Expected JSON value');
    }
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw stackDepthExceeded();
  }

  private array(): JsonValue[] {
    this.enter();
    this.next();
    const items: JsonValue[] = [];
    if (this.tok !== T_ARRAY_END) {
      items.push(this.value());
      while (this.tok === T_COMMA) {
        this.next();
        items.push(this.value());
      }
      if (this.tok !== T_ARRAY_END) this.unexpected('Expected "," or "]"');
    }
    this.next();
    this.depth--;
    return items;
  }

  /** The current token (a method, so that it is re-read after next()). */
  private cur(): number {
    return this.tok;
  }

  private object(): JsonObject {
    this.enter();
    this.next();
    const map: JsonObject = new Map();
    if (this.cur() === T_STRING) {
      this.field(map);
      while (this.cur() === T_COMMA) {
        this.next();
        this.field(map);
      }
      if (this.cur() !== T_OBJECT_END) this.unexpected('Expected "," or "}"');
    } else if (this.cur() !== T_OBJECT_END) {
      this.unexpected('Expected string or "}"');
    }
    this.next();
    this.depth--;
    return this.build && map.size > 1 ? sortKeys(map) : map;
  }

  private field(map: JsonObject): void {
    if (this.tok !== T_STRING) this.unexpected('Expected string');
    const key = this.str;
    this.next();
    if (this.cur() !== T_COLON) this.unexpected('Expected ":"');
    this.next();
    const v = this.value();
    if (this.build) {
      // The last of duplicate keys wins, as in jsonb.
      map.set(key, v);
    }
  }

  document(): JsonValue {
    this.next();
    const v = this.value();
    if (this.tok !== T_END) this.unexpected('Expected end of input');
    return v;
  }
}

function stackDepthExceeded(): SabotError {
  return new SabotError(SqlState.statementTooComplex, 'stack depth limit exceeded', {
    hint: 'Increase the configuration parameter "max_stack_depth" (currently 2048kB), after ensuring the platform\'s stack depth limit is adequate.',
  });
}

/** Runs a recursive walk, turning a JS stack overflow into Postgres's 54001. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError) throw stackDepthExceeded();
    throw e;
  }
}

/** NUMERIC text of a JSON number: `1e2` → `100`, `-0` → `0`; plain numbers unchanged. */
function canonicalNumber(t: string): string {
  for (let k = 0; k < t.length; k++) {
    const c = t.charCodeAt(k);
    if (c === 101 || c === 69) return Decimal.parse(t).toString();
  }
  if (t.charCodeAt(0) === 45 && t.charCodeAt(1) === 48) {
    // -0, -0.0, -0.5: only an all-zero value loses its sign
    for (let k = 2; k < t.length; k++) {
      const c = t.charCodeAt(k);
      if (c >= 49 && c <= 57) return t;
    }
    return t.slice(1);
  }
  return t;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** jsonb key order: shorter (in UTF-8 bytes) first, then bytewise. */
export function compareJsonbKeys(a: string, b: string): number {
  if (!NON_ASCII.test(a) && !NON_ASCII.test(b)) {
    if (a.length !== b.length) return a.length - b.length;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ba.length !== bb.length) return ba.length - bb.length;
  return Buffer.compare(ba, bb);
}

function sortKeys(map: JsonObject): JsonObject {
  const keys = Array.from(map.keys());
  let sorted = true;
  for (let k = 1; k < keys.length; k++) {
    if (compareJsonbKeys(keys[k - 1]!, keys[k]!) > 0) {
      sorted = false;
      break;
    }
  }
  if (sorted) return map;
  keys.sort(compareJsonbKeys);
  const out: JsonObject = new Map();
  for (const k of keys) out.set(k, map.get(k)!);
  return out;
}

/** Parses JSON text into a tree with jsonb semantics (sorted, deduplicated keys). */
export function parseJson(text: string): JsonValue {
  return guarded(() => new Scanner(text, true, true).document());
}

/** Checks JSON text as the json type's input does (no jsonb-only rules); throws 22P02. */
export function validateJson(text: string): void {
  guarded(() => new Scanner(text, false, false).document());
}

const ESCAPES: string[] = [];
for (let c = 0; c < 32; c++) ESCAPES[c] = '\\u' + c.toString(16).padStart(4, '0');
ESCAPES[8] = '\\b';
ESCAPES[9] = '\\t';
ESCAPES[10] = '\\n';
ESCAPES[12] = '\\f';
ESCAPES[13] = '\\r';
ESCAPES[34] = '\\"';
ESCAPES[92] = '\\\\';

/** A JSON string literal as Postgres writes it (escape_json). */
export function quoteJsonString(s: string): string {
  let out = '"';
  let start = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 32 || c === 34 || c === 92) {
      out += s.slice(start, k) + ESCAPES[c]!;
      start = k + 1;
    }
  }
  return out + (start === 0 ? s : s.slice(start)) + '"';
}

/** Canonical jsonb text of a parsed value. */
export function stringifyJsonb(v: JsonValue): string {
  return guarded(() => stringify(v));
}

function stringify(v: JsonValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean': return v ? 'true' : 'false';
    case 'string': return quoteJsonString(v);
    default: break;
  }
  if (v instanceof JsonNumber) return v.text;
  if (Array.isArray(v)) {
    let out = '[';
    for (let k = 0; k < v.length; k++) out += (k === 0 ? '' : ', ') + stringify(v[k]!);
    return out + ']';
  }
  let out = '{';
  let first = true;
  for (const [k, x] of v) {
    out += (first ? '' : ', ') + quoteJsonString(k) + ': ' + stringify(x);
    first = false;
  }
  return out + '}';
}

/** JSON text → the text Postgres prints for it as jsonb. Bad JSON: 22P02. */
export function canonicalJsonb(text: string): string {
  return guarded(() => stringify(new Scanner(text, true, true).document()));
}
