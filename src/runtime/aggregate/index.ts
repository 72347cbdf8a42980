/**
 * The streaming aggregate operator, in two phases: a stateless partial step combines
 * the rows of each batch that share a group (before the hash exchange, so fewer rows
 * cross it), and a stateful final step merges partial rows into windows or updating
 * groups and writes the results. An aggregate over an updating result has no partial
 * step: its final step (replacing/) takes each input row's replaced row back.
 */
import type { RecordBatch } from 'apache-arrow';
import type { JobGraphOperator } from '../../plan/job-graph.js';
import type { ColumnSchema } from '../arrow-types.js';
import type { StatefulOperator } from '../stateful/stateful-operator.js';
import { aggregateSpec } from './aggregate-spec.js';
import { finalAggregate } from './final-aggregate.js';
import { compilePartialAggregate as compilePartial } from './partial-aggregate.js';
import { partialLayout } from './partial-layout.js';
import { ReplacingAggregate } from './replacing/replacing-aggregate.js';

/** Columns of the partial rows of aggregate `op` over `input`: the key columns first, in order. */
export function partialAggregateColumns(op: JobGraphOperator, input: ColumnSchema[]): ColumnSchema[] {
  return partialLayout(aggregateSpec(op, input)).columns;
}

/** The partial step of aggregate `op` over `input`: batch of input rows → batch of partial rows. */
export function compilePartialAggregate(op: JobGraphOperator, input: ColumnSchema[]): (batch: RecordBatch) => RecordBatch {
  return compilePartial(aggregateSpec(op, input));
}

/**
 * The final step of aggregate `op` whose input columns are `input`: consumes partial rows
 * (or, over an updating result, the input rows themselves), writes `operatorColumns(op)` rows.
 */
export function createFinalAggregate(op: JobGraphOperator, input: ColumnSchema[]): StatefulOperator {
  const spec = aggregateSpec(op, input);
  if (spec.replacing !== null) return new ReplacingAggregate(spec);
  return finalAggregate(spec, partialLayout(spec));
}
