import { catalogTable } from '../../control/catalog/schema.js';
import { SabotError, SqlState } from '../../errors.js';
import type { AlterDataflowStatement, CreateDataflowStatement, FlushStatement } from '../../sql/ast.js';

const names: Record<string, string> = {
  'create-dataflow': 'CREATE DATAFLOW',
  'alter-dataflow': 'ALTER DATAFLOW',
  flush: 'FLUSH',
};

/**
 * Statements of Sabot's language that parse and whose engine part is still being built
 * (the dataflow runtime and planner): they say so with 0A000 rather than pretend.
 */
export function planNotYetAvailable(s: CreateDataflowStatement | AlterDataflowStatement | FlushStatement): never {
  const target = s.kind === 'create-dataflow' ? s.sink?.name : undefined;
  if (target !== undefined && catalogTable(target)?.system) {
    throw new SabotError(SqlState.insufficientPrivilege, `permission denied: sabot.${target} is a system table`,
      { position: s.pos + 1, hint: 'System tables are read-only; the control plane writes them.' });
  }
  throw new SabotError(SqlState.featureNotSupported, `${names[s.kind]} is not available in this version of Sabot yet`,
    { position: s.pos + 1, hint: 'Streams (CREATE, INSERT, SELECT), the catalog and system tables work; dataflows arrive with the runtime.' });
}
