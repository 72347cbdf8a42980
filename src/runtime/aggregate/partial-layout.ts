import { Types } from '../../types/sql-type.js';
import type { ColumnSchema } from '../arrow-types.js';
import type { Accumulator } from './accumulators/accumulator.js';
import { accumulatorFactory } from './accumulators/create-accumulator.js';
import type { AggregateSpec } from './aggregate-spec.js';

/**
 * The columns of partial-aggregate rows: the group key columns first (the hash exchange
 * routes on them), then where the row lies in event time (a tumble or hop slice's
 * start; a session's first and last event time), then each call's state columns.
 */
export interface PartialLayout {
  columns: ColumnSchema[];
  /** Column of the slice start (tumble, hop) or of the session's first event time; -1 when unwindowed. */
  timeColumn: number;
  /** The first state column of each call. */
  stateAt: number[];
  /** Makes an accumulator of each call. */
  factories: (() => Accumulator)[];
}

export function partialLayout(spec: AggregateSpec): PartialLayout {
  const columns: ColumnSchema[] = spec.keys.map((k) => ({ ...spec.input[k]!, nullable: true }));
  const timeColumn = spec.window === null ? -1 : columns.length;
  if (spec.window?.kind === 'session') {
    columns.push({ name: '__session_first', type: Types.float8, nullable: false }, { name: '__session_last', type: Types.float8, nullable: false });
  } else if (spec.window !== null) {
    columns.push({ name: '__slice_start', type: Types.float8, nullable: false });
  }
  const factories = spec.calls.map((c, i) => accumulatorFactory(c, `__a${i}`));
  const stateAt: number[] = [];
  for (const make of factories) {
    stateAt.push(columns.length);
    columns.push(...make().stateColumns);
  }
  return { columns, timeColumn, stateAt, factories };
}
