import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinFunctions } from '../../src/functions/builtins.js';
import { optimize } from '../../src/optimizer/index.js';
import { pushDownPredicates } from '../../src/optimizer/push-down-predicates.js';
import type { BoundExpression } from '../../src/plan/expression.js';
import { explainLogical, type AggregateCall, type LogicalOperator, type LogicalPlan } from '../../src/plan/logical-plan.js';
import type { ColumnSchema } from '../../src/runtime/arrow-types.js';
import type { QueryStatement } from '../../src/sql/ast.js';
import { ExpressionBinder, ParameterTypes } from '../../src/sql/binder/expression-binder.js';
import { parseScriptUncached } from '../../src/sql/parser.js';
import { Types } from '../../src/types/sql-type.js';
import { DEFAULT_FORMAT_SETTINGS } from '../../src/types/text-format.js';
import { plan } from './plans.js';

const functions = builtinFunctions();
const column = (name: string, type: ColumnSchema['type']): ColumnSchema => ({ name, type, nullable: true });
const ORDERS = [column('id', Types.int8), column('status', Types.text), column('amount', Types.float8), column('at', Types.timestamp)];
const CUSTOMERS = [column('cid', Types.int8), column('country', Types.text)];

/** An SQL expression bound over columns by name. */
function bound(sql: string, columns: readonly ColumnSchema[]): BoundExpression {
  const query = (parseScriptUncached(`SELECT ${sql}`)[0]!.statement as QueryStatement).query;
  const item = query.body.kind === 'select' ? query.body.items[0]! : null;
  assert.equal(item?.kind, 'item');
  const binder = new ExpressionBinder(functions, new ParameterTypes(), {
    resolve: (ref) => {
      const index = columns.findIndex((c) => c.name === ref.name);
      return index < 0 ? undefined : { kind: 'column', type: columns[index]!.type, index, name: ref.name };
    },
  }, () => DEFAULT_FORMAT_SETTINGS);
  return binder.settle(binder.bind(item.kind === 'item' ? item.expr : assert.fail()));
}

/** Builds a plan bottom up; each method adds an operator and returns it. */
class PlanBuilder {
  readonly operators: LogicalOperator[] = [];

  private add<T extends LogicalOperator>(op: T): T {
    this.operators.push(op);
    return op;
  }

  private id(kind: string): string {
    return `${kind}_${this.operators.length}`;
  }

  source(stream: string, columns: ColumnSchema[]) {
    return this.add({ kind: 'source', id: this.id('source'), stream, connector: 'internal', options: {}, columns });
  }

  filter(input: LogicalOperator, sql: string) {
    return this.add({ kind: 'filter', id: this.id('filter'), input: input.id, predicate: bound(sql, input.columns), columns: input.columns });
  }

  project(input: LogicalOperator, items: [sql: string, name: string][]) {
    const exprs = items.map(([sql]) => bound(sql, input.columns));
    const columns = items.map(([, name], i) => column(name, exprs[i]!.type));
    return this.add({ kind: 'project', id: this.id('project'), input: input.id, exprs, columns });
  }

  flatMap(input: LogicalOperator, items: [sql: string, name: string][], setItem: number) {
    const exprs = items.map(([sql]) => bound(sql, input.columns));
    const columns = items.map(([, name], i) => column(name, exprs[i]!.type));
    return this.add({ kind: 'flat-map', id: this.id('flatmap'), input: input.id, exprs, setItem, columns });
  }

  union(...inputs: LogicalOperator[]) {
    return this.add({ kind: 'union', id: this.id('union'), inputs: inputs.map((i) => i.id), columns: inputs[0]!.columns });
  }

  tumble(input: LogicalOperator, time: string, seconds: number) {
    const window = { kind: 'tumble' as const, time: input.columns.findIndex((c) => c.name === time), size: seconds * 1_000_000 };
    const columns = [...input.columns, column('window_start', Types.timestamp), column('window_end', Types.timestamp)];
    return this.add({ kind: 'window', id: this.id('window'), input: input.id, window, columns });
  }

