/**
 * The window operator: TUMBLE or HOP in FROM without an aggregate. Each row gets the
 * window_start and window_end of its window (TUMBLE), or one output row per window that
 * contains it (HOP: size / slide of them, starts at multiples of slide since the epoch,
 * in ascending order). A row whose time is NULL is in no window and is left out.
 */
import { makeData, RecordBatch, Struct, type Data } from 'apache-arrow';
import type { JobGraphOperator } from '../plan/job-graph.js';
import type { WindowSpec } from '../plan/logical-plan.js';
import type { ColumnSchema } from './arrow-types.js';
import { dataFromCol, gatherVec, Vec, vecFromData } from './expressions/columns.js';
import { projectionSchema } from './expressions/filter-project.js';
import { int64At, int64Words, setInt64 } from './int64-words.js';
import { operatorColumns } from './operator-chain.js';

/** x mod m in [0, m), exact for integers (% on doubles is). */
function mod(x: number, m: number): number {
  return ((x % m) + m) % m;
}

export function compileWindowAssigner(op: JobGraphOperator, input: ColumnSchema[]): (batch: RecordBatch) => RecordBatch {
  const window = op.params!.window as Exclude<WindowSpec, { kind: 'session' }>;
  const columns = operatorColumns(op);
  const schema = projectionSchema(columns);
  const struct = new Struct(schema.fields);
  const timeType = input[window.time]!.type;
  const size = window.size;
  const slide = window.kind === 'hop' ? window.slide : size;
  return (batch) => {
    const n = batch.numRows;
    const time = vecFromData(batch.data.children[window.time] as Data, timeType);
    const words = int64Words(time.values as BigInt64Array);
    const valid = time.validity;
    // Output row k: input row sel[k], window starting at starts[k].
    let sel = new Int32Array(n);
    let starts = new Float64Array(n);
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (valid !== null && ((valid[i >> 3]! >> (i & 7)) & 1) === 0) continue;
      const t = int64At(words, i);
      const last = t - mod(t, slide);
      // Windows start at first, first + slide, ..., last; none when the size is below the slide and t falls between.
      let first = last + slide;
      while (first - slide > t - size) first -= slide;
      const count = (last - first) / slide + 1;
      if (count <= 0) continue;
      if (m + count > sel.length) {
        const capacity = Math.max(2 * sel.length, m + count);
        sel = grown(sel, new Int32Array(capacity));
        starts = grown(starts, new Float64Array(capacity));
      }
      for (let s = first; s <= last; s += slide) {
        sel[m] = i;
        starts[m++] = s;
      }
    }
    const rows = sel.subarray(0, m);
    // A tumbling window over rows without a NULL time keeps every row, in order.
    const children = m === n && window.kind === 'tumble' ? [...batch.data.children as Data[]]
      : input.map((c, j) => dataFromCol(gatherVec(vecFromData(batch.data.children[j] as Data, c.type), c.type, rows, m), c.type, m));
    const startValues = new BigInt64Array(m);
    const endValues = new BigInt64Array(m);
    const sw = int64Words(startValues);
    const ew = int64Words(endValues);
    for (let k = 0; k < m; k++) {
      setInt64(sw, k, starts[k]!);
      setInt64(ew, k, starts[k]! + size);
    }
    children.push(dataFromCol(new Vec(m, startValues, null), timeType, m), dataFromCol(new Vec(m, endValues, null), timeType, m));
    return new RecordBatch(schema, makeData({ type: struct, length: m, nullCount: 0, children }));
  };
}

function grown<A extends Int32Array | Float64Array>(from: A, to: A): A {
  to.set(from);
  return to;
}
