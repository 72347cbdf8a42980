import type { ColumnSchema } from '../runtime/arrow-types.js';
import type { SqlType } from '../types/sql-type.js';
import type { BoundExpression } from './expression.js';
import { expressionText, expressionToJson } from './expression-json.js';
import { JOB_GRAPH_VERSION, type JobGraph } from './job-graph.js';

/** Event-time windows; sizes in microseconds; `time` is the input column of event time. */
export type WindowSpec =
  | { kind: 'tumble'; time: number; size: number }
  | { kind: 'hop'; time: number; size: number; slide: number }
  | { kind: 'session'; time: number; gap: number };

export type AggregateFunction = 'count' | 'sum' | 'avg' | 'min' | 'max';

/** One aggregate of an Aggregate operator, over input columns by position. */
export interface AggregateCall {
  fn: AggregateFunction;
  /** The argument column; null for count(*). */
  arg: number | null;
  distinct: boolean;
  /** A boolean input column: only rows where it is true count (FILTER (WHERE ...)). */
  filter: number | null;
  /** The result type. */
  type: SqlType;
}

/**
 * What bounds a join's state:
 * - interval: a left row matches right rows with right.time in [left.time + lower, left.time + upper] (µs);
 * - window: both sides carry the same window (`leftEnd`/`rightEnd`: window_end columns), a row is dropped once the watermark passes its window's end;
 * - regular: no time bound; rows are kept `ttl` µs of event time past the watermark when set, else forever.
 */
export type JoinBound =
  | { kind: 'interval'; leftTime: number; rightTime: number; lower: number; upper: number }
  | { kind: 'window'; leftEnd: number; rightEnd: number }
  | { kind: 'regular'; ttl: number | null };

export interface SortKey {
  column: number;
  descending: boolean;
  nullsFirst: boolean;
}

/**
 * What a user function does with a batch: filter keeps the rows it marks true; map
 * returns a batch for it; flat-map returns any number of batches; records (app.agent)
 * runs an async generator per row, its values becoming rows of one JSONB column.
 */
export type UserFunctionMode = 'filter' | 'map' | 'flat-map' | 'records';

/**
 * Where an agent finds a user function: it imports `module` (a file: URL), which
 * registers its dataflows as it loads, re-runs the builder of `dataflow`, and takes the
 * `index`-th function the pipeline passes, in the order they are bound.
 */
export interface UserFunctionRef {
  module: string;
  dataflow: string;
  index: number;
}

/**
 * The logical operator DAG: the one description of a dataflow that SQL and the
 * TypeScript API both build, the optimizer rewrites, EXPLAIN prints and the job graph
 * serializes. Each operator names its inputs by id and carries its output columns.
 */
export type LogicalOperator =
  | { kind: 'source'; id: string; stream: string; connector: string; options: Record<string, string>; columns: ColumnSchema[] }
  | { kind: 'filter'; id: string; input: string; predicate: BoundExpression; columns: ColumnSchema[] }
  | { kind: 'project'; id: string; input: string; exprs: BoundExpression[]; columns: ColumnSchema[] }
  /** A projection whose item `setItem` is a set-returning call: one output row per value it returns. */
  | { kind: 'flat-map'; id: string; input: string; exprs: BoundExpression[]; setItem: number; columns: ColumnSchema[] }
  /**
   * A user function of the TypeScript API (src/runtime/user-function.ts), opaque to the
   * optimizer: nothing is pushed through it and it reads every input column.
   */
  | { kind: 'map'; id: string; input: string; mode: UserFunctionMode; fn: UserFunctionRef; columns: ColumnSchema[] }
  | { kind: 'union'; id: string; inputs: string[]; columns: ColumnSchema[] }
  /**
   * GROUP BY: output columns are the key columns, then window_start and window_end when
   * windowed, then the aggregates. Windowed: each window once, when the watermark passes
   * its end. Unwindowed with `closeAt` (an input column among the keys that holds an
   * upstream window's end): each group once, when the watermark passes that value.
   * Otherwise: the changed groups' new values (upserts keyed by `keys`). `replacing`: the
   * input is itself an updating result keyed by these input columns (which include the
   * keys): a row replaces the earlier row with the same values there, its contribution
   * taken back.
   */
  | { kind: 'aggregate'; id: string; input: string; keys: number[]; window: WindowSpec | null; closeAt: number | null;
      replacing: number[] | null; aggregates: AggregateCall[]; columns: ColumnSchema[] }
  /** A window table function without an aggregate: the input columns plus window_start and window_end (a row per hop window). */
  | { kind: 'window'; id: string; input: string; window: Exclude<WindowSpec, { kind: 'session' }>; columns: ColumnSchema[] }
  /**
   * Equi-join on `leftKeys` = `rightKeys` (hash edges on both), then `condition` over the
   * left columns followed by the right ones; output is left columns then right columns.
   */
  | { kind: 'join'; id: string; left: string; right: string; type: 'inner' | 'left'; leftKeys: number[]; rightKeys: number[];
      condition: BoundExpression | null; bound: JoinBound; columns: ColumnSchema[] }
  /**
   * ROW_NUMBER() OVER (PARTITION BY keys ORDER BY order) <= limit: the first `limit` rows
   * per partition (deduplication is limit 1 ordered by event time). `rankColumn`: the
   * row number is the last output column. `windowEnd`: a window_end input column; the
   * partition's rows are emitted once the watermark passes it, else kept as upserts keyed
   * by the partition keys and the row number.
   */
  | { kind: 'top-n'; id: string; input: string; keys: number[]; order: SortKey[]; limit: number; rankColumn: boolean;
      windowEnd: number | null; columns: ColumnSchema[] }
  /**
   * Writes into a stream, or (stream null) keeps the result, queryable by the dataflow's
   * name. `upsertKeys`: the input is an updating result keyed by these columns (a later
   * row replaces the earlier one with the same key); null when rows are only appended.
   */
  | { kind: 'sink'; id: string; input: string; stream: string | null; upsertKeys: number[] | null; columns: ColumnSchema[] };

