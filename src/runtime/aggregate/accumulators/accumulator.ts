import type { Data, RecordBatch } from 'apache-arrow';
import type { ColumnSchema } from '../../arrow-types.js';

/**
 * The running state of one aggregate call for many groups, in arrays indexed by group.
 * The partial step adds input rows and writes the states as columns; the final step
 * merges those columns into its groups, merges groups into windows and writes results.
 */
export interface Accumulator {
  /** The columns a partial row carries for this call. */
  readonly stateColumns: ColumnSchema[];
  /** Makes room for groups 0 .. capacity - 1. */
  grow(capacity: number): void;
  /** Empties group g (a new group, or one reused). */
  reset(g: number): void;
  /** Adds input rows 0 .. n - 1 of `batch` to groups groupOf[row]. */
  addRows(batch: RecordBatch, groupOf: Int32Array, n: number): void;
  /** Merges partial rows 0 .. n - 1 (this call's state columns start at column `at`) into groups groupOf[row]. */
  mergeRows(batch: RecordBatch, at: number, groupOf: Int32Array, n: number): void;
  /** Merges group from[i] of `src` (an accumulator of the same call) into group to[i], for i < n. */
  mergeGroups(src: Accumulator, from: Int32Array, to: Int32Array, n: number): void;
  /** The state columns of groups[0 .. n - 1]. */
  writeState(groups: Int32Array, n: number): Data[];
  /** The call's results for groups[0 .. n - 1], in its result type. */
  writeResult(groups: Int32Array, n: number): Data;
}

/** `arr` with room for `capacity` elements (a copy when it had less). */
export function grown<T extends Float64Array | Int32Array | Uint8Array>(arr: T, capacity: number): T {
  if (arr.length >= capacity) return arr;
  const next = new (arr.constructor as new (n: number) => T)(Math.max(capacity, arr.length * 2));
  next.set(arr);
  return next;
}
