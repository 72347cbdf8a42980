/**
 * One run of a chain over a batch split into morsels, as the pool's thread sees it. Each
 * morsel is run by some thread, which reports the shape of its output (rows, NULLs, text
 * bytes) and holds the output. Once every morsel has run, the shapes in morsel order
 * give where each output goes in the run's output batch (runtime/batch-assembly.ts),
 * assembled in a shared arena; each thread writes its own outputs there, and when all
 * have, the batch is copied out of the arena.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { assembly, clearTarget, placePart } from '../../runtime/batch-assembly.js';
import { type BatchLayout, type BatchShape, readPackedBatch, shapeOf } from '../../runtime/batch-transfer.js';
import type { ChainRejection, OperatorChain } from '../../runtime/operator-chain.js';
import type { MorselPlace } from './morsel-messages.js';
import type { SharedArenas } from './shared-arenas.js';

/** Who ran the morsels of a run. */
export interface MorselRunStats {
  morsels: number;
  /** Rows per morsel (the last one may have fewer). */
  morselRows: number;
  /** Morsels run by each worker thread, by worker index. */
  byWorker: number[];
  /** Morsels run by the calling thread. */
  byCaller: number;
}

export interface MorselRunResult {
  /** The chain's output, rows in input order. */
  batch: RecordBatch;
  /** The failing rows, as runChain reports them: by operator in chain order, then in row order. */
  rejected: ChainRejection[];
  stats: MorselRunStats;
}

/** The calling thread, as the holder of a morsel's output. */
const CALLER = -1;

export class MorselRun {
  readonly stats: MorselRunStats;
  readonly result: Promise<MorselRunResult>;
  private readonly shapes: (BatchShape | undefined)[];
  /** Who holds each morsel's output: a worker index or CALLER. */
  private readonly holders: Int32Array;
  private readonly rejections: ChainRejection[][];
  private readonly callerOutputs = new Map<number, RecordBatch>();
  private notRun: number;
  private placing = 0;
  private output: { target: SharedArrayBuffer; layout: BatchLayout; arenas: SharedArenas } | undefined;
  private settle!: { resolve: (r: MorselRunResult) => void; reject: (e: Error) => void };

  constructor(private readonly chain: OperatorChain, private readonly schema: Schema, morsels: number, morselRows: number, workers: number) {
    this.stats = { morsels, morselRows, byWorker: new Array<number>(workers).fill(0), byCaller: 0 };
    this.shapes = new Array<BatchShape | undefined>(morsels);
    this.holders = new Int32Array(morsels);
    this.rejections = new Array<ChainRejection[]>(morsels);
    this.notRun = morsels;
    this.result = new Promise((resolve, reject) => { this.settle = { resolve, reject }; });
  }

  /** The calling thread ran a morsel. */
  ranHere(morsel: number, output: RecordBatch, rejected: ChainRejection[]): void {
    // Without rows a batch may have the columns of an earlier stage: nothing to keep.
    if (output.numRows > 0) this.callerOutputs.set(morsel, output);
    this.stats.byCaller++;
    this.ran(morsel, CALLER, output.numRows > 0 ? shapeOf(output) : undefined, rejected);
  }

  /** A worker ran a morsel and holds its output. */
  ranOnWorker(morsel: number, worker: number, shape: BatchShape, rejected: ChainRejection[]): void {
    this.stats.byWorker[worker]!++;
    this.ran(morsel, worker, shape.rows > 0 ? shape : undefined, rejected);
  }

  private ran(morsel: number, holder: number, shape: BatchShape | undefined, rejected: ChainRejection[]): void {
    this.shapes[morsel] = shape;
    this.holders[morsel] = holder;
    this.rejections[morsel] = rejected;
    this.notRun--;
  }

  get allRan(): boolean {
    return this.notRun === 0;
  }

  /**
   * Lays out the output batch in `target` (taken from `arenas`), writes the calling
   * thread's outputs into it, and returns what each worker must write there. The run is
   * resolved when every one of them has placed() (at once when none has anything to write).
   */
  assemble(arenas: SharedArenas): { target: SharedArrayBuffer; layout: BatchLayout; byWorker: Map<number, MorselPlace[]> } {
    const morsels = [...this.shapes.keys()].filter((m) => this.shapes[m] !== undefined);
    const { layout, places } = assembly(this.schema, morsels.map((m) => this.shapes[m]!));
    const target = arenas.take(layout.bytes);
    clearTarget(target, this.schema, layout);
    this.output = { target, layout, arenas };
    const byWorker = new Map<number, MorselPlace[]>();
    morsels.forEach((morsel, k) => {
      const holder = this.holders[morsel]!;
      if (holder === CALLER) {
        placePart(this.callerOutputs.get(morsel)!, target, layout, places[k]!);
      } else {
        if (!byWorker.has(holder)) byWorker.set(holder, []);
        byWorker.get(holder)!.push({ morsel, place: places[k]! });
      }
    });
    this.callerOutputs.clear();
    this.placing = byWorker.size;
    if (this.placing === 0) this.resolve();
    return { target, layout, byWorker };
  }

  /** A worker wrote its outputs; returns true when it was the last and the run is resolved. */
  placed(): boolean {
    if (--this.placing > 0) return false;
    this.resolve();
    return true;
  }

  fail(err: Error): void {
    this.settle.reject(err);
  }

  /**
   * The assembled batch leaves the arena (which is reused) in one copy to memory of its
   * own. Assembling it in a new SharedArrayBuffer instead costs more: filling a new 8 MiB
   * one took 7-35 ms here, this copy 1.5-2 ms (page faults).
   */
  private resolve(): void {
    const { target, layout, arenas } = this.output!;
    const own = Buffer.allocUnsafeSlow(layout.bytes);
    own.set(new Uint8Array(target, 0, layout.bytes));
    arenas.give(target);
    this.settle.resolve({ batch: readPackedBatch(this.schema, own.buffer, own.byteOffset, layout), rejected: this.rejected(), stats: this.stats });
  }

  /** Each operator's rejections over the morsels in order: what runChain gives over the whole batch. */
  private rejected(): ChainRejection[] {
    const all: ChainRejection[] = [];
    if (this.rejections.every((r) => r.length === 0)) return all;
    for (const operator of this.chain.stageOperators) {
      for (const rs of this.rejections) for (const r of rs) if (r.operator === operator) all.push(r);
    }
    return all;
  }
}
