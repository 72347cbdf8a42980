import { SabotError, SqlState } from '../../errors.js';
import { optimize } from '../../optimizer/index.js';
import { planJobGraph } from '../../optimizer/physical/index.js';
import type { JobGraph } from '../../plan/job-graph.js';
import type { LogicalPlan } from '../../plan/logical-plan.js';
import type { CreateDataflowStatement } from '../../sql/ast.js';
import { bindDataflow, stateTtlMicros } from '../../sql/binder/dataflow-binder.js';
import type { SessionContext } from '../statement-plan.js';

/** A CREATE DATAFLOW statement planned: the optimized logical plan and its job graph (what CREATE submits and EXPLAIN shows). */
export function planDataflow(s: CreateDataflowStatement, session: SessionContext): { plan: LogicalPlan; graph: JobGraph } {
  const parallelism = Number(s.options.find((o) => o.name === 'parallelism')?.value ?? 1);
  if (!(Number.isInteger(parallelism) && parallelism >= 1)) {
    throw new SabotError(SqlState.invalidParameterValue, 'parallelism must be a positive integer', { position: s.pos + 1 });
  }
  const ttl = s.options.find((o) => o.name === 'state_ttl');
  const stateTtl = stateTtlMicros(ttl?.value, ttl?.pos ?? s.pos);
  const plan = optimize(bindDataflow(s, { streams: session.streams.all(), functions: session.functions, format: session.settings.format, stateTtl }));
  return { plan, graph: planJobGraph(plan, { parallelism }) };
}
