/**
 * The morsel scheduler of an agent: runs an operator chain over large batches on several
 * cores. A batch of more than `morselRows` rows is split into morsels of `morselRows`
 * rows. The calling thread (unless callerRuns is false) runs the first few straight from
 * the batch; the rest are packed once into a SharedArrayBuffer, where worker threads
 * (morsel-worker.ts) take them from the front of their own range of morsels and, when it
 * is empty, steal from the back of another's (morsels/morsel-claims.ts: Atomics, no
 * message per morsel); the calling thread steals too once its own are done. Then every
 * thread writes the outputs it holds into one output batch, in morsel order
 * (runtime/batch-assembly.ts). Smaller batches run on the calling thread, as runChain,
 * without a thread hop.
 *
 * Packing, assembling and messages cost about as much as running a cheap numeric chain:
 * on the 2 cores measured (bench/README.md, Morsels) the pool gained on a chain that
 * costs more per row than copying it, and lost to runChain on a numeric filter + project.
 *
 *   const pool = new MorselPool();
 *   const chain = pool.prepare(operators, inputColumns, startedAt);
 *   const { batch, rejected } = await pool.run(chain, input);   // as runChain(compiled, input)
 *   pool.release(chain);
 *   await pool.close();
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { RecordBatch, Schema } from 'apache-arrow';
import { SabotError, SqlState } from '../errors.js';
import { builtinFunctions } from '../functions/builtins.js';
import type { FunctionRegistry } from '../functions/scalar-function.js';
import type { JobGraphOperator } from '../plan/job-graph.js';
import { arrowSchema, arrowType, type ColumnSchema } from '../runtime/arrow-types.js';
import { batchLayout, emptyBatch, packBatch, shapeOf } from '../runtime/batch-transfer.js';
import { compileChain, dataflowEvalContext, runChain, type OperatorChain } from '../runtime/operator-chain.js';
import { cancelMorsels, MAX_MORSELS, morselClaims, stealMorsel } from './morsels/morsel-claims.js';
import { columnsToJson, errorFromJson, type FromWorker, type ToWorker } from './morsels/morsel-messages.js';
import { MorselRun, type MorselRunResult } from './morsels/morsel-run.js';
import { SharedArenas } from './morsels/shared-arenas.js';

export type { MorselRunResult, MorselRunStats } from './morsels/morsel-run.js';

export interface MorselPoolOptions {
  /** Worker threads (default: os.availableParallelism() - 1, at least 1). */
  workers?: number;
  /** Rows per morsel, rounded up to a multiple of 8 (default DEFAULT_MORSEL_ROWS); batches of at most this many rows run inline. */
  morselRows?: number;
  /** Whether the calling thread runs morsels too while the workers do (default true). */
  callerRuns?: boolean;
}

/**
 * On 1M-row batches (bench/morsels.ts) 64K-row morsels did as well as or better than 32K
 * and clearly better than 16K: each morsel costs a chain run and its own output arrays.
 */
export const DEFAULT_MORSEL_ROWS = 65536;

/**
 * The calling thread's own morsels, as a share of an even split. It packs the workers'
 * morsels before it starts on its own (packing costs about a quarter of running the
 * chain on the same rows), and steals from the workers when it is done early; they
 * cannot steal from it, as its morsels are not packed.
 */
const CALLER_SHARE = 0.75;

/** A chain prepared on a pool: compiled here, and by each worker when a run first needs it. */
export class PreparedChain {
  /** The Arrow type ids the input columns must have. */
  readonly inputTypeIds: number[];
  readonly outputSchema: Schema;

  constructor(readonly id: number, readonly chain: OperatorChain, readonly input: readonly ColumnSchema[],
    readonly message: Extract<ToWorker, { kind: 'prepare' }>) {
    this.inputTypeIds = input.map((c) => arrowType(c.type).typeId);
    this.outputSchema = arrowSchema(chain.columns);
  }

  /** The columns of the chain's output. */
  get columns(): readonly ColumnSchema[] {
    return this.chain.columns;
  }
}

interface RunEntry {
  run: MorselRun;
  /** The packed input the workers read, reused once the run is done. */
  input: SharedArrayBuffer;
  ranges: Uint32Array;
}

