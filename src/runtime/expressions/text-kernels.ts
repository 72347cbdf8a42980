/**
 * lower, upper and length of text on the UTF-8 bytes of each row. ASCII rows never
 * become JS strings: length counts the bytes that start a character, lower and upper
 * flip the case bit of letters. A row with other characters goes through the scalar
 * function's own case mapping (src/functions/string.ts).
 */
import type { ScalarFunction } from '../../functions/scalar-function.js';
import { lowerCase, upperCase } from '../../functions/string.js';
import { type Col, decodeUtf8, isValid, VarBuilder, Vec } from './columns.js';
import { scalarCall } from './generic.js';
import { type CallKernel, registerKernel } from './kernels.js';

function lengthKernel(fn: ScalarFunction): CallKernel {
  return {
    canFail: false,
    run(f, args, active): Col {
      const a = args[0]!;
      if (a.isScalar) return scalarCall(f, fn, [a.value], active);
      const n = f.n;
      const o = a.offsets!, b = a.values as Uint8Array;
      const out = f.mem.fixed('i32', n) as Int32Array;
      for (let i = 0; i < n; i++) {
        let count = 0;
        // Continuation bytes are 10xxxxxx; every other byte starts a character.
        for (let k = o[i]!, e = o[i + 1]!; k < e; k++) count += (b[k]! & 0xc0) === 0x80 ? 0 : 1;
        out[i] = count;
      }
      return new Vec(n, out, a.validity);
    },
  };
}

function caseKernel(fn: ScalarFunction, upper: boolean): CallKernel {
  // Letters to change: a-z for upper, A-Z for lower; bit 0x20 tells the cases apart.
  const first = upper ? 0x61 : 0x41;
  const map = upper ? upperCase : lowerCase;
  return {
    canFail: false,
    run(f, args, active): Col {
      const a = args[0]!;
      if (a.isScalar) return scalarCall(f, fn, [a.value], active);
      const n = f.n;
      const o = a.offsets!, src = a.values as Uint8Array, valid = a.validity;
      const out = new VarBuilder(n, o[n]! - o[0]!);
      for (let i = 0; i < n; i++) {
        if (isValid(valid, i)) {
          const s = o[i]!, e = o[i + 1]!;
          const start = out.pos;
          out.appendBytes(src, s, e);
          const bytes = out.bytes;
          for (let k = start; k < out.pos; k++) {
            const c = bytes[k]!;
            if (c >= 0x80) {
              out.pos = start;
              out.appendString(map(decodeUtf8(src, s, e)));
              break;
            }
            if ((c - first) >>> 0 < 26) bytes[k] = c ^ 0x20;
          }
        }
        out.end(i);
      }
      const { offsets, bytes } = out.finish();
      return new Vec(n, bytes, valid, offsets);
    },
  };
}

export function registerTextKernels(): void {
  for (const name of ['length', 'char_length', 'character_length']) registerKernel(name, ['text'], lengthKernel);
  registerKernel('upper', ['text'], (fn) => caseKernel(fn, true));
  registerKernel('lower', ['text'], (fn) => caseKernel(fn, false));
}
