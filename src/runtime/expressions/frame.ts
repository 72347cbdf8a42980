/**
 * What evaluating compiled expressions over one batch needs: the batch's columns (read
 * once each), the parameters, the session context, and what to do when a row fails.
 */
import type { RecordBatch } from 'apache-arrow';
import { SabotError, SqlState, toSabotError } from '../../errors.js';
import type { EvalContext } from '../../functions/scalar-function.js';
import type { ColumnSchema } from '../arrow-types.js';
import { FRESH, type Mem, type Scratch, vecFromData, type Vec } from './columns.js';

/** A SabotError raised by a kernel for one row of a batch. */
export type RowError = SabotError & { row: number };

/** The row of its batch an error from compiled expressions was raised for, if known. */
export function errorRow(err: unknown): number | undefined {
  if (err instanceof SabotError) {
    const row = (err as Partial<RowError>).row;
    if (typeof row === 'number') return row;
  }
  return undefined;
}

/** Marks an error (made a SabotError if it is not one) with the row it was raised for. */
export function atRow(err: unknown, row: number): RowError {
  const e = toSabotError(err) as RowError;
  e.row = row;
  return e;
}

/** Called once per failed row, with the row's index in the batch and its first error. */
export type RowErrorHandler = (row: number, error: SabotError) => void;

export class Frame {
  private readonly cols: (Vec | undefined)[];
  /** Rows that failed (collect mode), one byte per row. */
  failed: Uint8Array | null = null;
  /** Where kernels take the arrays of their results. */
  readonly mem: Mem;

  constructor(
    readonly n: number,
    private readonly batch: RecordBatch | null,
    private readonly input: readonly ColumnSchema[],
    readonly params: readonly unknown[],
    readonly ctx: EvalContext,
    /** When set, failing rows are reported here and evaluation goes on; else the error is thrown. */
    private readonly onRowError: RowErrorHandler | null,
    /** Pooled arrays for intermediate results (reset by the caller per evaluation). */
    readonly scratch: Scratch | null = null,
    cols?: (Vec | undefined)[],
  ) {
    this.cols = cols ?? [];
    this.mem = scratch ?? FRESH;
  }

  column(index: number): Vec {
    let v = this.cols[index];
    if (v === undefined) {
      const type = this.input[index]?.type;
      const data = this.batch?.data.children[index];
      if (!type || !data) throw new SabotError(SqlState.internalError, `batch has no column ${index}`);
      if (data.length !== this.n) throw new SabotError(SqlState.internalError, `column ${index} has ${data.length} rows, batch ${this.n}`);
      v = vecFromData(data, type, this.mem);
      this.cols[index] = v;
    }
    return v;
  }

  /** Row i failed with err: throws it (marked with the row), or records it and returns. */
  fail(i: number, err: unknown): void {
    if (this.onRowError === null) throw atRow(err, i);
    const failed = this.failed ?? (this.failed = new Uint8Array(this.n));
    if (failed[i]) return;
    failed[i] = 1;
    this.onRowError(i, toSabotError(err));
  }

  get collecting(): boolean {
    return this.onRowError !== null;
  }
}

/** What a scalar function returned, checked to be a value and not a Promise. */
export function settled(v: unknown, name: string): unknown {
  if (v instanceof Promise) {
    v.catch(() => undefined);
    throw new SabotError(SqlState.featureNotSupported, `function ${name} cannot run inside a dataflow (it is asynchronous)`);
  }
  return v;
}
