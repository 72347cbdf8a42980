import type { ResetStatement } from '../../sql/ast.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';

/** RESET name | ALL. */
export function planReset(s: ResetStatement, session: SessionContext): StatementPlan {
  return {
    parameterTypes: [],
    columns: null,
    execute: () => {
      if (s.name === 'all') session.settings.resetAll();
      else session.settings.reset(s.name);
      return { kind: 'command', tag: 'RESET' };
    },
  };
}
