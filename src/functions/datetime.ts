import { Types } from '../types/sql-type.js';
import { timestamptzToTimestamp } from '../types/datetime.js';
import type { FunctionRegistry } from './scalar-function.js';

const MICROS_PER_DAY = 86_400_000_000;

/** The current-time functions: now() and its SQL-standard spellings. */
export function registerDatetime(r: FunctionRegistry): void {
  const tz = Types.timestamptz;
  for (const name of ['now', 'current_timestamp', 'transaction_timestamp']) {
    r.add({ name, argTypes: [], returnType: tz, volatility: 'stable', impl: (_, ctx) => ctx.transactionStart });
  }
  r.add({ name: 'statement_timestamp', argTypes: [], returnType: tz, volatility: 'stable', impl: (_, ctx) => ctx.statementStart });
  r.add({
    name: 'clock_timestamp', argTypes: [], returnType: tz, volatility: 'volatile',
    impl: () => Math.round((performance.timeOrigin + performance.now()) * 1000),
  });
  r.add({
    name: 'localtimestamp', argTypes: [], returnType: Types.timestamp, volatility: 'stable',
    impl: (_, ctx) => timestamptzToTimestamp(ctx.transactionStart, ctx.format.timeZone),
  });
  r.add({
    name: 'current_date', argTypes: [], returnType: Types.date, volatility: 'stable',
    impl: (_, ctx) => Math.floor(timestamptzToTimestamp(ctx.transactionStart, ctx.format.timeZone) / MICROS_PER_DAY),
  });
}
