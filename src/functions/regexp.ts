import { SabotError, SqlState } from '../errors.js';
import { Types } from '../types/sql-type.js';
import type { FunctionRegistry } from './scalar-function.js';
import { regExp } from './string.js';

/**
 * JS flags for Postgres's regular expression flags. As in Postgres, `.` matches a newline
 * unless the match is newline-sensitive ('n'), and one character beyond U+FFFF ('u').
 */
function jsFlags(flags: string, fn: string): string {
  let caseInsensitive = false;
  let newlineSensitive = false;
  for (const f of flags) {
    switch (f) {
      case 'i': caseInsensitive = true; break;
      case 'c': caseInsensitive = false; break;
      case 'n': newlineSensitive = true; break;
      case 's': newlineSensitive = false; break;
      case 'g':
        throw new SabotError(SqlState.invalidParameterValue, `${fn}() does not support the "global" option`,
          { hint: 'Use the regexp_matches function instead.' });
      default:
        throw new SabotError(SqlState.invalidParameterValue, `invalid regular expression option: "${f}"`);
    }
  }
  return (caseInsensitive ? 'iu' : 'u') + (newlineSensitive ? 'm' : 's');
}

/** An element as array_out prints it: quoted when empty, NULL-like or holding special characters. */
function arrayElement(v: string | undefined): string {
  if (v === undefined) return 'NULL';
  if (v !== '' && !/[{}",\\\s]/.test(v) && v.toLowerCase() !== 'null') return v;
  return `"${v.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * regexp_match(s, pattern [, flags]): the captured groups of the first match (the whole
 * match when there are no groups), or NULL. Postgres returns text[]; Sabot has no array
 * types yet and returns that array's text form, `{a,b}`, as TEXT.
 */
function regexpMatch(s: string, pattern: string, flags: string): string | null {
  const m = regExp(pattern, jsFlags(flags, 'regexp_match')).exec(s);
  if (m === null) return null;
  const parts = m.length > 1 ? m.slice(1) : [m[0]];
  return `{${parts.map(arrayElement).join(',')}}`;
}

/** substring(s FROM pattern): the first match, or its first parenthesized group. */
function substringMatch(s: string, pattern: string): string | null {
  const m = regExp(pattern, 'su').exec(s);
  if (m === null) return null;
  return m.length > 1 ? m[1] ?? null : m[0];
}

/** regexp_match and the regular-expression form of substring. */
export function registerRegexp(r: FunctionRegistry): void {
  const { text } = Types;
  r.add({ name: 'regexp_match', argTypes: [text, text], returnType: text, impl: ([s, p]) => regexpMatch(s as string, p as string, '') });
  r.add({
    name: 'regexp_match', argTypes: [text, text, text], returnType: text,
    impl: ([s, p, f]) => regexpMatch(s as string, p as string, f as string),
  });
  r.add({ name: 'substring', argTypes: [text, text], returnType: text, impl: ([s, p]) => substringMatch(s as string, p as string) });
}
