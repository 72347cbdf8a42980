import type { RecordBatch } from 'apache-arrow';
import type { SinkWriter } from '../connectors/connector.js';
import type { EdgeType } from '../plan/job-graph.js';
import { hashPartition } from '../runtime/hash-partition.js';
import type { StatefulTask } from './stateful-task.js';

/**
 * Where a task's rows go once its chain has run: the job's sink, or an exchange into the
 * tasks of a keyed operator. Rows of a task always reach the next task before the
 * watermark that follows them, and the end after both.
 */
export interface TaskOutput {
  write(batches: readonly RecordBatch[]): Promise<void>;
  /** Event time of this task's output has reached `wm` (µs). */
  watermark(wm: number): Promise<void>;
  /** This task's output has ended (a bounded input was read to its end). */
  end(): Promise<void>;
  /** Resolves once the tasks downstream are ready for more of this task's rows (see StatefulTask.ready). */
  ready?(): Promise<void>;
  close(): Promise<void>;
}

/** Into the sink the task opened. */
export class SinkOutput implements TaskOutput {
  constructor(readonly writer: SinkWriter) {}

  async write(batches: readonly RecordBatch[]): Promise<void> {
    if (batches.length > 0) await this.writer.write(batches);
  }

  async watermark(): Promise<void> {}

  async end(): Promise<void> {}

  close(): Promise<void> {
    return this.writer.close();
  }
}

/**
 * Across an exchange, as channel `channel` of input `input` of every downstream task:
 * a hash edge sends each row to the task its key hashes to (after `step`, a two-phase
 * aggregate's partial step, whose rows start with the keys); a forward edge to the task
 * of the same index; a rebalance edge spreads batches round robin. In one process this
 * is a call; the same interface carries a remote agent's batches over TCP.
 */
export class ExchangeOutput implements TaskOutput {
  private turn = 0;

  constructor(private readonly targets: readonly StatefulTask[], private readonly input: number, private readonly channel: number,
    private readonly edge: EdgeType, private readonly keys: readonly number[], private readonly step: ((b: RecordBatch) => RecordBatch) | null) {}

  async write(batches: readonly RecordBatch[]): Promise<void> {
    const n = this.targets.length;
    const sends: Promise<void>[] = [];
    for (const batch of batches) {
      const rows = this.step ? this.step(batch) : batch;
      if (rows.numRows === 0) continue;
      if (this.edge === 'hash') {
        hashPartition(rows, this.keys, n).forEach((part, t) => {
          if (part) sends.push(this.targets[t]!.receive(this.input, this.channel, part));
        });
      } else {
        const t = this.edge === 'forward' ? this.channel % n : this.turn++ % n;
        sends.push(this.targets[t]!.receive(this.input, this.channel, rows));
      }
    }
    await Promise.all(sends);
  }

  async watermark(wm: number): Promise<void> {
    await Promise.all(this.targets.map((t) => t.watermark(this.input, this.channel, wm)));
  }

  async end(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.end(this.input, this.channel)));
  }

  /** The least watermark the downstream tasks have moved on to: rows behind it come too late for them. */
  eventTime(): number {
    return Math.min(...this.targets.map((t) => t.eventTime));
  }

  async ready(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.ready(this.input, this.channel)));
  }

  async close(): Promise<void> {}
}