  join(type: 'inner' | 'left', left: LogicalOperator, right: LogicalOperator, leftKey: string, rightKey: string) {
    return this.add({
      kind: 'join', id: this.id('join'), left: left.id, right: right.id, type,
      leftKeys: [left.columns.findIndex((c) => c.name === leftKey)], rightKeys: [right.columns.findIndex((c) => c.name === rightKey)],
      condition: null, bound: { kind: 'regular', ttl: null }, columns: [...left.columns, ...right.columns],
    });
  }

  /** GROUP BY `keys`, tumbling windows of `seconds` over `time`, sum(`summed`). */
  windowedSum(input: LogicalOperator, keys: string[], time: string, seconds: number, summed: string) {
    const at = (name: string) => input.columns.findIndex((c) => c.name === name);
    const sum: AggregateCall = { fn: 'sum', arg: at(summed), distinct: false, filter: null, type: Types.float8 };
    const columns = [...keys.map((k) => input.columns[at(k)]!), column('window_start', Types.timestamp), column('window_end', Types.timestamp),
      column('total', Types.float8)];
    return this.add({
      kind: 'aggregate', id: this.id('aggregate'), input: input.id, keys: keys.map(at),
      window: { kind: 'tumble', time: at(time), size: seconds * 1_000_000 }, closeAt: null, replacing: null, aggregates: [sum], columns,
    });
  }

  /** A user function of the TypeScript API, keeping the input's columns. */
  userMap(input: LogicalOperator) {
    const fn = { module: 'file:///app.js', dataflow: 'd', index: 0 };
    return this.add({ kind: 'map', id: this.id('map'), input: input.id, mode: 'map', fn, columns: input.columns });
  }

  topN(input: LogicalOperator, key: string, order: string, limit: number) {
    const at = (name: string) => input.columns.findIndex((c) => c.name === name);
    return this.add({
      kind: 'top-n', id: this.id('topn'), input: input.id, keys: [at(key)], order: [{ column: at(order), descending: true, nullsFirst: true }],
      limit, rankColumn: false, windowEnd: null, columns: input.columns,
    });
  }

  result(input: LogicalOperator): LogicalPlan {
    this.add({ kind: 'sink', id: this.id('sink'), input: input.id, stream: null, upsertKeys: null, columns: input.columns });
    return { name: 'd', operators: this.operators };
  }
}

/** EXPLAIN LOGICAL after the rule, checking that the rule left its input as it was and that a second run has nothing to do. */
function pushed(plan: LogicalPlan): string[] {
  const before = explainLogical(plan).join('\n');
  const after = pushDownPredicates.apply(plan);
  assert.equal(explainLogical(plan).join('\n'), before, 'the rule changed its input plan');
  assert.equal(pushDownPredicates.apply(after), after, 'a second run changed the plan');
  return explainLogical(after);
}

test('below a projection, with its expressions in place of the columns, then merged into the filter there', () => {
  const b = new PlanBuilder();
  const orders = b.filter(b.source('orders', ORDERS), "status = 'paid'");
  const project = b.project(orders, [['id', 'id'], ['amount * 2', 'doubled']]);
  const p = b.result(b.filter(project, 'doubled > 10 AND id <> 7'));
  assert.deepEqual(pushed(p), [
    'Result [id bigint, doubled double precision]',
    '  Project id AS id, (amount * 2) AS doubled',
    "    Filter ((status = 'paid') AND ((amount * 2) > 10) AND (id <> 7))",
    '      Source orders (internal) [id bigint, status text, amount double precision, at timestamp without time zone]',
  ]);
});

test('not below a projection for a conjunct reading a volatile or stable expression of it; the other conjuncts move', () => {
  const b = new PlanBuilder();
  const project = b.project(b.source('orders', ORDERS), [
    ['id', 'id'], ['clock_timestamp()', 'seen'], ["CAST(at AS timestamptz)", 'at_tz'], ["CAST(at AS text)", 'at_text'],
  ]);
  const p = b.result(b.filter(project, "seen IS NOT NULL AND at_tz IS NOT NULL AND id > 3 AND at_text <> ''"));
  assert.deepEqual(pushed(p), [
    'Result [id bigint, seen timestamp with time zone, at_tz timestamp with time zone, at_text text]',
    '  Filter ((seen IS NOT NULL) AND (at_tz IS NOT NULL) AND (at_text <> \'\'))',
    '    Project id AS id, clock_timestamp() AS seen, CAST(at AS timestamp with time zone) AS at_tz, CAST(at AS text) AS at_text',
    '      Filter (id > 3)',
    '        Source orders (internal) [id bigint, status text, amount double precision, at timestamp without time zone]',
  ]);
});

