/**
 * LIKE / ILIKE kernels. With a constant (or parameter) pattern the pattern is compiled
 * once: patterns of literals and `%` match on the UTF-8 bytes of each row without
 * decoding it; patterns with `_` and ILIKE use the reference's regular expression on the
 * decoded rows. A pattern column, and a pattern the reference rejects (a trailing escape
 * character, an escape string longer than one character), go row by row through the
 * scalar function, which raises its errors for exactly the rows it is applied to.
 */
import type { ScalarFunction } from '../../functions/scalar-function.js';
import { likeRegExp } from '../../functions/string.js';
import { type Col, NULL_SCALAR, type Scalar, Vec } from './columns.js';
import type { Frame } from './frame.js';
import { genericCall, scalarCall } from './generic.js';
import { type CallKernel, type KernelArg, registerKernel } from './kernels.js';
import { type BytePattern, bytePattern, likeBytes, likeRegExpRows } from './strings.js';

type Compiled = { kind: 'bytes'; pattern: BytePattern } | { kind: 'regexp'; re: RegExp } | { kind: 'invalid' };

function compilePattern(pattern: string, escape: string, caseInsensitive: boolean): Compiled {
  if (escape.length > 1) return { kind: 'invalid' };
  if (!caseInsensitive) {
    const bytes = bytePattern(pattern, escape);
    if (bytes) return { kind: 'bytes', pattern: bytes };
  }
  try {
    return { kind: 'regexp', re: likeRegExp(pattern, caseInsensitive, escape) };
  } catch {
    return { kind: 'invalid' };
  }
}

function likeKernel(fn: ScalarFunction, argInfo: readonly KernelArg[], caseInsensitive: boolean): CallKernel {
  const withEscape = fn.argTypes.length === 3;
  const cache = new Map<string, Compiled>();
  const compiled = (pattern: string, escape: string): Compiled => {
    const key = `${escape}\u0000${pattern}`;
    let c = cache.get(key);
    if (c === undefined) {
      if (cache.size >= 64) cache.clear();
      c = compilePattern(pattern, escape, caseInsensitive);
      cache.set(key, c);
    }
    return c;
  };
  // A constant valid pattern cannot fail; anything else may.
  const p = argInfo[1]?.constant?.value;
  const e = withEscape ? argInfo[2]?.constant?.value : '\\';
  const canFail = !(typeof p === 'string' && typeof e === 'string' && compiled(p, e).kind !== 'invalid');
  return {
    canFail,
    fast: (argInfo[1]?.uniform ?? false) && (!withEscape || (argInfo[2]?.uniform ?? false)),
    run(f: Frame, args: Col[], active: Uint8Array | null): Col {
      const s = args[0]!;
      const pat = args[1]!;
      const esc = withEscape ? args[2]! : undefined;
      if (s.isScalar && pat.isScalar && (!esc || esc.isScalar)) return scalarCall(f, fn, args.map((a) => (a as Scalar).value), active);
      if ((s.isScalar && s.value === null) || (pat.isScalar && pat.value === null) || (esc?.isScalar && esc.value === null)) {
        return NULL_SCALAR;
      }
      if (s.isScalar || !pat.isScalar || (esc && !esc.isScalar)) return genericCall(f, fn, args, fn.argTypes, fn.returnType, active);
      const c = compiled(pat.value as string, esc ? (esc.value as string) : '\\');
      switch (c.kind) {
        case 'bytes': return new Vec(f.n, likeBytes(s, c.pattern, f.n, f.mem.u8(f.n)), s.validity);
        case 'regexp': return new Vec(f.n, likeRegExpRows(s, c.re, f.n, active, f.mem.u8(f.n)), s.validity);
        case 'invalid': return genericCall(f, fn, args, fn.argTypes, fn.returnType, active);
      }
    },
  };
}

export function registerLikeKernels(): void {
  for (const [name, ci] of [['~~', false], ['~~*', true]] as const) {
    registerKernel(name, ['text', 'text'], (fn, args) => likeKernel(fn, args, ci));
    registerKernel(name, ['text', 'text', 'text'], (fn, args) => likeKernel(fn, args, ci));
  }
}
