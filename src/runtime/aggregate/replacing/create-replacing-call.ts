import { accumulatorFactory } from '../accumulators/create-accumulator.js';
import type { AggregateCallSpec } from '../aggregate-spec.js';
import { ReplacingFloatSum } from './float-sum.js';
import { ReplacingIntegerSum } from './integer-sum.js';
import { ReplacingIntervalSum } from './interval-sum.js';
import { ReplacingNumericSum } from './numeric-sum.js';
import type { ReplacingCall } from './replacing-call.js';
import { ReplacingCount } from './replacing-count.js';

/** The state of a count, sum or avg call (without DISTINCT) over an updating result, per its argument's type. */
export function replacingCall(call: AggregateCallSpec): ReplacingCall {
  // The argument types the plain aggregate sums are the ones summed here: its check, its error.
  accumulatorFactory(call, '');
  if (call.fn === 'count') return new ReplacingCount(call);
  switch (call.argType!.kind) {
    case 'float4': case 'float8': return new ReplacingFloatSum(call);
    case 'numeric': return new ReplacingNumericSum(call);
    case 'interval': return new ReplacingIntervalSum(call);
    default: return new ReplacingIntegerSum(call);
  }
}
