import type { StatefulOperator } from '../stateful/stateful-operator.js';
import type { AggregateSpec } from './aggregate-spec.js';
import type { PartialLayout } from './partial-layout.js';
import { SessionAggregate } from './session-aggregate.js';
import { SlicedAggregate } from './sliced-aggregate.js';
import { UpdatingAggregate } from './updating-aggregate.js';

/** The final step of an aggregate, over partial rows: per window kind, the state that fits it. */
export function finalAggregate(spec: AggregateSpec, layout: PartialLayout): StatefulOperator {
  if (spec.window?.kind === 'session') return new SessionAggregate(spec, layout);
  if (spec.window !== null || spec.closeAt !== null) return new SlicedAggregate(spec, layout);
  return new UpdatingAggregate(spec, layout);
}
