import { catalogTable } from '../../control/catalog/schema.js';
import { SabotError, SqlState } from '../../errors.js';
import { castValue } from '../../functions/cast.js';
import { batchFromRows } from '../../runtime/rows.js';
import type { InsertStatement } from '../../sql/ast.js';
import { assignmentCastAllowed } from '../../sql/binder/coercion.js';
import { isTextual, type SqlType } from '../../types/sql-type.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';
import { planQuery } from './query.js';

/**
 * Assignment casts, and also text into any column: the literals of VALUES arrive typed
 * text, where Postgres would still have them untyped and read them with the column's type.
 */
function assignable(from: SqlType, to: SqlType): boolean {
  return assignmentCastAllowed(from, to) || isTextual(from);
}

/**
 * INSERT INTO stream [(cols)] VALUES ... | SELECT ...: appends the rows to an internal
 * stream's log, durably, in one batch. Columns not named get NULL.
 */
export function planInsert(s: InsertStatement, session: SessionContext): StatementPlan {
  const name = s.target.replace(/^public\./, '');
  if (catalogTable(name.replace(/^sabot\./, ''))?.system && !session.streams.get(name)) {
    throw new SabotError(SqlState.insufficientPrivilege, `permission denied: sabot.${name.replace(/^sabot\./, '')} is a system table`,
      { position: s.pos + 1, hint: 'System tables are read-only; the control plane writes them.' });
  }
  const stream = session.streams.get(name);
  if (!stream) throw new SabotError(SqlState.undefinedTable, `relation "${s.target}" does not exist`, { position: s.pos + 1 });
  if (stream.connector !== 'internal') {
    throw new SabotError('42809', `cannot insert into stream "${name}": its rows come from the ${stream.connector} connector`,
      { position: s.pos + 1 });
  }
  const targets = s.columns.length === 0 ? stream.columns.map((_, i) => i) : s.columns.map((c) => {
    const i = stream.columns.findIndex((x) => x.name === c);
    if (i < 0) throw new SabotError(SqlState.undefinedColumn, `column "${c}" of relation "${name}" does not exist`, { position: s.pos + 1 });
    return i;
  });
  if (new Set(targets).size !== targets.length) {
    throw new SabotError('42701', 'column specified more than once', { position: s.pos + 1 });
  }
  const source = planQuery(s.source, session, []);
  const produced = source.columns!;
  if (produced.length !== targets.length) {
    throw new SabotError(SqlState.syntaxError, produced.length > targets.length
      ? 'INSERT has more expressions than target columns' : 'INSERT has more target columns than expressions', { position: s.pos + 1 });
  }
  produced.forEach((c, i) => {
    const target = stream.columns[targets[i]!]!;
    if (!assignable(c.type, target.type)) {
      throw new SabotError(SqlState.datatypeMismatch, `column "${target.name}" is of type ${target.type.name} but expression is of type ${c.type.name}`,
        { position: s.pos + 1, hint: 'You will need to rewrite or cast the expression.' });
    }
  });
  return {
    parameterTypes: source.parameterTypes,
    columns: null,
    execute: async (params, ctx) => {
      const result = await source.execute(params, ctx);
      if (result.kind !== 'rows') throw new Error('INSERT source produced no rows');
      const rows = result.rows.map((row) => {
        const out = new Array<unknown>(stream.columns.length).fill(null);
        targets.forEach((t, i) => { out[t] = castValue(row[i] ?? null, produced[i]!.type, stream.columns[t]!.type, ctx.format); });
        stream.columns.forEach((c, i) => {
          if (!c.nullable && out[i] === null) {
            throw new SabotError('23502', `null value in column "${c.name}" of relation "${name}" violates not-null constraint`);
          }
        });
        return out;
      });
      if (rows.length > 0) await (await session.internalStreams.log(stream)).append([batchFromRows(stream.columns, rows)]);
      return { kind: 'command', tag: `INSERT 0 ${rows.length}` };
    },
  };
}
