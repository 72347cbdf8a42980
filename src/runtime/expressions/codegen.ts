/**
 * Generated typed-array loops. Each loop is a small function built once from a template
 * and cached by its source and the array types it runs on, so every loop keeps its own
 * monomorphic type feedback: one loop body shared by Int32Array and Float64Array callers
 * would be polymorphic and several times slower. The templates only ever see code
 * written in this folder and, in fused loops, the expression's numeric constants as JS
 * number or bigint literals; never strings from data or users.
 *
 * The protocol of every loop: it fills O[start .. n) and returns -1, or stops at the
 * first row it cannot handle (an overflow, a division by zero, a value outside its fast
 * range) and returns that row's index. The caller handles that row with the scalar
 * function (which raises the exact error, or computes a rare case exactly) and resumes
 * at the next row.
 */

/** A loop over two operands; A or B is a scalar (not an array) in the 'vs' / 'sv' shapes. */
export type BinaryLoop = (start: number, n: number, A: unknown, B: unknown, O: unknown) => number;
/** A loop over one operand. */
export type UnaryLoop = (start: number, n: number, A: unknown, O: unknown) => number;

export type Shape = 'vv' | 'vs' | 'sv';

const cache = new Map<string, unknown>();

function generate<F>(tag: string, params: readonly string[], body: string): F {
  const key = `${tag}\u0000${params.join(',')}\u0000${body}`;
  let f = cache.get(key);
  if (f === undefined) {
    // The sourceURL names the loop in CPU profiles.
    f = new Function(...params, `'use strict';\n${body}\n//# sourceURL=sabot-kernel/${encodeURIComponent(tag)}/${cache.size}`);
    cache.set(key, f);
  }
  return f as F;
}

/**
 * A binary loop. `compute` is code that sets `r` from `a` and `b`; `bad` an expression
 * over a, b and r that sends the row to the slow path. `tag` names the array types.
 */
export function binaryLoop(tag: string, shape: Shape, compute: string, bad: string | null): BinaryLoop {
  const a = shape === 'sv' ? 'A' : 'A[i]';
  const b = shape === 'vs' ? 'B' : 'B[i]';
  const body = `for (let i = start; i < n; i++) {
  const a = ${a}, b = ${b};
  let r;
  ${compute}
  ${bad === null ? '' : `if (${bad}) return i;`}
  O[i] = r;
}
return -1;`;
  return generate<BinaryLoop>(`${tag}:${shape}`, ['start', 'n', 'A', 'B', 'O'], body);
}

/**
 * A unary loop. `load` reads operand row i into `a` (default `A[i]`); `compute` sets r
 * from a; `store` writes r into row i (default `O[i] = r`).
 */
export function unaryLoop(tag: string, compute: string, bad: string | null,
  load = 'const a = A[i];', store = 'O[i] = r;'): UnaryLoop {
  const body = `for (let i = start; i < n; i++) {
  ${load}
  let r;
  ${compute}
  ${bad === null ? '' : `if (${bad}) return i;`}
  ${store}
}
return -1;`;
  return generate<UnaryLoop>(tag, ['start', 'n', 'A', 'O'], body);
}

/** out[k] = src[sel[k]] for one array type. */
export type GatherLoop = (m: number, sel: Int32Array, src: unknown, out: unknown) => void;

export function gatherLoop(tag: string): GatherLoop {
  return generate<GatherLoop>(`gather:${tag}`, ['m', 'sel', 'src', 'out'],
    'for (let k = 0; k < m; k++) out[k] = src[sel[k]];');
}

/** Runs a loop to the end, handing each row it stops at to `slow`. */
export function runBinary(loop: BinaryLoop, n: number, A: unknown, B: unknown, O: unknown, slow: (i: number) => void): void {
  let i = 0;
  while ((i = loop(i, n, A, B, O)) >= 0) {
    slow(i);
    i++;
  }
}

export function runUnary(loop: UnaryLoop, n: number, A: unknown, O: unknown, slow: (i: number) => void): void {
  let i = 0;
  while ((i = loop(i, n, A, O)) >= 0) {
    slow(i);
    i++;
  }
}