export type LogicalOperatorKind = LogicalOperator['kind'];

export interface LogicalPlan {
  name: string;
  /** In topological order: every operator after its inputs; the sink last. */
  operators: LogicalOperator[];
}

export function inputsOf(op: LogicalOperator): string[] {
  switch (op.kind) {
    case 'source': return [];
    case 'filter': case 'project': case 'flat-map': case 'map': case 'aggregate': case 'window': case 'top-n': case 'sink': return [op.input];
    case 'union': return op.inputs;
    case 'join': return [op.left, op.right];
  }
}

function columnsText(columns: readonly ColumnSchema[]): string {
  return columns.map((c) => `${c.name} ${c.type.name}`).join(', ');
}

function interval(us: number): string {
  return us % 1_000_000 === 0 ? `${us / 1_000_000}s` : `${us / 1000}ms`;
}

export function windowText(w: WindowSpec, input: readonly ColumnSchema[]): string {
  const time = input[w.time]?.name ?? `#${w.time}`;
  switch (w.kind) {
    case 'tumble': return `Tumble(${time}, ${interval(w.size)})`;
    case 'hop': return `Hop(${time}, slide ${interval(w.slide)}, size ${interval(w.size)})`;
    case 'session': return `Session(${time}, gap ${interval(w.gap)})`;
  }
}

function aggregateText(a: AggregateCall, input: readonly ColumnSchema[]): string {
  const arg = a.arg === null ? '*' : `${a.distinct ? 'DISTINCT ' : ''}${input[a.arg]?.name ?? `#${a.arg}`}`;
  return `${a.fn}(${arg})${a.filter === null ? '' : ` FILTER (WHERE ${input[a.filter]?.name ?? `#${a.filter}`})`}`;
}

function names(indices: readonly number[], columns: readonly ColumnSchema[]): string {
  return indices.map((i) => columns[i]?.name ?? `#${i}`).join(', ');
}

function boundText(b: JoinBound, left: readonly ColumnSchema[], right: readonly ColumnSchema[]): string {
  switch (b.kind) {
    case 'interval': return `interval ${right[b.rightTime]?.name} in [${left[b.leftTime]?.name} + ${interval(b.lower)}, ${left[b.leftTime]?.name} + ${interval(b.upper)}]`;
    case 'window': return 'window';
    case 'regular': return b.ttl === null ? 'unbounded state' : `state_ttl ${interval(b.ttl)}`;
  }
}