test('into every branch of a union, reading each branch\'s columns', () => {
  const b = new PlanBuilder();
  const paid = b.project(b.source('orders', ORDERS), [['id', 'order_id']]);
  const customers = b.project(b.source('customers', CUSTOMERS), [['cid', 'customer_id']]);
  const p = b.result(b.filter(b.union(paid, customers), 'order_id > 100'));
  assert.deepEqual(pushed(p), [
    'Result [order_id bigint]',
    '  UnionAll',
    '    Project id AS order_id',
    '      Filter (id > 100)',
    '        Source orders (internal) [id bigint, status text, amount double precision, at timestamp without time zone]',
    '    Project cid AS customer_id',
    '      Filter (cid > 100)',
    '        Source customers (internal) [cid bigint, country text]',
  ]);
});

test('below a window assigner unless it reads window_start or window_end', () => {
  const b = new PlanBuilder();
  const windowed = b.tumble(b.source('orders', ORDERS), 'at', 60);
  const p = b.result(b.filter(windowed, "amount > 5 AND window_end > at AND status = 'paid'"));
  assert.deepEqual(pushed(p), [
    'Result [id bigint, status text, amount double precision, at timestamp without time zone, window_start timestamp without time zone, window_end timestamp without time zone]',
    '  Filter (window_end > at)',
    '    Window Tumble(at, 60s)',
    "      Filter ((amount > 5) AND (status = 'paid'))",
    '        Source orders (internal) [id bigint, status text, amount double precision, at timestamp without time zone]',
  ]);
});

test('into either side of an inner join, the right side renumbered; a conjunct reading both sides stays', () => {
  const b = new PlanBuilder();
  const join = b.join('inner', b.source('orders', ORDERS), b.source('customers', CUSTOMERS), 'id', 'cid');
  const p = b.result(b.filter(join, "country = 'NL' AND amount > 5 AND (status = country OR cid > id)"));
  const after = pushDownPredicates.apply(p);
  assert.deepEqual(explainLogical(after).slice(1), [
    "  Filter ((status = country) OR (cid > id))",
    '    Join on [id = cid] unbounded state',
    '      Filter (amount > 5)',
    '        Source orders (internal) [id bigint, status text, amount double precision, at timestamp without time zone]',
    "      Filter (country = 'NL')",
    '        Source customers (internal) [cid bigint, country text]',
  ]);
  // The right side's filter reads country where the right input has it, not where the join output does.
  const rightFilter = after.operators.find((op) => op.kind === 'filter' && op.input === 'source_1');
  assert.equal(rightFilter?.kind === 'filter' && rightFilter.predicate.kind === 'call' && rightFilter.predicate.args[0]!.kind === 'column'
    ? rightFilter.predicate.args[0]!.index : null, 1);
  // The plan stays in topological order: every operator after its inputs.
  const seen = new Set<string>();
  for (const op of after.operators) {
    const inputs = op.kind === 'join' ? [op.left, op.right] : 'input' in op ? [op.input] : [];
    for (const input of inputs) assert.ok(seen.has(input), `${op.id} before its input ${input}`);
    seen.add(op.id);
  }
});

test('into the left side of a LEFT join only: filtering its right side would change which rows are NULL-padded', () => {
  const b = new PlanBuilder();
  const join = b.join('left', b.source('orders', ORDERS), b.source('customers', CUSTOMERS), 'id', 'cid');
  const p = b.result(b.filter(join, "country = 'NL' AND amount > 5"));
  assert.deepEqual(pushed(p).slice(1), [
    "  Filter (country = 'NL')",
    '    LeftJoin on [id = cid] unbounded state',
    '      Filter (amount > 5)',
    '        Source orders (internal) [id bigint, status text, amount double precision, at timestamp without time zone]',
    '      Source customers (internal) [cid bigint, country text]',
  ]);
});

