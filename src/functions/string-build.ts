import { SabotError, SqlState } from '../errors.js';
import { Types } from '../types/sql-type.js';
import { formatText } from '../types/text-format.js';
import type { FunctionRegistry } from './scalar-function.js';
import { characters } from './string-parts.js';

/**
 * The function the binder wraps around each argument of concat and concat_ws that is
 * not text: Postgres formats those arguments with their type's output function, which
 * differs from a cast to text for booleans (concat(true) is 't', true::text is 'true').
 */
export const TEXT_OUTPUT = 'text output';

/** Strings of up to this many UTF-16 units (Postgres stops at 1 GB). */
const MAX_LENGTH = 1 << 28;

function tooLong(): SabotError {
  return new SabotError(SqlState.programLimitExceeded, 'requested length too large');
}

function repeat(s: string, n: number): string {
  if (n <= 0 || s === '') return '';
  if (s.length * n > MAX_LENGTH) throw tooLong();
  return s.repeat(n);
}

/** lpad / rpad: cut to `length` characters, or fill up to it with repeats of `fill`. */
function pad(s: string, length: number, fill: string, atStart: boolean): string {
  if (length > MAX_LENGTH) throw tooLong();
  const chars = characters(s);
  if (chars.length >= length || fill === '') return chars.slice(0, Math.max(0, length)).join('');
  const fillChars = characters(fill);
  const need = length - chars.length;
  let padding = '';
  for (let i = 0; i < need; i++) padding += fillChars[i % fillChars.length]!;
  return atStart ? padding + s : s + padding;
}

/** concat, concat_ws, replace, repeat, reverse, lpad and rpad. */
export function registerStringBuild(r: FunctionRegistry): void {
  const { text, int4 } = Types;
  const str = (v: unknown) => v as string;
  for (const type of Object.values(Types)) {
    if (type.kind === 'text' || type.kind === 'unknown' || type.kind === 'void') continue;
    r.add({ name: TEXT_OUTPUT, argTypes: [type], returnType: text, volatility: 'stable', impl: ([v], ctx) => formatText(type, v, ctx.format) });
  }
  // NULL arguments are left out; a NULL separator makes the result NULL.
  r.add({
    name: 'concat', argTypes: [text], variadic: true, returnType: text, strict: false,
    impl: (args) => args.filter((a) => a !== null).join(''),
  });
  r.add({
    name: 'concat_ws', argTypes: [text, text], variadic: true, returnType: text, strict: false,
    impl: ([sep, ...args]) => (sep === null ? null : args.filter((a) => a !== null).join(str(sep))),
  });
  r.add({
    name: 'replace', argTypes: [text, text, text], returnType: text,
    impl: ([s, from, to]) => (from === '' ? s : str(s).split(str(from)).join(str(to))),
  });
  r.add({ name: 'repeat', argTypes: [text, int4], returnType: text, impl: ([s, n]) => repeat(str(s), n as number) });
  r.add({ name: 'reverse', argTypes: [text], returnType: text, impl: ([s]) => characters(str(s)).reverse().join('') });
  for (const [name, atStart] of [['lpad', true], ['rpad', false]] as const) {
    r.add({ name, argTypes: [text, int4], returnType: text, impl: ([s, n]) => pad(str(s), n as number, ' ', atStart) });
    r.add({ name, argTypes: [text, int4, text], returnType: text, impl: ([s, n, f]) => pad(str(s), n as number, str(f), atStart) });
  }
}
