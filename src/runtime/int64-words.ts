/**
 * Int64 columns (bigint, timestamps) read and written through an Int32Array view of
 * their words: reading a BigInt64Array element allocates a bigint, two int32 words do
 * not. Little-endian: the low word first.
 */
const TWO_32 = 4294967296;

/** The 32-bit words of an Int64 column's values. */
export function int64Words(values: BigInt64Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length * 2);
}

/** Row i as a number (exact when int64Exact). */
export function int64At(words: Int32Array, i: number): number {
  return words[2 * i + 1]! * TWO_32 + (words[2 * i]! >>> 0);
}

/** Whether row i is exact as a number (magnitude below 2^53). */
export function int64Exact(words: Int32Array, i: number): boolean {
  const hi = words[2 * i + 1]!;
  return hi >= -2097152 && hi < 2097152;
}

/** Writes an integral number (magnitude below 2^53) into row i. */
export function setInt64(words: Int32Array, i: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  words[2 * i] = v - hi * TWO_32;
  words[2 * i + 1] = hi;
}