test('below an aggregate for conjuncts on group keys only, read from the aggregate\'s input', () => {
  const b = new PlanBuilder();
  const orders = b.project(b.source('orders', ORDERS), [['amount', 'amount'], ['at', 'at'], ['status', 'status']]);
  const totals = b.windowedSum(orders, ['status'], 'at', 60, 'amount');
  const p = b.result(b.filter(totals, "status <> 'void' AND total > 100 AND window_start IS NOT NULL"));
  assert.deepEqual(pushed(p), [
    'Result [status text, window_start timestamp without time zone, window_end timestamp without time zone, total double precision]',
    '  Filter ((total > 100) AND (window_start IS NOT NULL))',
    '    Aggregate keys [status] Tumble(at, 60s) aggregates [sum(amount)]',
    '      Project amount AS amount, at AS at, status AS status',
    "        Filter (status <> 'void')",
    '          Source orders (internal) [id bigint, status text, amount double precision, at timestamp without time zone]',
  ]);
});

test('never below a top-n, a flat map, a user function or a source', () => {
  const b = new PlanBuilder();
  const top = b.topN(b.source('orders', ORDERS), 'status', 'amount', 3);
  const topFiltered = b.result(b.filter(top, 'amount > 5'));
  assert.equal(pushDownPredicates.apply(topFiltered), topFiltered, 'top-n: a row dropped below it lets another into the first 3');

  const f = new PlanBuilder();
  const series = f.flatMap(f.source('counts', [column('n', Types.int4)]), [['n', 'n'], ['generate_series(1, n)', 'i']], 1);
  const flatFiltered = f.result(f.filter(series, 'n > 2'));
  assert.equal(pushDownPredicates.apply(flatFiltered), flatFiltered, 'flat map');

  const m = new PlanBuilder();
  const mapFiltered = m.result(m.filter(m.userMap(m.source('orders', ORDERS)), 'amount > 5'));
  assert.equal(pushDownPredicates.apply(mapFiltered), mapFiltered, 'user function: the rule cannot tell which rows it keeps or how it changes them');

  const s = new PlanBuilder();
  const sourceFiltered = s.result(s.filter(s.source('orders', ORDERS), 'amount > 5'));
  assert.equal(pushDownPredicates.apply(sourceFiltered), sourceFiltered, 'source');
});

test('not below an operator that other operators read too, and a volatile conjunct never moves', () => {
  const b = new PlanBuilder();
  const project = b.project(b.source('orders', ORDERS), [['id', 'id']]);
  const shared = b.result(b.union(b.filter(project, 'id > 1'), project));
  assert.equal(pushDownPredicates.apply(shared), shared, 'the union reads the projection unfiltered');

  const v = new PlanBuilder();
  const union = v.union(v.source('orders', ORDERS), v.source('more_orders', ORDERS));
  const volatile = v.result(v.filter(union, "at < clock_timestamp()"));
  assert.equal(pushDownPredicates.apply(volatile), volatile);
});

test('adjacent filters merge, the lower predicate first', () => {
  const b = new PlanBuilder();
  const p = b.result(b.filter(b.filter(b.source('orders', ORDERS), 'amount > 5'), "status = 'paid' AND id > 1"));
  assert.deepEqual(pushed(p), [
    'Result [id bigint, status text, amount double precision, at timestamp without time zone]',
    "  Filter ((amount > 5) AND (status = 'paid') AND (id > 1))",
    '    Source orders (internal) [id bigint, status text, amount double precision, at timestamp without time zone]',
  ]);
});

test('as far down as it can go, through several operators in one run', () => {
  const b = new PlanBuilder();
  const left = b.project(b.source('orders', ORDERS), [['id', 'id'], ['amount', 'amount'], ['at', 'at']]);
  const join = b.join('inner', left, b.source('customers', CUSTOMERS), 'id', 'cid');
  const windowed = b.tumble(join, 'at', 60);
  const p = b.result(b.filter(windowed, 'amount + 1 > 5'));
  assert.deepEqual(pushed(p).slice(1), [
    '  Window Tumble(at, 60s)',
    '    Join on [id = cid] unbounded state',
    '      Project id AS id, amount AS amount, at AS at',
    '        Filter ((amount + 1) > 5)',
    '          Source orders (internal) [id bigint, status text, amount double precision, at timestamp without time zone]',
    '      Source customers (internal) [cid bigint, country text]',
  ]);
});

