import { SabotError, SqlState } from '../errors.js';
import { Types, type SqlType } from '../types/sql-type.js';
import { formatText } from '../types/text-format.js';
import type { FunctionRegistry } from './scalar-function.js';

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
  re = new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
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

const stringTypes: SqlType[] = [Types.text, Types.varchar, Types.bpchar, Types.name];

/** ||, LIKE, ILIKE, and the basic string functions. */
export function registerString(r: FunctionRegistry): void {
  const text = Types.text;
  r.add({ name: '||', argTypes: [text, text], returnType: text, impl: ([a, b]) => (a as string) + (b as string) });
  // As Postgres's anynonarray || text: the other side goes through its output function.
  for (const type of Object.values(Types)) {
    if (stringTypes.includes(type) || type.kind === 'unknown' || type.kind === 'void') continue;
    r.add({ name: '||', argTypes: [text, type], returnType: text, impl: ([a, b], ctx) => (a as string) + formatText(type, b, ctx.format) });
    r.add({ name: '||', argTypes: [type, text], returnType: text, impl: ([a, b], ctx) => formatText(type, a, ctx.format) + (b as string) });
  }
  for (const [name, ci] of [['~~', false], ['~~*', true]] as const) {
    r.add({ name, argTypes: [text, text], returnType: Types.bool, impl: ([s, p]) => likeRegExp(p as string, ci).test(s as string) });
    r.add({
      name, argTypes: [text, text, text], returnType: Types.bool,
      impl: ([s, p, e]) => likeRegExp(p as string, ci, escapeChar(e as string)).test(s as string),
    });
  }
  for (const [name, flags, negated] of [['~', '', false], ['~*', 'i', false], ['!~', '', true], ['!~*', 'i', true]] as const) {
    r.add({ name, argTypes: [text, text], returnType: Types.bool, impl: ([s, p]) => regExp(p as string, flags).test(s as string) !== negated });
  }
  r.add({ name: 'upper', argTypes: [text], returnType: text, impl: ([s]) => (s as string).toUpperCase() });
  r.add({ name: 'lower', argTypes: [text], returnType: text, impl: ([s]) => (s as string).toLowerCase() });
  for (const name of ['length', 'char_length', 'character_length']) {
    r.add({ name, argTypes: [text], returnType: Types.int4, impl: ([s]) => [...(s as string)].length });
  }
  r.add({ name: 'octet_length', argTypes: [text], returnType: Types.int4, impl: ([s]) => Buffer.byteLength(s as string) });
}
