import type { Data, RecordBatch } from 'apache-arrow';
import type { ColumnSchema } from '../arrow-types.js';
import { physOf, vecFromData } from '../expressions/columns.js';
import { int64At, int64Words } from '../int64-words.js';

/** A timestamp (or integer) column as numbers of µs, NaN for NULL. */
export function timeColumn(batch: RecordBatch, column: number, columns: readonly ColumnSchema[]): Float64Array {
  const type = columns[column]!.type;
  const vec = vecFromData(batch.data.children[column] as Data, type);
  const n = batch.numRows;
  const out = new Float64Array(n);
  if (physOf(type) === 'i64') {
    const w = int64Words(vec.values as BigInt64Array);
    for (let i = 0; i < n; i++) out[i] = int64At(w, i);
  } else {
    const v = vec.values as unknown as ArrayLike<number>;
    for (let i = 0; i < n; i++) out[i] = v[i]!;
  }
  const valid = vec.validity;
  if (valid !== null) for (let i = 0; i < n; i++) if (((valid[i >> 3]! >> (i & 7)) & 1) === 0) out[i] = NaN;
  return out;
}
