import type { Data, RecordBatch } from 'apache-arrow';

/**
 * One aggregate call of an aggregate over an updating result: per replacing key, what
 * its latest row added; per group, the running result. Replacing keys and groups are
 * ids that are never given back, so room made for a new one is empty (zero).
 */
export interface ReplacingCall {
  /** Makes room for replacing keys 0 .. keys - 1 and groups 0 .. groups - 1. */
  grow(keys: number, groups: number): void;
  /**
   * Row i of `batch` (i < n, in order) replaces the latest row of replacing key keyOf[i]
   * in group groupOf[i]: that row's contribution is taken back, row i's added.
   */
  replace(batch: RecordBatch, keyOf: Int32Array, groupOf: Int32Array, n: number): void;
  /** The call's results for groups[0 .. n - 1], in its result type. */
  writeResult(groups: Int32Array, n: number): Data;
}
