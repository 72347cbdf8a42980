import { SabotError, SqlState } from '../../errors.js';
import type { SetStatement } from '../../sql/ast.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';

/** SET [SESSION | LOCAL] name TO value | DEFAULT. */
export function planSet(s: SetStatement, session: SessionContext): StatementPlan {
  return {
    parameterTypes: [],
    columns: null,
    execute: () => {
      if (s.local && session.transaction.state === 'idle') {
        session.notice(new SabotError(SqlState.noActiveSqlTransaction,
          'SET LOCAL can only be used in transaction blocks', { severity: 'WARNING' }));
        return { kind: 'command', tag: 'SET' };
      }
      if (s.values === null) {
        if (s.local) session.transaction.setLocal(s.name, session.settings.defaultValue(s.name));
        else session.settings.reset(s.name);
      } else {
        const value = s.values.join(', ');
        if (s.local) session.transaction.setLocal(s.name, value);
        else session.settings.set(s.name, value);
      }
      return { kind: 'command', tag: 'SET' };
    },
  };
}
