import type { Statement } from '../../sql/ast.js';
import type { SqlType } from '../../types/sql-type.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';
import { planAlterDataflow } from './alter-dataflow.js';
import { planCopyTo } from './copy.js';
import { planCreateStream } from './create-stream.js';
import { planDrop } from './drop.js';
import { planCreateDataflow } from './create-dataflow.js';
import { planFlush } from './flush.js';
import { planExplain } from './explain.js';
import { planInsert } from './insert.js';
import { planShowObjects } from './show-objects.js';
import { planDiscard } from './discard.js';
import { planQuery } from './query.js';
import { planReset } from './reset.js';
import { planSet } from './set.js';
import { planShow } from './show.js';
import { planTransaction } from './transaction.js';
import { planUnsupported } from './unsupported.js';

/** Plans a statement with the handler for its kind. */
export function planStatement(statement: Statement, session: SessionContext, paramTypes: readonly (SqlType | undefined)[], source: string): StatementPlan {
  switch (statement.kind) {
    case 'query-statement': return planQuery(statement.query, session, paramTypes);
    case 'set': return planSet(statement, session);
    case 'show': return planShow(statement, session);
    case 'reset': return planReset(statement, session);
    case 'begin':
    case 'commit':
    case 'rollback': return planTransaction(statement, session);
    case 'discard': return planDiscard(statement, session);
    case 'copy-to': return planCopyTo(statement, session);
    case 'create-stream': return planCreateStream(statement, session);
    case 'drop': return planDrop(statement, session);
    case 'show-objects': return planShowObjects(statement, session);
    case 'create-dataflow': return planCreateDataflow(statement, session, source);
    case 'flush': return planFlush(session);
    case 'alter-dataflow': return planAlterDataflow(statement, session);
    case 'explain': return planExplain(statement, session);
    case 'insert': return planInsert(statement, session);
    case 'unsupported': return planUnsupported(statement);
  }
}
