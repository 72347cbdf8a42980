import { SabotError, SqlState } from '../../errors.js';
import type { ShowStatement } from '../../sql/ast.js';
import { Types } from '../../types/sql-type.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';

/** SHOW name | ALL. The column is named after the setting, as Postgres does. */
export function planShow(s: ShowStatement, session: SessionContext): StatementPlan {
  if (s.name === 'all') {
    return {
      parameterTypes: [],
      columns: [{ name: 'name', type: Types.text }, { name: 'setting', type: Types.text }, { name: 'description', type: Types.text }],
      execute: () => ({ kind: 'rows', rows: session.settings.all(), tag: 'SHOW', fixedTag: true }),
    };
  }
  const canonical = session.settings.all().find(([name]) => name.toLowerCase() === s.name)?.[0];
  if (canonical === undefined) {
    throw new SabotError(SqlState.undefinedObject, `unrecognized configuration parameter "${s.name}"`, { position: s.pos + 1 });
  }
  return {
    parameterTypes: [],
    columns: [{ name: canonical, type: Types.text }],
    execute: () => ({ kind: 'rows', rows: [[session.settings.get(s.name) ?? '']], tag: 'SHOW', fixedTag: true }),
  };
}
