import { SabotError, SqlState } from '../../../errors.js';
import type { AggregateCallSpec } from '../aggregate-spec.js';
import { valueLayoutOf } from '../values.js';
import type { Accumulator } from './accumulator.js';
import { CountAccumulator } from './count.js';
import { DistinctAccumulator } from './distinct.js';
import { FloatSumAccumulator } from './float-sum.js';
import { Int64MinMaxAccumulator } from './int64-min-max.js';
import { IntegerSumAccumulator } from './integer-sum.js';
import { NumberMinMaxAccumulator } from './number-min-max.js';
import { ValueMinMaxAccumulator } from './value-min-max.js';
import { ValueSumAccumulator } from './value-sum.js';

function unsupported(call: AggregateCallSpec): SabotError {
  return new SabotError(SqlState.undefinedFunction, `function ${call.fn}(${call.argType?.name ?? '*'}) does not exist`);
}

/**
 * Checks that a call can be computed, and returns a factory of its accumulators (one per
 * group store). `name` prefixes its state columns.
 */
export function accumulatorFactory(call: AggregateCallSpec, name: string): () => Accumulator {
  const arg = call.argType;
  if (call.fn === 'count') {
    if (call.type.kind !== 'int8') throw unsupported(call);
    // The set of a count(DISTINCT x) holds x's values: their type must have a value form.
    if (call.distinct) valueLayoutOf(arg!);
    return call.distinct ? () => new DistinctAccumulator(call, name) : () => new CountAccumulator(call, name);
  }
  const layout = valueLayoutOf(arg!);
  if (call.fn === 'sum' || call.fn === 'avg') {
    if (layout === 'text' || layout === 'bool' || (layout === 'int64' && arg!.kind !== 'int8') || arg!.kind === 'date') throw unsupported(call);
    if (call.distinct) return () => new DistinctAccumulator(call, name);
    if (arg!.kind === 'float4' || arg!.kind === 'float8') return () => new FloatSumAccumulator(call, name);
    if (layout === 'numeric' || layout === 'interval') return () => new ValueSumAccumulator(call, name);
    return () => new IntegerSumAccumulator(call, name);
  }
  // min and max of the distinct values are those of all values.
  if (layout === 'number') return () => new NumberMinMaxAccumulator(call, name);
  if (layout === 'int64') return () => new Int64MinMaxAccumulator(call, name);
  return () => new ValueMinMaxAccumulator(call, name);
}
