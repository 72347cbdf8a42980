/** The join operator of a job graph: params (plan/logical-plan.ts, kind `join`) to a StreamingJoin. */
import type { EvalContext, FunctionRegistry } from '../../functions/scalar-function.js';
import { expressionFromJson, type ExpressionJson } from '../../plan/expression-json.js';
import type { JobGraphOperator } from '../../plan/job-graph.js';
import type { JoinBound } from '../../plan/logical-plan.js';
import type { ColumnSchema } from '../arrow-types.js';
import { operatorColumns } from '../operator-chain.js';
import { StreamingJoin } from './streaming-join.js';

export { StreamingJoin, type JoinSpec } from './streaming-join.js';

export function createJoin(op: JobGraphOperator, inputs: [ColumnSchema[], ColumnSchema[]], functions: FunctionRegistry,
  ctx: EvalContext): StreamingJoin {
  const p = op.params!;
  const condition = p.condition as ExpressionJson | null;
  return new StreamingJoin({
    type: p.joinType as 'inner' | 'left',
    inputs,
    keys: [p.leftKeys as number[], p.rightKeys as number[]],
    condition: condition === null ? null : expressionFromJson(condition, functions),
    bound: p.bound as JoinBound,
    columns: operatorColumns(op),
  }, ctx);
}
