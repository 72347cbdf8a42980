import { SabotError, SqlState } from '../errors.js';
import { Types } from '../types/sql-type.js';
import type { FunctionRegistry } from './scalar-function.js';

/**
 * Postgres counts characters (code points) where JS counts UTF-16 code units: the two
 * differ only for strings with characters beyond U+FFFF (surrogate pairs).
 */
const SURROGATE = /[\uD800-\uDFFF]/;

/** The characters of a string. */
export function characters(s: string): string[] {
  return SURROGATE.test(s) ? Array.from(s) : s.split('');
}

/** Characters from (0-based) start up to end (exclusive), both clamped to the string. */
function slice(s: string, start: number, end = Infinity): string {
  if (!SURROGATE.test(s)) return s.slice(Math.max(0, start), Math.max(0, end));
  return Array.from(s).slice(Math.max(0, start), Math.max(0, end)).join('');
}

function length(s: string): number {
  return SURROGATE.test(s) ? Array.from(s).length : s.length;
}

/** substring(s, start [, count]) of Postgres: 1-based, a start before 1 eats into the count. */
export function substring(s: string, start: number, count?: number): string {
  if (count === undefined) return slice(s, start - 1);
  if (count < 0) throw new SabotError('22011', 'negative substring length not allowed');
  return slice(s, start - 1, start - 1 + count);
}

/** 1-based character position of the first occurrence of `sub` in `s`, 0 if none. */
export function strpos(s: string, sub: string): number {
  const i = s.indexOf(sub);
  return i < 0 ? 0 : length(s.slice(0, i)) + 1;
}

/** left(s, n): the first n characters, or all but the last -n. */
function left(s: string, n: number): string {
  return n >= 0 ? slice(s, 0, n) : slice(s, 0, length(s) + n);
}

/** right(s, n): the last n characters, or all but the first -n. */
function right(s: string, n: number): string {
  return n >= 0 ? slice(s, Math.max(0, length(s) - n)) : slice(s, -n);
}

function splitPart(s: string, delimiter: string, n: number): string {
  if (n === 0) throw new SabotError(SqlState.invalidParameterValue, 'field position must not be zero');
  // An empty delimiter leaves the whole string as the only field.
  const fields = delimiter === '' ? [s] : s.split(delimiter);
  return fields[n > 0 ? n - 1 : fields.length + n] ?? '';
}

/** btrim, ltrim and rtrim: drop the characters of a set from one end or both. */
function trim(s: string, set: string, leading: boolean, trailing: boolean): string {
  const chars = characters(s);
  const drop = new Set(characters(set));
  let start = 0;
  let end = chars.length;
  if (leading) while (start < end && drop.has(chars[start]!)) start++;
  if (trailing) while (end > start && drop.has(chars[end - 1]!)) end--;
  return start === 0 && end === chars.length ? s : chars.slice(start, end).join('');
}

/** substring, position, strpos, starts_with, left, right, split_part and the trim family. */
export function registerStringParts(r: FunctionRegistry): void {
  const { text, int4, bool } = Types;
  const str = (v: unknown) => v as string;
  const num = (v: unknown) => v as number;
  r.add({ name: 'substring', argTypes: [text, int4], returnType: text, impl: ([s, a]) => substring(str(s), num(a)) });
  r.add({ name: 'substring', argTypes: [text, int4, int4], returnType: text, impl: ([s, a, n]) => substring(str(s), num(a), num(n)) });
  r.add({ name: 'substr', argTypes: [text, int4], returnType: text, impl: ([s, a]) => substring(str(s), num(a)) });
  r.add({ name: 'substr', argTypes: [text, int4, int4], returnType: text, impl: ([s, a, n]) => substring(str(s), num(a), num(n)) });
  // position(sub IN s) is position(sub, s); strpos takes them the other way round.
  r.add({ name: 'position', argTypes: [text, text], returnType: int4, impl: ([sub, s]) => strpos(str(s), str(sub)) });
  r.add({ name: 'strpos', argTypes: [text, text], returnType: int4, impl: ([s, sub]) => strpos(str(s), str(sub)) });
  r.add({ name: 'starts_with', argTypes: [text, text], returnType: bool, impl: ([s, p]) => str(s).startsWith(str(p)) });
  r.add({ name: 'left', argTypes: [text, int4], returnType: text, impl: ([s, n]) => left(str(s), num(n)) });
  r.add({ name: 'right', argTypes: [text, int4], returnType: text, impl: ([s, n]) => right(str(s), num(n)) });
  r.add({ name: 'split_part', argTypes: [text, text, int4], returnType: text, impl: ([s, d, n]) => splitPart(str(s), str(d), num(n)) });
  for (const [name, leading, trailing] of [['btrim', true, true], ['ltrim', true, false], ['rtrim', false, true]] as const) {
    r.add({ name, argTypes: [text], returnType: text, impl: ([s]) => trim(str(s), ' ', leading, trailing) });
    r.add({ name, argTypes: [text, text], returnType: text, impl: ([s, set]) => trim(str(s), str(set), leading, trailing) });
  }
}
