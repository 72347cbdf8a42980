import type { RecordBatch } from 'apache-arrow';

/**
 * A keyed stateful operator (aggregate, join, top-n) as one task of it runs it. The task
 * receives only the rows whose key hashes to it (hash exchange), in batches, and the
 * watermark combined over all its inputs; it returns the rows it can emit, in the
 * operator's output columns. Rows behind their source's watermark never reach it (the
 * source task keeps them as late dead letters), so an operator never sees a row for a
 * window it has already emitted. Calls are synchronous: the task serializes them.
 */
export interface StatefulOperator {
  /** Rows arriving on input `input` (0; a join's right side is 1). Returns rows emitted at once (joins). */
  process(input: number, batch: RecordBatch): RecordBatch[];
  /**
   * Event time on every input has reached `watermark` (µs; Infinity once every input has
   * ended): returns the windows that end at or before it, and drops state no later row
   * can touch.
   */
  advance(watermark: number): RecordBatch[];
  /** The end of a round: an updating result's rows changed since the last call (unwindowed aggregate, unwindowed top-n). */
  flush(): RecordBatch[];
}
