/**
 * The ORDER BY of a top-n: each order column of a batch read into JavaScript values once
 * (numbers, bigints beyond 2^53, strings, Decimals, Intervals; null for NULL) and
 * compared as Postgres orders them: NaN above every number, NULLs last ascending and
 * first descending unless said otherwise, text in JavaScript string order (by code point,
 * except that characters above U+FFFF sort before U+E000 .. U+FFFF).
 */
import type { Data, RecordBatch } from 'apache-arrow';
import type { SortKey } from '../../plan/logical-plan.js';
import type { SqlType } from '../../types/sql-type.js';
import { Decimal } from '../../types/decimal.js';
import { Interval } from '../../types/interval.js';
import type { ColumnSchema } from '../arrow-types.js';
import { decodeUtf8, physOf, vecFromData } from '../expressions/columns.js';
import { ARROW_TEXT_SETTINGS } from '../expressions/index.js';
import { int64At, int64Exact, int64Words } from '../int64-words.js';

export type SortValue = number | bigint | string | Decimal | Interval | null;

type Compare = (a: NonNullable<SortValue>, b: NonNullable<SortValue>) => number;

const plain: Compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Floats: NaN equals NaN and sorts above every number. */
const float: Compare = (a, b) => {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  return a !== a ? (b !== b ? 0 : 1) : -1;
};

function compareFor(type: SqlType): Compare {
  switch (type.kind) {
    case 'float4': case 'float8': return float;
    case 'numeric': return (a, b) => Decimal.compare(a as Decimal, b as Decimal);
    case 'interval': return (a, b) => Interval.compare(a as Interval, b as Interval);
    default: return plain;
  }
}

/** A batch's order columns as values, and the comparison of two rows' values. */
export class SortOrder {
  private readonly compares: Compare[];

  constructor(private readonly columns: readonly ColumnSchema[], readonly keys: readonly SortKey[]) {
    this.compares = keys.map((k) => compareFor(columns[k.column]!.type));
  }

  /** Per order column, its value in each row of the batch. */
  read(batch: RecordBatch): SortValue[][] {
    return this.keys.map((k) => columnValues(batch.data.children[k.column] as Data, this.columns[k.column]!.type, batch.numRows));
  }

  /** Order column j: a < b, a = b or a > b (-1, 0, 1) in the ORDER BY's direction. */
  compareAt(j: number, a: SortValue, b: SortValue): number {
    const key = this.keys[j]!;
    if (a === null || b === null) {
      if (a === b) return 0;
      // NULLS FIRST puts a NULL before everything, in either direction.
      return (a === null) === key.nullsFirst ? -1 : 1;
    }
    const c = this.compares[j]!(a, b);
    return key.descending ? -c : c;
  }

  /** Row i of a batch's values against stored values. */
  compareRow(values: SortValue[][], i: number, stored: readonly SortValue[]): number {
    for (let j = 0; j < values.length; j++) {
      const c = this.compareAt(j, values[j]![i]!, stored[j]!);
      if (c !== 0) return c;
    }
    return 0;
  }

  /** Row i's values, to keep. */
  rowValues(values: SortValue[][], i: number): SortValue[] {
    return values.map((v) => v[i]!);
  }
}

function columnValues(data: Data, type: SqlType, n: number): SortValue[] {
  const vec = vecFromData(data, type);
  const out = new Array<SortValue>(n);
  const valid = vec.validity;
  const isNull = (i: number) => valid !== null && ((valid[i >> 3]! >> (i & 7)) & 1) === 0;
  switch (physOf(type)) {
    case 'i64': {
      const w = int64Words(vec.values as BigInt64Array);
      for (let i = 0; i < n; i++) out[i] = int64Exact(w, i) ? int64At(w, i) : (vec.values as BigInt64Array)[i]!;
      break;
    }
    case 'utf8': case 'binary': {
      const bytes = vec.values as Uint8Array;
      const o = vec.offsets!;
      const binary = physOf(type) === 'binary';
      for (let i = 0; i < n; i++) {
        if (isNull(i)) continue;
        const text = binary ? Buffer.from(bytes.buffer, bytes.byteOffset + o[i]!, o[i + 1]! - o[i]!).toString('latin1')
          : decodeUtf8(bytes, o[i]!, o[i + 1]!);
        out[i] = type.kind === 'numeric' ? Decimal.parse(text)
          : type.kind === 'interval' ? Interval.parse(text, undefined, undefined, ARROW_TEXT_SETTINGS.intervalStyle) : text;
      }
      break;
    }
    default: {
      const v = vec.values as unknown as ArrayLike<number>;
      for (let i = 0; i < n; i++) out[i] = v[i]!;
    }
  }
  for (let i = 0; i < n; i++) if (isNull(i)) out[i] = null;
  return out;
}