export class MorselPool {
  readonly morselRows: number;
  readonly callerRuns: boolean;
  private readonly threads: Worker[] = [];
  private readonly chains = new Map<number, PreparedChain>();
  private readonly runs = new Map<number, RunEntry>();
  private readonly arenas = new SharedArenas();
  private readonly functions: FunctionRegistry = builtinFunctions();
  private readonly abort = new AbortController();
  private nextId = 1;
  private closed = false;

  constructor(options: MorselPoolOptions = {}) {
    const workers = options.workers ?? Math.max(1, availableParallelism() - 1);
    if (!(Number.isInteger(workers) && workers >= 1)) throw new RangeError(`a morsel pool needs at least one worker, not ${workers}`);
    this.morselRows = Math.ceil((options.morselRows ?? DEFAULT_MORSEL_ROWS) / 8) * 8;
    if (!(this.morselRows >= 8)) throw new RangeError(`morselRows must be positive, not ${options.morselRows}`);
    this.callerRuns = options.callerRuns ?? true;
    for (let i = 0; i < workers; i++) this.threads.push(this.startWorker(i));
  }

  /** The worker threads, for monitoring (threadId, performance.eventLoopUtilization()). */
  get workerThreads(): readonly Worker[] {
    return this.threads;
  }

  /**
   * Compiles a run of filter/project job graph operators over `input` columns (see
   * compileChain); `startedAt` is the dataflow's now() in microseconds, the same on
   * every thread. Throws what compileChain throws.
   */
  prepare(operators: readonly JobGraphOperator[], input: readonly ColumnSchema[], startedAt: number): PreparedChain {
    this.checkOpen();
    const chain = compileChain(operators, input, this.functions, dataflowEvalContext(this.abort.signal, startedAt));
    const id = this.nextId++;
    const prepared = new PreparedChain(id, chain, [...input],
      { kind: 'prepare', chain: id, operators: [...operators], input: columnsToJson(input), startedAt });
    this.chains.set(id, prepared);
    for (const w of this.threads) w.postMessage(prepared.message);
    return prepared;
  }

  /** Forgets a prepared chain here and in the workers (runs already started finish). */
  release(prepared: PreparedChain): void {
    if (!this.chains.delete(prepared.id)) return;
    const message: ToWorker = { kind: 'release', chain: prepared.id };
    for (const w of this.threads) w.postMessage(message);
  }

  /**
   * Runs a prepared chain over a batch: the same rows in the same order, and the same
   * rejected rows, as runChain. Rejects with the error when something other than a row
   * fails (a bug, a worker that died). A batch without rows has the chain's output
   * columns (runChain's may have an earlier stage's).
   */
  async run(prepared: PreparedChain, batch: RecordBatch): Promise<MorselRunResult> {
    this.checkOpen();
    if (!this.chains.has(prepared.id)) throw new SabotError(SqlState.internalError, 'morsel pool: the chain was released');
    const rows = batch.numRows;
    if (rows <= this.morselRows || prepared.chain.stages.length === 0) {
      const { batch: out, rejected } = runChain(prepared.chain, batch);
      const stats = { morsels: 1, morselRows: rows, byWorker: this.threads.map(() => 0), byCaller: 1 };
      return { batch: out.numRows === 0 ? emptyBatch(prepared.outputSchema) : out, rejected, stats };
    }
    this.checkInput(prepared, batch);
    // Morsel numbers are 16-bit: a huge batch gets bigger morsels.
    const morselRows = Math.max(this.morselRows, Math.ceil(rows / MAX_MORSELS / 8) * 8);
    const morsels = Math.ceil(rows / morselRows);
    const workers = this.threads.length;
    const own = this.callerRuns ? Math.floor((morsels / (workers + 1)) * CALLER_SHARE) : 0;
    const shared = own === 0 ? batch : batch.slice(own * morselRows);
    const layout = batchLayout(batch.schema, shapeOf(shared));
    const input = this.arenas.take(layout.bytes);
    packBatch(shared, layout, input);
    const claims = morselClaims(own, morsels, workers);
    const ranges = new Uint32Array(claims);
    const id = this.nextId++;
    const run = new MorselRun(prepared.chain, prepared.outputSchema, morsels, morselRows, workers);
    if (this.runs.size === 0) for (const w of this.threads) w.ref();
    this.runs.set(id, { run, input, ranges });
    this.threads.forEach((w, thread) => w.postMessage({
      kind: 'run', run: id, chain: prepared.id, input, layout, firstMorsel: own, morselRows, claims, thread,
    } satisfies ToWorker));
    if (this.callerRuns) {
      // The calling thread is a core too: its own morsels, then stolen ones, straight from `batch`.
      try {
        for (let m = 0; m < own; m++) this.runHere(run, prepared.chain, batch, m, morselRows);
        for (let m = stealMorsel(ranges); m >= 0; m = stealMorsel(ranges)) this.runHere(run, prepared.chain, batch, m, morselRows);
      } catch (err) {
        this.fail(id, asError(err));
        return run.result;
      }
      if (run.allRan) this.assemble(id);
    }
    return run.result;
  }

