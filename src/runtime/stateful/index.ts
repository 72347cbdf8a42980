import type { RecordBatch } from 'apache-arrow';
import type { EvalContext, FunctionRegistry } from '../../functions/scalar-function.js';
import type { JobGraphOperator } from '../../plan/job-graph.js';
import { compilePartialAggregate, createFinalAggregate, partialAggregateColumns } from '../aggregate/index.js';
import type { ColumnSchema } from '../arrow-types.js';
import { createJoin } from '../join/index.js';
import { createTopN } from '../top-n/index.js';
import type { StatefulOperator } from './stateful-operator.js';

export type { StatefulOperator } from './stateful-operator.js';

/** One task's instance of a keyed stateful operator; `inputs` are the columns of its inputs (an aggregate's: before the partial step). */
export function createStatefulOperator(op: JobGraphOperator, inputs: ColumnSchema[][], functions: FunctionRegistry, ctx: EvalContext): StatefulOperator {
  switch (op.type) {
    case 'aggregate': return createFinalAggregate(op, inputs[0]!);
    case 'join': return createJoin(op, [inputs[0]!, inputs[1]!], functions, ctx);
    case 'top-n': return createTopN(op, inputs[0]!);
    default: throw new Error(`${op.type} is not a stateful operator`);
  }
}

/**
 * What the task before a keyed operator runs last, and what the exchange then hashes on:
 * for a two-phase aggregate its partial step (whose rows start with the keys), else
 * nothing, hashing the edge's key columns.
 */
export function exchangeStep(to: JobGraphOperator, input: ColumnSchema[], keyColumns: number[]):
  { step: ((batch: RecordBatch) => RecordBatch) | null; keys: number[]; columns: ColumnSchema[] } {
  if (to.type === 'aggregate' && to.params!.twoPhase === true) {
    const keys = (to.params!.keys as number[]).map((_, i) => i);
    return { step: compilePartialAggregate(to, input), keys, columns: partialAggregateColumns(to, input) };
  }
  return { step: null, keys: keyColumns, columns: input };
}

/**
 * The step a keyed operator's task runs on what it receives before the operator: the
 * partial step of an aggregate that is not two-phase (an aggregate over an updating
 * result takes its rows as they are).
 */
export function receiveStep(op: JobGraphOperator, input: ColumnSchema[]): ((batch: RecordBatch) => RecordBatch) | null {
  const partial = op.type === 'aggregate' && op.params!.twoPhase !== true && !op.params!.replacing;
  return partial ? compilePartialAggregate(op, input) : null;
}
