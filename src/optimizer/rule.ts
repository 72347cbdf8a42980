import type { LogicalPlan } from '../plan/logical-plan.js';

/**
 * One rewrite of the logical plan. `apply` returns a new plan that gives the same rows
 * (leaving the input plan as it was), or the very same plan object when it has nothing
 * to rewrite: that is how the optimizer knows it is done.
 */
export interface Rule {
  name: string;
  apply(plan: LogicalPlan): LogicalPlan;
}
