/**
 * Copying runs of bits between Arrow bitmaps (validity, and boolean values), which start
 * at any bit: a slice of a batch starts mid-byte, and batches of any length are
 * concatenated one after the other. Bit i of a bitmap is bit (i & 7) of byte i >> 3.
 */

/**
 * Copies bits srcBit .. srcBit + n of `src` to dstBit .. dstBit + n of `dst`, leaving
 * the other bits of `dst` as they are. Works a byte at a time (a plain byte copy when
 * both runs start on a byte).
 */
export function copyBits(dst: Uint8Array, dstBit: number, src: Uint8Array, srcBit: number, n: number): void {
  if (n <= 0) return;
  if ((dstBit & 7) === 0 && (srcBit & 7) === 0) {
    const d = dstBit >> 3;
    const s = srcBit >> 3;
    const whole = n >> 3;
    dst.set(src.subarray(s, s + whole), d);
    const rest = n & 7;
    if (rest) {
      const mask = (1 << rest) - 1;
      dst[d + whole] = (dst[d + whole]! & ~mask) | (src[s + whole]! & mask);
    }
    return;
  }
  for (let k = 0; k < n; k += 8) {
    const m = n - k < 8 ? n - k : 8;
    const s = srcBit + k;
    const si = s >> 3;
    const ss = s & 7;
    let bits = src[si]! >> ss;
    if (ss !== 0 && m > 8 - ss) bits |= src[si + 1]! << (8 - ss);
    bits &= (1 << m) - 1;
    const d = dstBit + k;
    const di = d >> 3;
    const ds = d & 7;
    const mask = ((1 << m) - 1) << ds;
    dst[di] = (dst[di]! & ~mask) | (bits << ds);
    if (ds + m > 8) dst[di + 1] = (dst[di + 1]! & ~(mask >> 8)) | (bits >> (8 - ds));
  }
}

/**
 * ORs bits srcBit .. srcBit + n of `src` (all ones when src is null) into bits dstBit ..
 * dstBit + n of `dst`: a zeroed bitmap in shared memory whose neighbouring runs other
 * threads fill at the same time. A byte shared with a neighbouring run changes with
 * Atomics.or, a byte of this run alone with a plain store (whole bytes copied when the
 * runs line up).
 */
export function orBitsShared(dst: Uint8Array, dstBit: number, src: Uint8Array | null, srcBit: number, n: number): void {
  const end = dstBit + n;
  let d = dstBit;
  while (d < end) {
    const di = d >> 3;
    const lo = d & 7;
    const s = srcBit + (d - dstBit);
    if (lo === 0 && end - d >= 8) {
      const whole = (end - d) >> 3;
      if (src === null) {
        dst.fill(255, di, di + whole);
        d += whole * 8;
        continue;
      }
      if ((s & 7) === 0) {
        dst.set(src.subarray(s >> 3, (s >> 3) + whole), di);
        d += whole * 8;
        continue;
      }
    }
    const m = Math.min(8 - lo, end - d);
    let bits = 255;
    if (src !== null) {
      const si = s >> 3;
      const ss = s & 7;
      bits = src[si]! >> ss;
      if (ss !== 0 && m > 8 - ss) bits |= src[si + 1]! << (8 - ss);
    }
    const v = (bits & ((1 << m) - 1)) << lo;
    if (m === 8) dst[di] = v;
    else Atomics.or(dst, di, v);
    d += m;
  }
}
