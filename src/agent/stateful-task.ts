import type { RecordBatch } from 'apache-arrow';
import type { StatefulOperator } from '../runtime/stateful/stateful-operator.js';
import type { ChainRejection } from '../runtime/operator-chain.js';
import type { ChainRunner, TaskCounter } from './pipeline.js';
import type { TaskOutput } from './task-output.js';

/** A channel that has sent nothing for this long (wall clock) stops holding the watermark back. */
export const IDLE_TIMEOUT_MS = 5_000;

export interface StatefulTaskOptions {
  operator: StatefulOperator;
  /** Per input, a step run on what arrives before the operator sees it (a partial aggregate), or null. */
  receiveSteps: readonly (((batch: RecordBatch) => RecordBatch) | null)[];
  /** Per input, how many upstream tasks send into it (its channels). */
  channels: readonly number[];
  /** The stateless operators chained after the keyed one. */
  runChain: ChainRunner;
  output: TaskOutput;
  /** The keyed operator's task: counts the rows it received. */
  counter: TaskCounter;
  /** The chained operators' and the sink's tasks: count the rows that left the chain. */
  downstream: readonly TaskCounter[];
  /** Rows that failed in the chained operators (dead letters). */
  reject: (rejected: ChainRejection[]) => Promise<void>;
  idleTimeoutMs?: number;
}

/**
 * One task of a keyed stateful operator: it receives rows from its upstream tasks over
 * channels (every row of a key on one task), tracks each channel's watermark, and moves
 * the operator's event time to the minimum over its channels (a channel that ended is
 * at the end of time; one idle past the timeout is left out). What the operator emits
 * runs through the chained operators into the output, followed by the watermark. Calls
 * run one at a time, in arrival order.
 */
export class StatefulTask {
  private queue: Promise<void> = Promise.resolve();
  private readonly marks: number[][];
  private readonly lastSeen: number[][];
  private readonly ended: boolean[][];
  private current = -Infinity;
  private finished = false;
  /** A re-check of the watermark for when a silent channel turns idle. */
  private idleTimer: NodeJS.Timeout | null = null;
  /** Channels waiting in ready() for the others to catch up: woken whenever event time moves on. */
  private waiters: (() => void)[] = [];

  constructor(private readonly o: StatefulTaskOptions) {
    this.marks = o.channels.map((n) => new Array<number>(n).fill(-Infinity));
    this.ended = o.channels.map((n) => new Array<boolean>(n).fill(false));
    const now = Date.now();
    this.lastSeen = o.channels.map((n) => new Array<number>(n).fill(now));
  }

  /** The watermark this task has moved on to (what its operator's windows have closed by). */
  get eventTime(): number {
    return this.current;
  }

  private serial(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  receive(input: number, channel: number, batch: RecordBatch): Promise<void> {
    return this.serial(async () => {
      this.lastSeen[input]![channel] = Date.now();
      this.o.counter.rows += BigInt(batch.numRows);
      const step = this.o.receiveSteps[input];
      await this.emit(this.o.operator.process(input, step ? step(batch) : batch));
    });
  }

  watermark(input: number, channel: number, wm: number): Promise<void> {
    return this.serial(async () => {
      this.lastSeen[input]![channel] = Date.now();
      if (wm > this.marks[input]![channel]!) this.marks[input]![channel] = wm;
      await this.progress();
    });
  }

  end(input: number, channel: number): Promise<void> {
    return this.serial(async () => {
      this.ended[input]![channel] = true;
      this.marks[input]![channel] = Infinity;
      await this.progress();
      if (!this.finished && this.ended.every((chs) => chs.every((e) => e))) {
        this.stop();
        await this.o.output.end();
      }
    });
  }

  /** The watermark over every channel: the minimum of the live ones, idle ones left out. */
  private combined(): number {
    const now = Date.now();
    const idleMs = this.o.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    let min = Infinity;
    let live = 0;
    for (let i = 0; i < this.marks.length; i++) {
      for (let c = 0; c < this.marks[i]!.length; c++) {
        if (this.ended[i]![c]) continue;
        if (now - this.lastSeen[i]![c]! > idleMs) continue;
        live++;
        min = Math.min(min, this.marks[i]![c]!);
      }
    }
    const open = this.ended.some((chs) => chs.some((e) => !e));
    // Every open channel idle: nothing says how far event time went.
    if (open && live === 0) return this.current;
    return min;
  }

  /** While a channel that holds the watermark back is silent, checks again once it would count as idle. */
  private watchIdle(): void {
    if (this.idleTimer !== null || this.finished) return;
    const idleMs = this.o.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    let due = Infinity;
    for (let i = 0; i < this.marks.length; i++) {
      for (let c = 0; c < this.marks[i]!.length; c++) {
        if (!this.ended[i]![c] && this.marks[i]![c]! <= this.current) due = Math.min(due, this.lastSeen[i]![c]! + idleMs);
      }
    }
    if (due === Infinity) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      void this.serial(() => this.progress()).catch(() => undefined);
    }, Math.max(0, due - Date.now()) + 1);
    this.idleTimer.unref();
  }

  /** Stops the idle re-check (the job stopped). */
  stop(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.finished = true;
    this.wake();
  }

  /**
   * Resolves once the channel is no longer ahead of this task's event time (nor of the
   * tasks its output goes to): a source pipeline asks before each round, so inputs that
   * run at different speeds stay aligned in event time, and what an operator keeps for
   * the slower input (join rows, open windows) is bounded by about a round of each input
   * instead of by how far the faster one got. A channel is ahead when its watermark is
   * past the combined one; before every channel has one (the combined is still at the
   * start of time) nothing waits, and no wait lasts longer than the idle timeout, after
   * which the channel behind counts as idle anyway.
   */
  async ready(input: number, channel: number): Promise<void> {
    const deadline = Date.now() + (this.o.idleTimeoutMs ?? IDLE_TIMEOUT_MS);
    while (!this.finished && this.current > -Infinity && this.marks[input]![channel]! > this.current) {
      const wait = deadline - Date.now();
      if (wait <= 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await this.o.output.ready?.();
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Moves event time on (emitting what closes), then writes what an updating result changed, then the watermark. */
  private async progress(): Promise<void> {
    if (this.finished) return;
    const wm = this.combined();
    if (wm > this.current) {
      this.current = wm;
      await this.emit(this.o.operator.advance(wm));
      this.wake();
    }
    await this.emit(this.o.operator.flush());
    if (this.current > -Infinity) await this.o.output.watermark(this.current);
    this.watchIdle();
  }

  private async emit(batches: RecordBatch[]): Promise<void> {
    if (batches.length === 0) return;
    const out: RecordBatch[] = [];
    let rows = 0;
    for (const batch of batches) {
      if (batch.numRows === 0) continue;
      const r = await this.o.runChain(batch);
      if (r.rejected.length > 0) await this.o.reject(r.rejected);
      if (r.batch.numRows > 0) {
        out.push(r.batch);
        rows += r.batch.numRows;
      }
    }
    for (const t of this.o.downstream) t.rows += BigInt(rows);
    if (out.length > 0) await this.o.output.write(out);
  }
}
