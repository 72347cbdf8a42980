import type { Data, RecordBatch } from 'apache-arrow';
import { Decimal } from '../../types/decimal.js';
import { Interval } from '../../types/interval.js';
import { arrowType, type ColumnSchema } from '../arrow-types.js';
import { valueLayout } from '../batch-transfer.js';
import {
  bitSet, boolData, bytesData, bytesKey, columnData, fixedData, int64At, int64IsSmall, int64Words, textAt, validityOf,
} from './arrow-access.js';
import { grown } from './accumulators/accumulator.js';
import { NumberTable } from './number-table.js';
import { valueLayoutOf } from './values.js';

/** What a row's key is in the map: equal for rows of the same group (GROUP BY equality: NULLs are one group). */
type MapKey = number | string;
type KeyOf = (i: number) => MapKey;

/** The map key of NULL: in a column of numbers a string, in a column of text a number. */
const NULL_NUMBER_KEY = '\u0000';
const NULL_TEXT_KEY = 0;

/** The map key of each row of one key column, alone (`composite` false) or as part of a string of several. */
function keyReader(column: ColumnSchema, data: Data, composite: boolean): KeyOf {
  const valid = validityOf(data);
  const off = data.offset;
  const isNull = (i: number) => valid !== null && !bitSet(valid, off + i);
  const layout = valueLayoutOf(column.type);
  const nullKey = composite ? '\u0001' : layout === 'text' || layout === 'numeric' || layout === 'interval' ? NULL_TEXT_KEY : NULL_NUMBER_KEY;
  const orNull = (read: KeyOf): KeyOf => (valid === null ? read : (i) => (isNull(i) ? nullKey : read(i)));
  switch (layout) {
    case 'number': {
      const values = data.values as ArrayLike<number>;
      // Map keys compare as SameValueZero: -0 and 0 are one key, NaN another, as in GROUP BY.
      return orNull(composite ? (i) => String(values[i]) : (i) => values[i]!);
    }
    case 'int64': {
      const words = int64Words(data);
      const values = data.values as BigInt64Array;
      // Exact small values are numbers; the rare large ones their decimal text.
      if (composite) return orNull((i) => (int64IsSmall(words, i) ? String(int64At(words, i)) : String(values[i])));
      return orNull((i) => (int64IsSmall(words, i) ? int64At(words, i) : String(values[i])));
    }
    case 'bool': {
      const bits = data.values as Uint8Array;
      return orNull((i) => (bitSet(bits, off + i) ? 1 : 0));
    }
    case 'text': {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      if (composite) {
        return orNull((i) => {
          const s = bytesKey(bytes, offsets[i]!, offsets[i + 1]!);
          return `${s.length}:${s}`;
        });
      }
      return orNull((i) => bytesKey(bytes, offsets[i]!, offsets[i + 1]!));
    }
    case 'numeric': case 'interval': {
      const parse = layout === 'numeric' ? Decimal.parse : (t: string) => Interval.parse(t);
      return orNull((i) => {
        const s = parse(textAt(data, i)).hashKey();
        return composite ? `${s.length}:${s}` : s;
      });
    }
  }
}

/** The values of one key column, by key id, to write the key columns of output rows. */
interface KeyValues {
  /** A function storing row `row` of `data` as the value of key `id`. */
  from(data: Data): (id: number, row: number) => void;
  write(ids: Int32Array, n: number): Data;
}

