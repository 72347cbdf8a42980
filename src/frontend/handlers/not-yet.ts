import { SabotError, SqlState } from '../../errors.js';
import type { AlterDataflowStatement } from '../../sql/ast.js';

const names: Record<string, string> = {
  'alter-dataflow': 'ALTER DATAFLOW',
};

/**
 * Statements of Sabot's language that parse and whose engine part is still being built
 * (the dataflow runtime and planner): they say so with 0A000 rather than pretend.
 */
export function planNotYetAvailable(s: AlterDataflowStatement): never {
  throw new SabotError(SqlState.featureNotSupported, `${names[s.kind]} is not available in this version of Sabot yet`,
    { position: s.pos + 1, hint: 'Rescaling, pausing and resuming come with checkpoints; DROP and CREATE the dataflow meanwhile.' });
}
