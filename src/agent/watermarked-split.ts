import type { RecordBatch } from 'apache-arrow';
import type { RejectedRecord, SourceBatch, SourceSplit } from '../connectors/connector.js';
import type { StreamDefinition } from '../control/catalog/streams.js';
import type { EvalContext, FunctionRegistry } from '../functions/scalar-function.js';
import { parseStatement } from '../sql/parser.js';
import { ExpressionBinder, ParameterTypes } from '../sql/binder/expression-binder.js';
import type { ColumnSchema } from '../runtime/arrow-types.js';
import { compileProjection } from '../runtime/expressions/index.js';
import { rowPayload } from '../runtime/operator-chain.js';
import { takeRows } from '../runtime/take-rows.js';
import { DEFAULT_FORMAT_SETTINGS } from '../types/text-format.js';
import { IDLE_TIMEOUT_MS } from './stateful-task.js';

/**
 * A split of a stream declared with `WATERMARK FOR col AS expr`: each source partition's
 * watermark is the largest `expr` it has sent, and the split's is the minimum over its
 * partitions, also those that sent nothing yet (one silent past the idle timeout is left
 * out; it never goes back). A row whose `col` is behind its partition's watermark (or the
 * split's, or the one the keyed tasks it feeds went on to) as it stood before its batch is late: when the job has windows
 * (`dropLate`) it is left out and kept as a dead letter with reason `late` (counted on
 * the source task); operators without windows take every event. Splits of sources
 * with a watermark of their own (Nexmark) pass it on unchanged.
 */
class WatermarkedSplit implements SourceSplit {
  private watermark = -Infinity;
  /** Per source partition: its watermark, and when it last sent a row. */
  private readonly partitions = new Map<string, { mark: number; seen: number }>();

  constructor(private readonly inner: SourceSplit, private readonly stream: StreamDefinition, private readonly columns: ColumnSchema[],
    private readonly time: number, private readonly bound: (batch: RecordBatch) => RecordBatch, private readonly dropLate: boolean,
    private readonly downstream: () => number) {}

  async next(signal: AbortSignal): Promise<SourceBatch | null> {
    const r = await this.inner.next(signal);
    if (r === null) return null;
    const n = r.batch.numRows;
    const times = r.batch.getChildAt(this.time)!.data[0]!;
    const values = times.values as BigInt64Array;
    const valid = times.nullCount > 0 ? times.nullBitmap : null;
    const bounds = this.bound(r.batch).getChildAt(0)!.data[0]!;
    const marks = bounds.values as BigInt64Array;
    const boundsValid = bounds.nullCount > 0 ? bounds.nullBitmap : null;
    const keep = new Int32Array(n);
    let kept = 0;
    const late: RejectedRecord[] = [];
    const now = Date.now();
    // A split that was idle may come back behind where the job went on without it.
    const floor = this.dropLate ? Math.max(this.watermark, this.downstream()) : -Infinity;
    for (const p of r.partitions ?? []) if (!this.partitions.has(p)) this.partitions.set(p, { mark: -Infinity, seen: now });
    let row = 0;
    for (const run of r.partitionRuns ?? [{ partition: '', rows: n }]) {
      let partition = this.partitions.get(run.partition);
      if (!partition) this.partitions.set(run.partition, partition = { mark: -Infinity, seen: now });
      // Late against the partition's watermark as it stood before this batch, or the split's,
      // or the one the job's keyed tasks have moved on to (a partition or split silent past
      // the idle timeout no longer held them back, and rows behind them can no longer count).
      const before = this.dropLate ? Math.max(partition.mark, floor) : -Infinity;
      for (let i = row; i < row + run.rows; i++) {
        const at = times.offset + i;
        const isNull = valid !== null && ((valid[at >> 3]! >> (at & 7)) & 1) === 0;
        if (!isNull && Number(values[at]!) < before) {
          late.push({ source: this.stream.name, reason: 'late', payload: rowPayload(this.columns, r.batch, i), offset: null });
        } else {
          keep[kept++] = i;
        }
        const b = bounds.offset + i;
        if (boundsValid !== null && ((boundsValid[b >> 3]! >> (b & 7)) & 1) === 0) continue;
        const m = Number(marks[b]!);
        if (m > partition.mark) partition.mark = m;
      }
      partition.seen = now;
      row += run.rows;
    }
    // The split's watermark: the minimum over its partitions, leaving out those silent past the idle timeout.
    let min = Infinity;
    for (const p of this.partitions.values()) if (now - p.seen <= IDLE_TIMEOUT_MS) min = Math.min(min, p.mark);
    if (min !== Infinity && min > this.watermark) this.watermark = min;
    const batch = late.length === 0 ? r.batch : takeRows(r.batch, keep, kept);
    return { ...r, batch, rejected: [...r.rejected ?? [], ...late], watermark: Math.max(this.watermark, r.watermark ?? -Infinity) };
  }

  flushMark(): Promise<unknown> {
    return this.inner.flushMark();
  }

  passed(mark: unknown): boolean {
    return this.inner.passed(mark);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * The split with its stream's WATERMARK clause applied, when the stream has one and the
 * split decodes its column (a plan that never reads the column has no use for it).
 */
export function withWatermark(split: SourceSplit, stream: StreamDefinition, columns: ColumnSchema[], functions: FunctionRegistry,
  ctx: EvalContext, options: { dropLate: boolean; downstream: () => number }): SourceSplit {
  const spec = stream.watermark;
  if (spec === null) return split;
  const time = columns.findIndex((c) => c.name === spec.column);
  if (time < 0) return split;
  const parsed = parseStatement(`SELECT ${spec.expression}`);
  const select = parsed?.statement.kind === 'query-statement' ? parsed.statement.query.body : null;
  const item = select?.kind === 'select' ? select.items[0] : undefined;
  if (item?.kind !== 'item') throw new Error(`the watermark of stream ${stream.name} does not parse: ${spec.expression}`);
  const scope = {
    resolve: (ref: { name: string }) => {
      const i = columns.findIndex((c) => c.name === ref.name);
      return i < 0 ? undefined : { kind: 'column' as const, type: columns[i]!.type, index: i, name: columns[i]!.name };
    },
  };
  const expr = new ExpressionBinder(functions, new ParameterTypes(), scope, () => DEFAULT_FORMAT_SETTINGS).bind(item.expr);
  const projection = compileProjection([{ name: 'watermark', expr }], columns, ctx);
  return new WatermarkedSplit(split, stream, columns, time, (b) => projection.project(b), options.dropLate, options.downstream);
}
