import { SabotError, SqlState } from '../../errors.js';
import type { AlterDataflowStatement } from '../../sql/ast.js';

/**
 * ALTER DATAFLOW parses, but rescaling, pausing and resuming need the agent to stop and
 * restore state at a checkpoint, which it cannot do yet: 0A000 rather than pretend.
 */
export function planAlterDataflow(s: AlterDataflowStatement): never {
  throw new SabotError(SqlState.featureNotSupported, 'ALTER DATAFLOW is not available in this version of Sabot yet',
    { position: s.pos + 1, hint: 'Rescaling, pausing and resuming come with checkpoints; DROP and CREATE the dataflow meanwhile.' });
}
