import type { ColumnSchema } from '../runtime/arrow-types.js';
import type { BoundExpression } from './expression.js';
import { expressionText, expressionToJson } from './expression-json.js';
import { JOB_GRAPH_VERSION, type JobGraph } from './job-graph.js';

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
  | { kind: 'union'; id: string; inputs: string[]; columns: ColumnSchema[] }
  /** Writes into a stream, or (stream null) keeps the result, queryable by the dataflow's name. */
  | { kind: 'sink'; id: string; input: string; stream: string | null; columns: ColumnSchema[] };

export type LogicalOperatorKind = LogicalOperator['kind'];

export interface LogicalPlan {
  name: string;
  /** In topological order: every operator after its inputs; the sink last. */
  operators: LogicalOperator[];
}

export function inputsOf(op: LogicalOperator): string[] {
  switch (op.kind) {
    case 'source': return [];
    case 'filter': case 'project': case 'flat-map': case 'sink': return [op.input];
    case 'union': return op.inputs;
  }
}

function columnsText(columns: readonly ColumnSchema[]): string {
  return columns.map((c) => `${c.name} ${c.type.name}`).join(', ');
}

function describe(op: LogicalOperator): string {
  switch (op.kind) {
    case 'source': return `Source ${op.stream} (${op.connector}) [${columnsText(op.columns)}]`;
    case 'filter': return `Filter ${expressionText(op.predicate)}`;
    case 'project': return `Project ${op.exprs.map((e, i) => `${expressionText(e)} AS ${op.columns[i]!.name}`).join(', ')}`;
    case 'flat-map': return `FlatMap ${op.exprs.map((e, i) => `${expressionText(e)} AS ${op.columns[i]!.name}`).join(', ')}`;
    case 'union': return 'UnionAll';
    case 'sink': return op.stream === null ? `Result [${columnsText(op.columns)}]` : `Sink ${op.stream} [${columnsText(op.columns)}]`;
  }
}

/** The plan as an indented tree, the sink at the top (EXPLAIN LOGICAL). */
export function explainLogical(plan: LogicalPlan): string[] {
  const byId = new Map(plan.operators.map((op) => [op.id, op]));
  const lines: string[] = [];
  const walk = (op: LogicalOperator, depth: number) => {
    lines.push(`${'  '.repeat(depth)}${describe(op)}`);
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
    case 'union': return { columns };
    case 'sink': return { stream: op.stream, columns };
  }
}

/** Serializes the plan as the job graph JSON (plan/job-graph.ts), edges left to the planner's defaults. */
export function toJobGraph(plan: LogicalPlan, options: { parallelism?: number; checkpointIntervalMs?: number } = {}): JobGraph {
  return {
    version: JOB_GRAPH_VERSION,
    name: plan.name,
    parallelism: options.parallelism ?? 1,
    checkpointIntervalMs: options.checkpointIntervalMs,
    operators: plan.operators.map((op) => ({ id: op.id, type: op.kind, name: describe(op), params: params(op) })),
    edges: plan.operators.flatMap((op) => inputsOf(op).map((from) => ({ from, to: op.id }))),
  };
}
