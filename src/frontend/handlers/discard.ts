import { SabotError, SqlState } from '../../errors.js';
import type { DiscardStatement } from '../../sql/ast.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';

/** DISCARD ALL resets the session: settings to defaults, prepared statements gone. */
export function planDiscard(s: DiscardStatement, session: SessionContext): StatementPlan {
  return {
    parameterTypes: [],
    columns: null,
    execute: () => {
      if (s.target === 'all') {
        if (session.transaction.state !== 'idle') {
          throw new SabotError(SqlState.activeSqlTransaction, 'DISCARD ALL cannot run inside a transaction block');
        }
        session.discardAll();
      }
      // Sabot has no cached plans to drop, no sequences and no temporary objects.
      return { kind: 'command', tag: `DISCARD ${s.target.toUpperCase()}` };
    },
  };
}
