import { SabotError, SqlState } from '../../errors.js';
import type { JobGraphOperator } from '../../plan/job-graph.js';
import type { AggregateFunction, WindowSpec } from '../../plan/logical-plan.js';
import { Types, typeByName, type SqlType, type TypeKind } from '../../types/sql-type.js';
import type { ColumnSchema } from '../arrow-types.js';
import { operatorColumns } from '../operator-chain.js';

/** One aggregate call with its argument's type resolved against the input columns. */
export interface AggregateCallSpec {
  fn: AggregateFunction;
  arg: number | null;
  argType: SqlType | null;
  distinct: boolean;
  filter: number | null;
  type: SqlType;
}

/** An aggregate operator's job-graph params, checked against its input columns. */
export interface AggregateSpec {
  keys: number[];
  window: WindowSpec | null;
  closeAt: number | null;
  /** Input columns the input's rows replace earlier rows by (an updating result's key); null for an input of appended rows. */
  replacing: number[] | null;
  calls: AggregateCallSpec[];
  input: ColumnSchema[];
  output: ColumnSchema[];
  /** Width of the slices a tumble or hop window is made of: gcd(slide, size). */
  sliceWidth: number;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

const isTime = (t: SqlType) => t.kind === 'timestamp' || t.kind === 'timestamptz';

function invalid(message: string): SabotError {
  return new SabotError(SqlState.invalidParameterValue, `invalid aggregate: ${message}`);
}

/** Reads the aggregate's params (plan/logical-plan.ts `params()`). */
export function aggregateSpec(op: JobGraphOperator, input: readonly ColumnSchema[]): AggregateSpec {
  const p = op.params as {
    keys: number[]; window: WindowSpec | null; closeAt?: number | null; replacing?: number[] | null;
    aggregates: { fn: AggregateFunction; arg: number | null; distinct: boolean; filter: number | null; type: TypeKind }[];
  };
  const column = (i: number, what: string): ColumnSchema => {
    const c = input[i];
    if (!c) throw invalid(`${what} names input column ${i}, which does not exist`);
    return c;
  };
  p.keys.forEach((k) => column(k, 'a key'));
  const window = p.window;
  let sliceWidth = 0;
  if (window) {
    if (!isTime(column(window.time, 'the window')!.type)) throw invalid('the window time column is not a timestamp');
    if (window.kind === 'tumble') sliceWidth = window.size;
    if (window.kind === 'hop') sliceWidth = gcd(window.slide, window.size);
    const widths = window.kind === 'session' ? [window.gap] : window.kind === 'hop' ? [window.size, window.slide] : [window.size];
    if (!widths.every((w) => Number.isSafeInteger(w) && w > 0)) throw invalid('window sizes must be positive');
  }
  const closeAt = p.closeAt ?? null;
  if (closeAt !== null && (window !== null || !p.keys.includes(closeAt) || !isTime(column(closeAt, 'closeAt').type))) {
    throw invalid('closeAt must be a timestamp key column of an unwindowed aggregate');
  }
  const replacing = p.replacing ?? null;
  if (replacing !== null) {
    replacing.forEach((k) => column(k, 'replacing'));
    // A row's group must be fixed by its replacing key, so taking it back finds the group it was added to.
    if (!p.keys.every((k) => replacing.includes(k))) throw invalid('the keys of an aggregate over an updating result must be among its replacing columns');
    if (window !== null || closeAt !== null) throw invalid('an aggregate over an updating result is not windowed');
    // Only these can take a row's contribution back.
    if (p.aggregates.some((a) => a.distinct || (a.fn !== 'count' && a.fn !== 'sum' && a.fn !== 'avg'))) {
      throw invalid('over an updating result only count, sum and avg without DISTINCT are computed');
    }
  }
  const calls = p.aggregates.map((a): AggregateCallSpec => {
    const type = (Types as Record<string, SqlType>)[a.type] ?? typeByName(a.type);
    if (!type) throw invalid(`unknown result type ${a.type}`);
    if (a.filter !== null && column(a.filter, 'a filter').type.kind !== 'bool') throw invalid('a filter column is not boolean');
    if (a.arg === null && a.fn !== 'count') throw invalid(`${a.fn} needs an argument`);
    return { fn: a.fn, arg: a.arg, argType: a.arg === null ? null : column(a.arg, 'an argument').type, distinct: a.distinct, filter: a.filter, type };
  });
  return { keys: p.keys, window, closeAt, replacing, calls, input: [...input], output: operatorColumns(op), sliceWidth };
}
