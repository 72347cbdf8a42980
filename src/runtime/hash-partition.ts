import type { Data, DataType, RecordBatch } from 'apache-arrow';
import { valueLayout } from './batch-transfer.js';
import { takeRows } from './take-rows.js';

const PRIME = 0x01000193;

function mix(h: number, v: number): number {
  return Math.imul(h ^ v, PRIME);
}

/** Folds one key column into the row hashes (32-bit FNV-style over the value's words; NULL hashes as a constant). */
function hashColumn(data: Data, hashes: Uint32Array, n: number): void {
  const offset = data.offset;
  const nulls = data.nullCount > 0 ? data.nullBitmap : null;
  const type = data.type as DataType;
  switch (valueLayout(type)) {
    case 'bits': {
      const bits = data.values as Uint8Array;
      for (let r = 0; r < n; r++) hashes[r] = mix(hashes[r]!, (bits[(offset + r) >> 3]! >> ((offset + r) & 7)) & 1);
      break;
    }
    case 'var': {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      for (let r = 0; r < n; r++) {
        let h = hashes[r]!;
        const end = offsets[offset + r + 1]!;
        for (let i = offsets[offset + r]!; i < end; i++) h = mix(h, bytes[i]!);
        hashes[r] = mix(h, end - offsets[offset + r]!);
      }
      break;
    }
    case 'fixed': {
      const values = data.values as ArrayBufferView & { length: number };
      const width = (values as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      if (width >= 4) {
        // Integers, floats and timestamps alike: the value's 32-bit words.
        const words = new Int32Array(values.buffer, values.byteOffset, values.length * (width >> 2));
        const per = width >> 2;
        for (let r = 0; r < n; r++) {
          let h = hashes[r]!;
          const at = (offset + r) * per;
          for (let w = 0; w < per; w++) h = mix(h, words[at + w]!);
          hashes[r] = h;
        }
      } else {
        const small = values as unknown as Int16Array;
        for (let r = 0; r < n; r++) hashes[r] = mix(hashes[r]!, small[offset + r]!);
      }
      break;
    }
  }
  if (nulls) {
    for (let r = 0; r < n; r++) {
      if (((nulls[(offset + r) >> 3]! >> ((offset + r) & 7)) & 1) === 0) hashes[r] = 0x9e3779b9;
    }
  }
}

/**
 * Splits a batch by the hash of its key columns into `parts` batches (null where a part
 * gets no row): the hash exchange in front of a keyed operator, so every row of one key
 * reaches the same task. The same key always gives the same part, in every process (a
 * NULL in a key column resets the hash to a constant: rows that differ only before it may
 * share a part, which is allowed).
 */
export function hashPartition(batch: RecordBatch, keyColumns: readonly number[], parts: number): (RecordBatch | null)[] {
  const n = batch.numRows;
  if (parts === 1) return [batch];
  const hashes = new Uint32Array(n).fill(0x811c9dc5);
  for (const c of keyColumns) {
    const data = batch.getChildAt(c)!.data;
    if (data.length !== 1) throw new Error('hashPartition needs a batch of one chunk per column');
    hashColumn(data[0]!, hashes, n);
  }
  const counts = new Int32Array(parts);
  const part = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    // Final avalanche so nearby keys spread.
    let h = hashes[r]!;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    const p = (h >>> 0) % parts;
    part[r] = p;
    counts[p]!++;
  }
  const starts = new Int32Array(parts + 1);
  for (let p = 0; p < parts; p++) starts[p + 1] = starts[p]! + counts[p]!;
  const indices = new Int32Array(n);
  const fill = starts.slice(0, parts);
  for (let r = 0; r < n; r++) indices[fill[part[r]!]!++] = r;
  return Array.from({ length: parts }, (_, p) => {
    const count = counts[p]!;
    if (count === 0) return null;
    if (count === n) return batch;
    return takeRows(batch, indices.subarray(starts[p]!, starts[p + 1]!), count);
  });
}
