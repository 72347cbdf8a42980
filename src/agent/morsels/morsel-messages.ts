/** The messages between a morsel pool (../morsel-pool.ts) and its worker threads (../morsel-worker.ts). */
import { SabotError } from '../../errors.js';
import type { JobGraphOperator } from '../../plan/job-graph.js';
import type { ColumnSchema } from '../../runtime/arrow-types.js';
import type { PartPlace } from '../../runtime/batch-assembly.js';
import type { BatchLayout, BatchShape } from '../../runtime/batch-transfer.js';
import type { ChainRejection } from '../../runtime/operator-chain.js';
import { Types, type TypeKind } from '../../types/sql-type.js';

/** A column with its type by kind: the thread reading it gets the shared SqlType constants back. */
export interface ColumnJson {
  name: string;
  type: TypeKind;
  nullable: boolean;
}

export type ToWorker =
  /** A chain to compile (when a run first needs it) from job graph operators. */
  | { kind: 'prepare'; chain: number; operators: JobGraphOperator[]; input: ColumnJson[]; startedAt: number }
  | { kind: 'release'; chain: number }
  /**
   * Run the chain over morsels firstMorsel .. (rows (m - firstMorsel) * morselRows .. of
   * the batch packed in `input`), claiming them as thread `thread` of `claims`
   * (morsel-claims.ts), and hold the outputs.
   */
  | {
    kind: 'run'; run: number; chain: number; input: SharedArrayBuffer; layout: BatchLayout; firstMorsel: number; morselRows: number;
    claims: SharedArrayBuffer; thread: number;
  }
  /** Write the outputs held for the run into `target` (batch-assembly.ts), and say so. */
  | { kind: 'place'; run: number; target: SharedArrayBuffer; layout: BatchLayout; places: MorselPlace[] }
  /** Drop the outputs held for the run (it failed). */
  | { kind: 'forget'; run: number };

export interface MorselPlace {
  morsel: number;
  place: PartPlace;
}

/** A morsel a worker ran: the shape of its output (which the worker holds), and its failed rows. */
export interface MorselRan {
  morsel: number;
  shape: BatchShape;
  rejected: ChainRejection[];
}

export type FromWorker =
  /**
   * The morsels a worker ran, sent once it finds none left to take: a message to an idle
   * thread costs the sender 60-150 µs (waking it, measured), too much to pay per morsel.
   */
  | { kind: 'ran'; run: number; morsels: MorselRan[] }
  | { kind: 'placed'; run: number }
  /** The run hit an error that is not a row's (a bug): it fails. */
  | { kind: 'failed'; run: number; error: ErrorJson };

export interface ErrorJson {
  message: string;
  code?: string;
  stack?: string;
}

export function columnsToJson(columns: readonly ColumnSchema[]): ColumnJson[] {
  return columns.map((c) => ({ name: c.name, type: c.type.kind, nullable: c.nullable }));
}

export function columnsFromJson(columns: readonly ColumnJson[]): ColumnSchema[] {
  return columns.map((c) => ({ name: c.name, type: Types[c.type], nullable: c.nullable }));
}

export function errorToJson(err: unknown): ErrorJson {
  if (err instanceof SabotError) return { message: err.message, code: err.code, stack: err.stack };
  if (err instanceof Error) return { message: err.message, stack: err.stack };
  return { message: String(err) };
}

/** The error again, a SabotError when it was one (keeping its SQLSTATE), with the worker's stack. */
export function errorFromJson(json: ErrorJson): Error {
  const err = json.code === undefined ? new Error(json.message) : new SabotError(json.code, json.message);
  if (json.stack !== undefined) err.stack = json.stack;
  return err;
}