function keyValues(column: ColumnSchema): KeyValues {
  const type = arrowType(column.type);
  let valid = new Uint8Array(16);
  const validFrom = (data: Data) => {
    const bits = validityOf(data);
    const off = data.offset;
    return (id: number, row: number) => {
      valid = grown(valid, id + 1);
      valid[id] = bits === null || bitSet(bits, off + row) ? 1 : 0;
    };
  };
  const validOf = (ids: Int32Array, n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = valid[ids[i]!]!;
    return out;
  };
  switch (valueLayout(type)) {
    case 'bits': {
      let flags = new Uint8Array(16);
      return {
        from(data) {
          const putValid = validFrom(data);
          const bits = data.values as Uint8Array;
          return (id, row) => {
            putValid(id, row);
            flags = grown(flags, id + 1);
            flags[id] = bitSet(bits, data.offset + row) ? 1 : 0;
          };
        },
        write(ids, n) {
          const out = new Uint8Array(n);
          for (let i = 0; i < n; i++) out[i] = flags[ids[i]!]!;
          return boolData(type, out, n, validOf(ids, n));
        },
      };
    }
    case 'var': {
      const parts: (Uint8Array | null)[] = [];
      return {
        from(data) {
          const putValid = validFrom(data);
          const offsets = data.valueOffsets as Int32Array;
          const bytes = data.values as Uint8Array;
          return (id, row) => {
            putValid(id, row);
            parts[id] = valid[id] ? bytes.slice(offsets[row]!, offsets[row + 1]!) : null;
          };
        },
        write(ids, n) {
          const out: (Uint8Array | null)[] = new Array(n);
          for (let i = 0; i < n; i++) out[i] = parts[ids[i]!]!;
          return bytesData(type, out, n);
        },
      };
    }
    case 'fixed': {
      // Values are copied as 16- or 32-bit words (an 8-byte value as two): no bigint per value.
      const ArrayType = type.ArrayType as Int32ArrayConstructor;
      const bytes = ArrayType.BYTES_PER_ELEMENT;
      const per = bytes === 8 ? 2 : 1;
      const wordsOf = (v: ArrayBufferView, length: number): Int32Array => (bytes === 2
        ? new Int16Array(v.buffer, v.byteOffset, length) : new Int32Array(v.buffer, v.byteOffset, length * per)) as Int32Array;
      let capacity = 16;
      let store = new ArrayType(capacity);
      let words = wordsOf(store, capacity);
      return {
        from(data) {
          const putValid = validFrom(data);
          const src = wordsOf(data.values as ArrayBufferView, data.length);
          return (id, row) => {
            putValid(id, row);
            if (id >= capacity) {
              capacity = Math.max(id + 1, capacity * 2);
              const next = new ArrayType(capacity);
              next.set(store);
              store = next;
              words = wordsOf(store, capacity);
            }
            words[id * per] = src[row * per]!;
            if (per === 2) words[id * 2 + 1] = src[row * 2 + 1]!;
          };
        },
        write(ids, n) {
          const values = new ArrayType(n);
          const out = wordsOf(values, n);
          for (let i = 0; i < n; i++) {
            const id = ids[i]!;
            out[i * per] = words[id * per]!;
            if (per === 2) out[i * 2 + 1] = words[id * 2 + 1]!;
          }
          return fixedData(type, values, n, validOf(ids, n));
        },
      };
    }
  }
}

/**
 * The distinct group keys seen, each with a small integer id (reused once removed), and
 * their values, to write them into output rows. A row's key is a number (one numeric
 * key column: looked up in a NumberTable) or a string (a Map), never a per-row object.
 */
export class KeyTable {
  /** Keys that are numbers (one numeric key column), and the others. */
  private readonly numbers = new NumberTable();
  private readonly map = new Map<string, number>();
  private mapKeys: MapKey[] = [];
  private readonly free: number[] = [];
  private highWater = 0;
  private readonly values: KeyValues[];

  constructor(private readonly columns: readonly ColumnSchema[]) {
    this.values = columns.map(keyValues);
  }

  /** Live keys. */
  get size(): number {
    return this.numbers.size + this.map.size;
  }

  /** Every id in use is below this. */
  get capacity(): number {
    return this.highWater;
  }

  /** Sets out[row] to the id of the key of each of rows 0 .. n - 1, the key in `batch` columns `keyColumns`. */
  intern(batch: RecordBatch, keyColumns: readonly number[], n: number, out: Int32Array): void {
    const datas = keyColumns.map((c) => columnData(batch, c));
    const puts = datas.map((d, k) => this.values[k]!.from(d));
    const add = (key: MapKey, row: number): number => {
      const id = this.free.length > 0 ? this.free.pop()! : this.highWater++;
      if (typeof key === 'number') this.numbers.set(key, id);
      else this.map.set(key, id);
      this.mapKeys[id] = key;
      for (let k = 0; k < puts.length; k++) puts[k]!(id, row);
      return id;
    };
    const { map, numbers } = this;
    if (keyColumns.length === 0) {
      if (n > 0) out.fill(map.get('') ?? add('', 0), 0, n);
      return;
    }
    const composite = keyColumns.length > 1;
    const readers = datas.map((d, k) => keyReader(this.columns[k]!, d, composite));
    if (!composite) {
      const keyOf = readers[0]!;
      for (let i = 0; i < n; i++) {
        const key = keyOf(i);
        const id = typeof key === 'number' ? numbers.get(key) : map.get(key) ?? -1;
        out[i] = id < 0 ? add(key, i) : id;
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      let key = '';
      for (let k = 0; k < readers.length; k++) key += `${readers[k]!(i)}\u0002`;
      const id = map.get(key);
      out[i] = id === undefined ? add(key, i) : id;
    }
  }

  /** Forgets key `id`; the id is given to a later new key. */
  remove(id: number): void {
    const key = this.mapKeys[id]!;
    if (typeof key === 'number') this.numbers.delete(key);
    else this.map.delete(key);
    this.free.push(id);
  }

  /** Forgets every key. */
  clear(): void {
    this.numbers.clear();
    this.map.clear();
    this.free.length = 0;
    this.highWater = 0;
  }

  /** The key columns of rows whose key ids are ids[0 .. n - 1]. */
  write(ids: Int32Array, n: number): Data[] {
    return this.values.map((v) => v.write(ids, n));
  }
}
