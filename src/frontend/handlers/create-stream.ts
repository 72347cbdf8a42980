import { checkKafkaReachable } from '../../connectors/kafka/index.js';
import { checkConnectorOptions } from '../../connectors/connector-options.js';
import type { StreamSchemaJson } from '../../control/catalog/streams.js';
import { SabotError, SqlState } from '../../errors.js';
import type { CreateStreamStatement } from '../../sql/ast.js';
import { ExpressionBinder, ParameterTypes, resolveTypeName } from '../../sql/binder/expression-binder.js';
import type { SqlType } from '../../types/sql-type.js';
import type { SessionContext, StatementPlan } from '../statement-plan.js';

/** CREATE STREAM: checks the definition, then records it in the catalog. */
export function planCreateStream(s: CreateStreamStatement, session: SessionContext): StatementPlan {
  const options: Record<string, string> = {};
  for (const o of s.options) {
    if (o.name in options) throw new SabotError(SqlState.syntaxError, `option "${o.name}" given twice`, { position: o.pos + 1 });
    options[o.name] = o.value;
  }
  const connector = (options.connector ?? 'internal').toLowerCase();
  delete options.connector;
  const given = checkConnectorOptions(connector, options);
  let columns: { name: string; type: SqlType; nullable: boolean }[];
  if (given) {
    if (s.columns.length > 0) {
      throw new SabotError(SqlState.syntaxError, `a ${connector} stream brings its own columns; leave out the column list`,
        { position: s.columns[0]!.pos + 1 });
    }
    columns = given.map((c) => ({ ...c, nullable: true }));
  } else {
    if (s.columns.length === 0) {
      throw new SabotError(SqlState.syntaxError, `stream "${s.name}" needs a column list`, { position: s.pos + 1 });
    }
    const seen = new Set<string>();
    columns = s.columns.map((c) => {
      if (seen.has(c.name)) throw new SabotError('42701', `column "${c.name}" specified more than once`, { position: c.pos + 1 });
      seen.add(c.name);
      return { name: c.name, type: resolveTypeName(c.type), nullable: !c.notNull };
    });
  }
  let watermark: StreamSchemaJson['watermark'] = null;
  if (s.watermark) {
    const w = s.watermark;
    const column = columns.find((c) => c.name === w.column);
    if (!column) throw new SabotError(SqlState.undefinedColumn, `column "${w.column}" does not exist`, { position: w.pos + 1 });
    if (column.type.kind !== 'timestamp' && column.type.kind !== 'timestamptz') {
      throw new SabotError(SqlState.datatypeMismatch, `watermark column "${w.column}" must be a timestamp, not ${column.type.name}`,
        { position: w.pos + 1 });
    }
    const scope = {
      resolve: (ref: { table: string | null; name: string }) => {
        const i = columns.findIndex((c) => c.name === ref.name && (ref.table === null || ref.table === s.name));
        return i < 0 ? undefined : { kind: 'column' as const, type: columns[i]!.type, index: i, name: columns[i]!.name };
      },
    };
    const bound = new ExpressionBinder(session.functions, new ParameterTypes(), scope, () => session.settings.format).bind(w.expr);
    if (bound.type.kind !== column.type.kind) {
      throw new SabotError(SqlState.datatypeMismatch, `watermark expression must be of type ${column.type.name}, not ${bound.type.name}`,
        { position: w.expr.pos + 1 });
    }
    watermark = { column: w.column, expression: w.text };
  }
  const schema: StreamSchemaJson = {
    columns: columns.map((c) => ({ name: c.name, type: c.type.name, nullable: c.nullable })),
    watermark,
  };
  return {
    parameterTypes: [],
    columns: null,
    execute: async (_params, ctx) => {
      if (session.streams.result(s.name)) {
        throw new SabotError(SqlState.duplicateTable, `relation "${s.name}" already exists`,
          { position: s.pos + 1, detail: `Dataflow ${s.name} keeps its result under that name.` });
      }
      // A broker that does not answer is an error now, naming its address, not a dataflow stuck later.
      if (connector === 'kafka') await checkKafkaReachable(options);
      const created = await session.catalog.insert('streams', {
        name: s.name, connector, schema_json: JSON.stringify(schema), options_json: JSON.stringify(options),
        created_at: ctx.statementStart,
      });
      if (!created) {
        if (!s.ifNotExists) throw new SabotError(SqlState.duplicateTable, `stream "${s.name}" already exists`, { position: s.pos + 1 });
        session.notice(new SabotError(SqlState.duplicateTable, `stream "${s.name}" already exists, skipping`, { severity: 'NOTICE' }));
      } else {
        session.streams.add({ name: s.name, connector, options, columns, watermark });
      }
      return { kind: 'command', tag: 'CREATE STREAM' };
    },
  };
}
