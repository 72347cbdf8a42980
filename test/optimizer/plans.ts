import type { StreamDefinition } from '../../src/control/catalog/streams.js';
import { builtinFunctions } from '../../src/functions/builtins.js';
import type { Rule } from '../../src/optimizer/rule.js';
import { explainLogical, type LogicalPlan } from '../../src/plan/logical-plan.js';
import type { ColumnSchema } from '../../src/runtime/arrow-types.js';
import type { CreateDataflowStatement } from '../../src/sql/ast.js';
import { bindDataflow } from '../../src/sql/binder/dataflow-binder.js';
import { parseScriptUncached } from '../../src/sql/parser.js';
import { Types } from '../../src/types/sql-type.js';
import { DEFAULT_FORMAT_SETTINGS } from '../../src/types/text-format.js';

const column = (name: string, type: ColumnSchema['type']): ColumnSchema => ({ name, type, nullable: true });
const stream = (name: string, columns: ColumnSchema[]): [string, StreamDefinition] =>
  [name, { name, connector: 'internal', options: {}, watermark: null, columns }];

/** The streams the optimizer tests plan dataflows over. */
const streams = new Map<string, StreamDefinition>([
  stream('orders', [column('id', Types.int8), column('status', Types.text), column('amount', Types.float8)]),
  stream('pending', [column('id', Types.int8), column('amount', Types.float8)]),
  stream('counts', [column('n', Types.int4)]),
  stream('events', [column('payload', Types.text), column('at', Types.timestamp), column('flag', Types.bool), column('n', Types.int4)]),
]);

const functions = builtinFunctions();

/** The logical plan the binder makes of a CREATE DATAFLOW statement. */
export function plan(sql: string): LogicalPlan {
  const statement = parseScriptUncached(sql)[0]!.statement as CreateDataflowStatement;
  return bindDataflow(statement, { streams, functions, format: DEFAULT_FORMAT_SETTINGS });
}

/** EXPLAIN LOGICAL of the dataflow's plan before and after the rule, checking that the rule left its input as it was. */
export function beforeAfter(rule: Rule, sql: string): { before: string[]; after: string[] } {
  const p = plan(sql);
  const before = explainLogical(p);
  const after = explainLogical(rule.apply(p));
  if (explainLogical(p).join('\n') !== before.join('\n')) throw new Error(`${rule.name} changed its input plan`);
  return { before, after };
}
