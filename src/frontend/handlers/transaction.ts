import { SabotError, SqlState } from '../../errors.js';
import type { BeginStatement, CommitStatement, RollbackStatement } from '../../sql/ast.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';

/**
 * BEGIN, COMMIT and ROLLBACK. Sabot's catalog changes are durable as each statement
 * completes; a transaction block groups statements for the client and scopes session
 * settings (SET inside a block that rolls back is undone, SET LOCAL ends with it).
 */
export function planTransaction(s: BeginStatement | CommitStatement | RollbackStatement, session: SessionContext): StatementPlan {
  const tx = session.transaction;
  switch (s.kind) {
    case 'begin':
      return {
        parameterTypes: [],
        columns: null,
        execute: () => {
          if (tx.state !== 'idle') {
            session.notice(new SabotError(SqlState.activeSqlTransaction, 'there is already a transaction in progress', { severity: 'WARNING' }));
            return { kind: 'command', tag: 'BEGIN' };
          }
          tx.begin();
          if (s.isolationLevel !== null) tx.setLocal('transaction_isolation', s.isolationLevel);
          if (s.readOnly !== null) tx.setLocal('transaction_read_only', s.readOnly ? 'on' : 'off');
          return { kind: 'command', tag: 'BEGIN' };
        },
      };
    case 'commit':
      return {
        parameterTypes: [],
        columns: null,
        endsTransaction: true,
        execute: () => {
          if (tx.state === 'idle') {
            session.notice(new SabotError(SqlState.noActiveSqlTransaction, 'there is no transaction in progress', { severity: 'WARNING' }));
            return { kind: 'command', tag: 'COMMIT' };
          }
          return { kind: 'command', tag: tx.commit() ? 'COMMIT' : 'ROLLBACK' };
        },
      };
    case 'rollback':
      return {
        parameterTypes: [],
        columns: null,
        endsTransaction: true,
        execute: () => {
          if (tx.state === 'idle') {
            session.notice(new SabotError(SqlState.noActiveSqlTransaction, 'there is no transaction in progress', { severity: 'WARNING' }));
          } else {
            tx.rollback();
          }
          return { kind: 'command', tag: 'ROLLBACK' };
        },
      };
  }
}
