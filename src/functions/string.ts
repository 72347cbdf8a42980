import { SabotError, SqlState } from '../errors.js';
import { Types, type SqlType } from '../types/sql-type.js';
import { castValue } from './cast.js';
import type { EvalContext, FunctionRegistry } from './scalar-function.js';

const likeCache = new Map<string, RegExp>();

/** Translates a LIKE pattern (% and _, with an escape character) into a RegExp, cached. */
export function likeRegExp(pattern: string, caseInsensitive: boolean, escape = '\\'): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}${escape}${pattern}`;
  let re = likeCache.get(key);
  if (re) return re;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== '' && c === escape) {
      if (i + 1 >= pattern.length) {
        throw new SabotError(SqlState.invalidEscapeSequence, 'LIKE pattern must not end with escape character');
      }
      source += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  // The u flag makes `_` one character, as in Postgres, also beyond U+FFFF.
  re = new RegExp(`^${source}$`, caseInsensitive ? 'isu' : 'su');
  if (likeCache.size > 1000) likeCache.clear();
  likeCache.set(key, re);
  return re;
}

const regExpCache = new Map<string, RegExp>();

/** A POSIX regular expression (as ~ takes it) compiled once; JS syntax covers the common subset. */
export function regExp(pattern: string, flags: string): RegExp {
  const key = `${flags}/${pattern}`;
  let re = regExpCache.get(key);
  if (!re) {
    try {
      re = new RegExp(pattern, flags);
    } catch (err) {
      throw new SabotError(SqlState.invalidRegularExpression, `invalid regular expression: ${(err as Error).message}`);
    }
    if (regExpCache.size > 1000) regExpCache.clear();
    regExpCache.set(key, re);
  }
  return re;
}

function escapeChar(e: string): string {
  if (e.length > 1) throw new SabotError(SqlState.invalidEscapeSequence, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  return e;
}

const ASCII = /^[\x00-\x7f]*$/;

/**
 * Changes case one character at a time, as Postgres's towupper/towlower do: a character
 * JS would map to several (ß → SS) stays as it is, and no mapping depends on context.
 */
function mapCase(s: string, upper: boolean): string {
  const whole = upper ? s.toUpperCase() : s.toLowerCase();
  if (ASCII.test(s)) return whole;
  let out = '';
  for (const c of s) out += mapChar(c, upper);
  return out;
}

function mapChar(c: string, upper: boolean): string {
  const m = upper ? c.toUpperCase() : c.toLowerCase();
  return m.length === c.length || [...m].length === 1 ? m : c;
}

export function upperCase(s: string): string {
  return mapCase(s, true);
}

export function lowerCase(s: string): string {
  return mapCase(s, false);
}

const ALNUM = /[\p{L}\p{Nd}]/u;

/** The first letter of each run of letters and digits in upper case, the others in lower case. */
function initcap(s: string): string {
  let out = '';
  let inWord = false;
  for (const c of s) {
    out += mapChar(c, !inWord);
    inWord = ALNUM.test(c);
  }
  return out;
}

const stringTypes: SqlType[] = [Types.text, Types.varchar, Types.bpchar, Types.name];

/** ||, LIKE, ILIKE, regular expression matches, case and length. */
export function registerString(r: FunctionRegistry): void {
  const text = Types.text;
  r.add({ name: '||', argTypes: [text, text], returnType: text, impl: ([a, b]) => (a as string) + (b as string) });
  // As Postgres's anynonarray || text: the other side is cast to text (stable, as the
  // text of a timestamptz depends on the session's TimeZone).
  for (const type of Object.values(Types)) {
    if (stringTypes.includes(type) || type.kind === 'unknown' || type.kind === 'void') continue;
    const asText = (v: unknown, ctx: EvalContext) => castValue(v, type, text, ctx.format) as string;
    r.add({ name: '||', argTypes: [text, type], returnType: text, volatility: 'stable', impl: ([a, b], ctx) => (a as string) + asText(b, ctx) });
    r.add({ name: '||', argTypes: [type, text], returnType: text, volatility: 'stable', impl: ([a, b], ctx) => asText(a, ctx) + (b as string) });
  }
  for (const [name, ci] of [['~~', false], ['~~*', true]] as const) {
    r.add({ name, argTypes: [text, text], returnType: Types.bool, impl: ([s, p]) => likeRegExp(p as string, ci).test(s as string) });
    r.add({
      name, argTypes: [text, text, text], returnType: Types.bool,
      impl: ([s, p, e]) => likeRegExp(p as string, ci, escapeChar(e as string)).test(s as string),
    });
  }
  // 's': in Postgres's regular expressions `.` matches a newline too; 'u': and a character
  // beyond U+FFFF is one character, not two.
  for (const [name, flags, negated] of [['~', 'su', false], ['~*', 'isu', false], ['!~', 'su', true], ['!~*', 'isu', true]] as const) {
    r.add({ name, argTypes: [text, text], returnType: Types.bool, impl: ([s, p]) => regExp(p as string, flags).test(s as string) !== negated });
  }
  r.add({ name: 'upper', argTypes: [text], returnType: text, impl: ([s]) => upperCase(s as string) });
  r.add({ name: 'lower', argTypes: [text], returnType: text, impl: ([s]) => lowerCase(s as string) });
  r.add({ name: 'initcap', argTypes: [text], returnType: text, impl: ([s]) => initcap(s as string) });
  for (const name of ['length', 'char_length', 'character_length']) {
    r.add({ name, argTypes: [text], returnType: Types.int4, impl: ([s]) => [...(s as string)].length });
  }
  r.add({ name: 'octet_length', argTypes: [text], returnType: Types.int4, impl: ([s]) => Buffer.byteLength(s as string) });
}