test('SQL: the WHERE over a subquery joins the subquery\'s own, and the projections it stood between merge', () => {
  const p = plan("CREATE DATAFLOW d AS SELECT * FROM (SELECT id * 2 AS d, status FROM orders WHERE amount > 1) s WHERE d > 4 AND status = 'x'");
  assert.deepEqual(explainLogical(p).slice(2, 4), ["    Filter ((d > 4) AND (status = 'x'))", '      Project (id * 2) AS d, status AS status']);
  assert.deepEqual(explainLogical(optimize(p)), [
    'Result [d bigint, status text]',
    '  Project (id * 2) AS d, status AS status',
    "    Filter ((amount > 1) AND ((id * 2) > 4) AND (status = 'x'))",
    '      Source orders (internal) [id bigint, status text, amount double precision]',
  ]);
});

test('SQL: the WHERE over a join goes into each side; over a LEFT join, not into the right side', () => {
  const inner = plan("CREATE DATAFLOW d AS SELECT o.id, p.amount FROM orders o JOIN pending p ON o.id = p.id WHERE o.status = 'a' AND p.amount > 3");
  assert.deepEqual(pushed(inner).slice(1), [
    '  Project id AS id, amount AS amount',
    '    Join on [id = id] unbounded state',
    "      Filter (status = 'a')",
    '        Source orders (internal) [id bigint, status text, amount double precision]',
    '      Filter (amount > 3)',
    '        Source pending (internal) [id bigint, amount double precision]',
  ]);
  const left = plan('CREATE DATAFLOW d AS SELECT * FROM (SELECT o.id, p.amount FROM orders o LEFT JOIN pending p ON o.id = p.id) j WHERE id > 1 AND amount > 3');
  assert.deepEqual(pushed(left).slice(2), [
    '    Project id AS id, amount AS amount',
    '      Filter (amount > 3)',
    '        LeftJoin on [id = id] unbounded state',
    '          Filter (id > 1)',
    '            Source orders (internal) [id bigint, status text, amount double precision]',
    '          Source pending (internal) [id bigint, amount double precision]',
  ]);
});

test('SQL: HAVING and an outer WHERE on group keys go below the aggregate; on window_end or an aggregate they stay', () => {
  const having = plan("CREATE DATAFLOW d AS SELECT status, count(*) AS n FROM orders GROUP BY status HAVING status <> 'x' AND count(*) > 2");
  assert.deepEqual(pushed(having).slice(1), [
    '  Project status AS status, count AS n',
    '    Filter (count > 2)',
    '      Aggregate keys [status] aggregates [count(*)]',
    '        Project status AS status',
    "          Filter (status <> 'x')",
    '            Source orders (internal) [id bigint, status text, amount double precision]',
  ]);
  const windowed = plan("CREATE DATAFLOW d AS SELECT * FROM (SELECT payload, window_end, count(*) AS c FROM TUMBLE(events, at, INTERVAL '1' MINUTE) "
    + "GROUP BY payload, window_start, window_end) w WHERE payload <> 'x' AND window_end > TIMESTAMP '2024-01-01' AND c > 1");
  assert.deepEqual(pushed(windowed).slice(2), [
    '    Project payload AS payload, window_end AS window_end, count AS c',
    '      Filter ((window_end > 2024-01-01 00:00:00) AND (count > 1))',
    '        Aggregate keys [payload] Tumble(at, 60s) aggregates [count(*)]',
    '          Project payload AS payload, at AS at',
    "            Filter (payload <> 'x')",
    '              Source events (internal) [payload text, at timestamp without time zone, flag boolean, n integer]',
  ]);
});

test('SQL: the WHERE over a top-n subquery stays above the top-n', () => {
  const p = plan('CREATE DATAFLOW d AS SELECT * FROM (SELECT * FROM (SELECT id, status, ROW_NUMBER() OVER (PARTITION BY status ORDER BY amount DESC) AS rn '
    + 'FROM orders) WHERE rn <= 3) t WHERE id > 1');
  assert.deepEqual(pushed(p).slice(2), [
    '    Project id AS id, status AS status, rn AS rn',
    '      Filter (id > 1)',
    '        TopN 3 per [status] order by [amount DESC]',
    '          Project id AS id, status AS status, amount AS amount',
    '            Source orders (internal) [id bigint, status text, amount double precision]',
  ]);
});
