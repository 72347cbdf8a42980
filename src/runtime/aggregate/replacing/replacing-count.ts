import type { Data, RecordBatch } from 'apache-arrow';
import { arrowType } from '../../arrow-types.js';
import { grown } from '../accumulators/accumulator.js';
import type { AggregateCallSpec } from '../aggregate-spec.js';
import { countedRows, fixedData, setInt64, wordsOf } from '../arrow-access.js';
import type { ReplacingCall } from './replacing-call.js';

/** count(*) and count(x) over an updating result: a row adds 1 when counted (x not NULL, FILTER true). */
export class ReplacingCount implements ReplacingCall {
  /** Per replacing key: 1 when its latest row was counted. */
  private counted = new Uint8Array(16);
  /** Per group: rows counted. */
  private counts = new Float64Array(16);

  constructor(private readonly call: AggregateCallSpec) {}

  grow(keys: number, groups: number): void {
    this.counted = grown(this.counted, keys);
    this.counts = grown(this.counts, groups);
  }

  replace(batch: RecordBatch, keyOf: Int32Array, groupOf: Int32Array, n: number): void {
    const rows = countedRows(batch, this.call.arg, this.call.filter, n);
    const { counted, counts } = this;
    for (let i = 0; i < n; i++) {
      const k = keyOf[i]!;
      const c = rows === null ? 1 : rows[i]!;
      counts[groupOf[i]!]! += c - counted[k]!;
      counted[k] = c;
    }
  }

  writeResult(groups: Int32Array, n: number): Data {
    const values = new BigInt64Array(n);
    const words = wordsOf(values);
    for (let i = 0; i < n; i++) setInt64(words, i, this.counts[groups[i]!]!);
    return fixedData(arrowType(this.call.type), values, n);
  }
}
