/** The top-n operator of a job graph: params (plan/logical-plan.ts, kind `top-n`) to a TopN, or a Dedup when it deduplicates an updating result. */
import type { JobGraphOperator } from '../../plan/job-graph.js';
import type { SortKey } from '../../plan/logical-plan.js';
import type { ColumnSchema } from '../arrow-types.js';
import { operatorColumns } from '../operator-chain.js';
import { Dedup } from './dedup.js';
import { TopN, type TopNSpec } from './top-n.js';

export { Dedup } from './dedup.js';
export { TopN, type TopNSpec } from './top-n.js';

export function createTopN(op: JobGraphOperator, input: ColumnSchema[]): TopN | Dedup {
  const p = op.params!;
  const spec: TopNSpec = {
    input, keys: p.keys as number[], order: p.order as SortKey[], limit: p.limit as number,
    rankColumn: p.rankColumn as boolean, windowEnd: p.windowEnd as number | null, columns: operatorColumns(op),
  };
  return spec.limit === 1 && spec.order.length <= 1 && spec.windowEnd === null ? new Dedup(spec) : new TopN(spec);
}
