import { type Data, type DataType, makeData, RecordBatch, Struct } from 'apache-arrow';
import { valueLayout } from './batch-transfer.js';

function bit(bits: Uint8Array, i: number): number {
  return (bits[i >> 3]! >> (i & 7)) & 1;
}

/** The rows `indices[0 .. count)` of one column, gathered into new buffers. */
function takeData(data: Data, indices: Int32Array, count: number): Data {
  const type = data.type as DataType;
  const offset = data.offset;
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  if (data.nullCount > 0 && data.nullBitmap) {
    nullBitmap = new Uint8Array((count + 7) >> 3);
    const src = data.nullBitmap;
    for (let k = 0; k < count; k++) {
      if (bit(src, offset + indices[k]!)) nullBitmap[k >> 3]! |= 1 << (k & 7);
      else nullCount++;
    }
  }
  switch (valueLayout(type)) {
    case 'bits': {
      const src = data.values as Uint8Array;
      const out = new Uint8Array((count + 7) >> 3);
      for (let k = 0; k < count; k++) if (bit(src, offset + indices[k]!)) out[k >> 3]! |= 1 << (k & 7);
      return makeData({ type, length: count, nullCount, nullBitmap, data: out } as never) as Data;
    }
    case 'var': {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      const outOffsets = new Int32Array(count + 1);
      let total = 0;
      for (let k = 0; k < count; k++) {
        const i = offset + indices[k]!;
        total += offsets[i + 1]! - offsets[i]!;
        outOffsets[k + 1] = total;
      }
      const out = new Uint8Array(total);
      for (let k = 0; k < count; k++) {
        const i = offset + indices[k]!;
        out.set(bytes.subarray(offsets[i]!, offsets[i + 1]!), outOffsets[k]!);
      }
      return makeData({ type, length: count, nullCount, nullBitmap, valueOffsets: outOffsets, data: out } as never) as Data;
    }
    case 'fixed': {
      const src = data.values as Int32Array;
      const Ctor = src.constructor as Int32ArrayConstructor;
      const out = new Ctor(count);
      for (let k = 0; k < count; k++) out[k] = src[offset + indices[k]!]!;
      return makeData({ type, length: count, nullCount, nullBitmap, data: out } as never) as Data;
    }
  }
}

/**
 * A batch of the rows of `batch` at `indices[0 .. count)`, in that order (a gather, as
 * Arrow's take): the hash exchange's partitions and the stateful operators' outputs.
 */
export function takeRows(batch: RecordBatch, indices: Int32Array, count = indices.length): RecordBatch {
  const schema = batch.schema;
  const children = schema.fields.map((_, c) => {
    const data = batch.getChildAt(c)!.data;
    if (data.length !== 1) throw new Error('takeRows needs a batch of one chunk per column');
    return takeData(data[0]!, indices, count);
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: count, nullCount: 0, children }));
}
