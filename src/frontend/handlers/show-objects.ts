import type { CatalogTableName } from '../../control/catalog/schema.js';
import { catalogTable } from '../../control/catalog/schema.js';
import type { ShowObjectsStatement } from '../../sql/ast.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';

/** The columns each SHOW prints: the same rows as the system table, in short form. */
const shortForm: Record<ShowObjectsStatement['object'], [CatalogTableName, string[]]> = {
  streams: ['streams', ['name', 'connector', 'created_at']],
  dataflows: ['dataflows', ['name', 'sink', 'job_id', 'created_at']],
  jobs: ['jobs', ['job_id', 'job_name', 'status', 'default_parallelism', 'submitted_at']],
  agents: ['agents', ['agent_id', 'host', 'port', 'status', 'available_slots', 'max_workers', 'last_heartbeat']],
};

/** SHOW STREAMS | DATAFLOWS | JOBS | AGENTS. */
export function planShowObjects(s: ShowObjectsStatement, session: SessionContext): StatementPlan {
  const [table, names] = shortForm[s.object];
  const columns = names.map((name) => ({ name, type: catalogTable(table)!.columns.find((c) => c.name === name)!.type }));
  return {
    parameterTypes: [],
    columns,
    execute: async () => {
      const rows = await session.catalog.select(table);
      return { kind: 'rows', rows: rows.map((r) => names.map((n) => r[n] ?? null)), tag: 'SELECT' };
    },
  };
}
