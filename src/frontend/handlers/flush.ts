import type { SessionContext, StatementPlan } from '../statement-plan.js';

/** FLUSH: returns once everything appended before it has passed through every running dataflow. */
export function planFlush(session: SessionContext): StatementPlan {
  return {
    parameterTypes: [],
    columns: null,
    execute: async () => {
      await session.agent.flush();
      return { kind: 'command', tag: 'FLUSH' };
    },
  };
}