function describe(op: LogicalOperator, byId: ReadonlyMap<string, LogicalOperator>): string {
  const input = (id: string) => byId.get(id)?.columns ?? [];
  switch (op.kind) {
    case 'source': return `Source ${op.stream} (${op.connector}) [${columnsText(op.columns)}]`;
    case 'filter': return `Filter ${expressionText(op.predicate)}`;
    case 'project': return `Project ${op.exprs.map((e, i) => `${expressionText(e)} AS ${op.columns[i]!.name}`).join(', ')}`;
    case 'flat-map': return `FlatMap ${op.exprs.map((e, i) => `${expressionText(e)} AS ${op.columns[i]!.name}`).join(', ')}`;
    case 'map': return `Map ${op.mode} function #${op.fn.index} of ${op.fn.dataflow} [${columnsText(op.columns)}]`;
    case 'union': return 'UnionAll';
    case 'aggregate': {
      const cols = input(op.input);
      const parts = [`keys [${names(op.keys, cols)}]`];
      if (op.window) parts.push(windowText(op.window, cols));
      if (op.closeAt !== null) parts.push(`until ${cols[op.closeAt]?.name}`);
      if (op.replacing !== null) parts.push(`replacing rows by [${names(op.replacing, cols)}]`);
      parts.push(`aggregates [${op.aggregates.map((a) => aggregateText(a, cols)).join(', ')}]`);
      return `Aggregate ${parts.join(' ')}`;
    }
    case 'window': return `Window ${windowText(op.window, input(op.input))}`;
    case 'join': {
      const l = input(op.left);
      const r = input(op.right);
      const on = op.leftKeys.map((k, i) => `${l[k]?.name} = ${r[op.rightKeys[i]!]?.name}`).join(' AND ');
      return `${op.type === 'inner' ? 'Join' : 'LeftJoin'} on [${on}]${op.condition ? ` filter ${expressionText(op.condition)}` : ''} ${boundText(op.bound, l, r)}`;
    }
    case 'top-n': {
      const cols = input(op.input);
      const order = op.order.map((k) => `${cols[k.column]?.name}${k.descending ? ' DESC' : ''}`).join(', ');
      return `TopN ${op.limit} per [${names(op.keys, cols)}] order by [${order}]${op.windowEnd === null ? '' : ` until ${cols[op.windowEnd]?.name}`}`;
    }
    case 'sink': {
      const upsert = op.upsertKeys === null ? '' : ` upsert on [${names(op.upsertKeys, op.columns)}]`;
      return `${op.stream === null ? 'Result' : `Sink ${op.stream}`} [${columnsText(op.columns)}]${upsert}`;
    }
  }
}

/** The plan as an indented tree, the sink at the top (EXPLAIN LOGICAL). */
export function explainLogical(plan: LogicalPlan): string[] {
  const byId = new Map(plan.operators.map((op) => [op.id, op]));
  const lines: string[] = [];
  const walk = (op: LogicalOperator, depth: number) => {
    lines.push(`${'  '.repeat(depth)}${describe(op, byId)}`);
    for (const input of inputsOf(op)) walk(byId.get(input)!, depth + 1);
  };
  walk(plan.operators[plan.operators.length - 1]!, 0);
  return lines;
}

function params(op: LogicalOperator): Record<string, unknown> {
  const columns = op.columns.map((c) => ({ name: c.name, type: c.type.kind, nullable: c.nullable }));
  switch (op.kind) {
    case 'source': return { stream: op.stream, connector: op.connector, options: op.options, columns };
    case 'filter': return { predicate: expressionToJson(op.predicate), columns };
    case 'project': return { exprs: op.exprs.map(expressionToJson), columns };
    case 'flat-map': return { exprs: op.exprs.map(expressionToJson), setItem: op.setItem, columns };
    case 'map': return { mode: op.mode, function: op.fn, columns };
    case 'union': return { columns };
    case 'aggregate': return { keys: op.keys, window: op.window, closeAt: op.closeAt, replacing: op.replacing, aggregates: op.aggregates.map((a) => ({ ...a, type: a.type.kind })), columns };
    case 'window': return { window: op.window, columns };
    case 'join': return {
      joinType: op.type, leftKeys: op.leftKeys, rightKeys: op.rightKeys,
      condition: op.condition === null ? null : expressionToJson(op.condition), bound: op.bound, columns,
    };
    case 'top-n': return { keys: op.keys, order: op.order, limit: op.limit, rankColumn: op.rankColumn, windowEnd: op.windowEnd, columns };
    case 'sink': return { stream: op.stream, upsertKeys: op.upsertKeys, columns };
  }
}

/** Serializes the plan as the job graph JSON (plan/job-graph.ts), edges left to the planner's defaults. */
export function toJobGraph(plan: LogicalPlan, options: { parallelism?: number; checkpointIntervalMs?: number } = {}): JobGraph {
  const byId = new Map(plan.operators.map((op) => [op.id, op]));
  return {
    version: JOB_GRAPH_VERSION,
    name: plan.name,
    parallelism: options.parallelism ?? 1,
    checkpointIntervalMs: options.checkpointIntervalMs,
    operators: plan.operators.map((op) => ({ id: op.id, type: op.kind, name: describe(op, byId), params: params(op) })),
    edges: plan.operators.flatMap((op) => inputsOf(op).map((from, input) => (input === 0 ? { from, to: op.id } : { from, to: op.id, input }))),
  };
}
