/**
 * The key of each row of a batch (join keys, partition keys) as one JavaScript Map key:
 * equal SQL values give equal keys, whatever their column type (an int4 1 and an int8 1
 * are the number 1; NUMERIC 1.0 and 1.00 one string). One key column gives the value
 * itself, several give their parts joined by NUL, which text cannot contain.
 */
import type { Data, RecordBatch } from 'apache-arrow';
import { Decimal } from '../../types/decimal.js';
import { Interval } from '../../types/interval.js';
import type { ColumnSchema } from '../arrow-types.js';
import { ARROW_TEXT_SETTINGS } from '../expressions/index.js';
import { decodeUtf8, physOf, type Vec, vecFromData } from '../expressions/columns.js';
import { int64At, int64Exact, int64Words } from '../int64-words.js';

export type Key = number | string;

/**
 * The key of every row of a batch. 'unmatched' (join keys): null where a key column is
 * NULL, as such a row matches nothing. 'grouped' (partition keys): NULLs form a group of
 * their own, a one-column key being null then.
 */
export type KeyReader = (batch: RecordBatch) => (Key | null)[];

export function compileKeyReader(columns: readonly ColumnSchema[], keys: readonly number[], nulls: 'unmatched' | 'grouped'): KeyReader {
  const multi = keys.length > 1;
  return (batch) => {
    const n = batch.numRows;
    const out = new Array<Key | null>(n);
    keys.forEach((c, j) => {
      const data = batch.data.children[c] as Data;
      const parts = columnKeys(vecFromData(data, columns[c]!.type), columns[c]!, n, multi);
      if (multi && nulls === 'grouped') {
        // A NULL part is `!`, any other starts with `:`, so no value reads as NULL.
        for (let i = 0; i < n; i++) {
          const part = parts[i] === null ? '!' : `:${parts[i]!}`;
          out[i] = j === 0 ? part : `${out[i]!}\0${part}`;
        }
      } else if (j === 0) {
        for (let i = 0; i < n; i++) out[i] = parts[i]!;
      } else {
        for (let i = 0; i < n; i++) {
          const a = out[i]!;
          const b = parts[i]!;
          out[i] = a === null || b === null ? null : `${a}\0${b}`;
        }
      }
    });
    return out;
  };
}

/** One column's part of the keys; `multi`: the part goes into a joined string. */
function columnKeys(vec: Vec, column: ColumnSchema, n: number, multi: boolean): (Key | null)[] {
  const out = new Array<Key | null>(n);
  const valid = vec.validity;
  switch (physOf(column.type)) {
    case 'i64': {
      const w = int64Words(vec.values as BigInt64Array);
      for (let i = 0; i < n; i++) {
        out[i] = int64Exact(w, i) ? int64At(w, i) : (vec.values as BigInt64Array)[i]!.toString();
      }
      break;
    }
    case 'utf8': {
      const bytes = vec.values as Uint8Array;
      const o = vec.offsets!;
      const kind = column.type.kind;
      for (let i = 0; i < n; i++) {
        if (valid !== null && ((valid[i >> 3]! >> (i & 7)) & 1) === 0) continue;
        const text = decodeUtf8(bytes, o[i]!, o[i + 1]!);
        out[i] = kind === 'numeric' ? Decimal.parse(text).hashKey()
          : kind === 'interval' ? Interval.parse(text, undefined, undefined, ARROW_TEXT_SETTINGS.intervalStyle).hashKey() : text;
      }
      break;
    }
    case 'binary': {
      const bytes = vec.values as Uint8Array;
      const o = vec.offsets!;
      for (let i = 0; i < n; i++) {
        const s = Buffer.from(bytes.buffer, bytes.byteOffset + o[i]!, o[i + 1]! - o[i]!).toString('latin1');
        // Bytes may hold NUL: a length prefix keeps joined keys apart.
        out[i] = multi ? `${s.length}:${s}` : s;
      }
      break;
    }
    default: {
      const v = vec.values as unknown as ArrayLike<number>;
      for (let i = 0; i < n; i++) out[i] = v[i]!;
    }
  }
  if (valid !== null) for (let i = 0; i < n; i++) if (((valid[i >> 3]! >> (i & 7)) & 1) === 0) out[i] = null;
  return out;
}