  /** Terminates the workers; runs in progress reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.failAll(new SabotError(SqlState.adminShutdown, 'morsel pool closed'));
    this.arenas.clear();
    await Promise.all(this.threads.map((w) => w.terminate()));
  }

  private runHere(run: MorselRun, chain: OperatorChain, batch: RecordBatch, morsel: number, morselRows: number): void {
    const { batch: out, rejected } = runChain(chain, batch.slice(morsel * morselRows, (morsel + 1) * morselRows));
    run.ranHere(morsel, out, rejected);
  }

  private checkOpen(): void {
    if (this.closed) throw new SabotError(SqlState.objectNotInPrerequisiteState, 'morsel pool is closed');
  }

  private checkInput(prepared: PreparedChain, batch: RecordBatch): void {
    const children = batch.data.children;
    const ok = children.length === prepared.inputTypeIds.length && children.every((d, i) => d.type.typeId === prepared.inputTypeIds[i]);
    if (!ok) {
      throw new SabotError(SqlState.internalError, `morsel pool: batch columns (${batch.schema.fields.map((f) => String(f.type)).join(', ')})`
        + ` do not match the chain's input (${prepared.input.map((c) => c.type.name).join(', ')})`);
    }
  }

  private startWorker(index: number): Worker {
    const w = new Worker(new URL('./morsel-worker.js', import.meta.url));
    w.on('message', (m: FromWorker) => this.onMessage(index, m));
    w.on('error', (err) => this.failAll(err));
    w.on('exit', (code) => {
      if (this.closed) return;
      // A worker only exits when it crashed: its morsels in progress are lost.
      this.failAll(new SabotError(SqlState.internalError, `morsel worker ${index} exited with code ${code}`));
      this.threads[index] = this.startWorker(index);
    });
    for (const c of this.chains.values()) w.postMessage(c.message);
    if (this.runs.size === 0) w.unref();
    return w;
  }

  private onMessage(worker: number, m: FromWorker): void {
    const entry = this.runs.get(m.run);
    if (entry === undefined) return; // a run that already failed
    switch (m.kind) {
      case 'ran':
        for (const r of m.morsels) entry.run.ranOnWorker(r.morsel, worker, r.shape, r.rejected);
        if (entry.run.allRan) this.assemble(m.run);
        break;
      case 'placed':
        if (entry.run.placed()) this.succeeded(m.run);
        break;
      case 'failed':
        this.fail(m.run, errorFromJson(m.error));
        break;
    }
  }

  /** Every morsel has run: each thread writes its outputs into the output batch. */
  private assemble(id: number): void {
    const entry = this.runs.get(id)!;
    let assembly;
    try {
      assembly = entry.run.assemble(this.arenas);
    } catch (err) {
      this.fail(id, asError(err));
      return;
    }
    const { target, layout, byWorker } = assembly;
    if (byWorker.size === 0) this.succeeded(id);
    for (const [worker, places] of byWorker) this.threads[worker]!.postMessage({ kind: 'place', run: id, target, layout, places } satisfies ToWorker);
  }

  private succeeded(id: number): void {
    const entry = this.runs.get(id)!;
    this.runs.delete(id);
    this.arenas.give(entry.input);
    this.idleIfDone();
  }

  /** A failed run's input is dropped, not reused: a worker may still be reading it. */
  private fail(id: number, err: Error): void {
    const entry = this.runs.get(id);
    if (entry === undefined) return;
    this.runs.delete(id);
    cancelMorsels(entry.ranges);
    const forget: ToWorker = { kind: 'forget', run: id };
    for (const w of this.threads) w.postMessage(forget);
    entry.run.fail(err);
    this.idleIfDone();
  }

  private failAll(err: Error): void {
    for (const id of [...this.runs.keys()]) this.fail(id, err);
  }

  /** An idle pool does not keep the process alive. */
  private idleIfDone(): void {
    if (this.runs.size === 0) for (const w of this.threads) w.unref();
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
