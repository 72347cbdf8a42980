import type { RecordBatch } from 'apache-arrow';
import { SabotError, SqlState } from '../errors.js';
import type { EvalContext, FunctionRegistry } from '../functions/scalar-function.js';
import { expressionFromJson, type ExpressionJson } from '../plan/expression-json.js';
import type { BoundExpression } from '../plan/expression.js';
import type { JobGraphOperator } from '../plan/job-graph.js';
import { typeByName, Types, type SqlType, type TypeKind } from '../types/sql-type.js';
import { DEFAULT_FORMAT_SETTINGS, formatText } from '../types/text-format.js';
import type { ColumnSchema } from './arrow-types.js';
import { compileFilterProject, compileProjection, type RowErrorHandler } from './expressions/index.js';
import { compileFlatMap } from './flat-map.js';
import { rowsFromBatch } from './rows.js';
import { compileWindowAssigner } from './window-assign.js';

/** One step of a chain: a batch in, a batch out; failing rows go to onRowError (and are left out) when given. */
export type ChainStage = (batch: RecordBatch, onRowError?: RowErrorHandler) => RecordBatch;

/** A compiled chain of stateless operators: its stages in order and the columns it produces. */
export interface OperatorChain {
  stages: ChainStage[];
  /** The columns each stage reads (stage i reads stageInputs[i]). */
  stageInputs: ColumnSchema[][];
  /** The job graph operator each stage ends with (for counting and for dead letters). */
  stageOperators: string[];
  columns: ColumnSchema[];
}

/** The output columns a job graph operator declares in its params. */
export function operatorColumns(op: JobGraphOperator): ColumnSchema[] {
  return (op.params!.columns as { name: string; type: TypeKind; nullable: boolean }[]).map((c) => ({
    name: c.name, type: ((Types as Record<string, SqlType>)[c.type] ?? typeByName(c.type))!, nullable: c.nullable,
  }));
}

/** Functions in a dataflow see no session: UTC, default formats, the dataflow's start as now(). */
export function dataflowEvalContext(signal: AbortSignal, startedAt = Date.now() * 1000): EvalContext {
  return {
    setting: () => undefined,
    setSetting: () => { throw new SabotError(SqlState.featureNotSupported, 'set_config() cannot run inside a dataflow'); },
    transactionStart: startedAt, statementStart: startedAt, user: 'sabot', database: 'sabot', processId: 0,
    format: DEFAULT_FORMAT_SETTINGS, signal,
  };
}

function identityItems(columns: readonly ColumnSchema[]) {
  return columns.map((c, i) => ({ name: c.name, expr: { kind: 'column', type: c.type, index: i, name: c.name } as BoundExpression }));
}

/**
 * Compiles a run of filter, project and flat-map operators (in order, the first reading
 * `input`) into batch-to-batch stages, fusing each filter with the projection after it
 * into one loop. The same job graph operators compile to the same stages in any thread.
 */
export function compileChain(operators: readonly JobGraphOperator[], input: readonly ColumnSchema[], functions: FunctionRegistry,
  ctx: EvalContext): OperatorChain {
  const stages: ChainStage[] = [];
  const stageInputs: ColumnSchema[][] = [];
  const stageOperators: string[] = [];
  let columns = [...input];
  let pending: { predicate: BoundExpression; operator: string } | null = null;
  const flushFilter = () => {
    if (!pending) return;
    const p = compileFilterProject(pending.predicate, identityItems(columns), columns, ctx);
    stages.push((b, onRowError) => p.run(b, [], { onRowError }));
    stageInputs.push(columns);
    stageOperators.push(pending.operator);
    pending = null;
  };
  for (const op of operators) {
    if (op.type === 'filter') {
      flushFilter();
      pending = { predicate: expressionFromJson(op.params!.predicate as ExpressionJson, functions), operator: op.id };
    } else if (op.type === 'project') {
      const out = operatorColumns(op);
      const items = (op.params!.exprs as ExpressionJson[]).map((e, i) => ({ name: out[i]!.name, expr: expressionFromJson(e, functions) }));
      if (pending) {
        const p = compileFilterProject(pending.predicate, items, columns, ctx);
        stages.push((b, onRowError) => p.run(b, [], { onRowError }));
      } else {
        const p = compileProjection(items, columns, ctx);
        stages.push((b, onRowError) => p.project(b, [], { onRowError }));
      }
      stageInputs.push(columns);
      stageOperators.push(op.id);
      pending = null;
      columns = out;
    } else if (op.type === 'flat-map') {
      flushFilter();
      const out = operatorColumns(op);
      const exprs = (op.params!.exprs as ExpressionJson[]).map((e) => expressionFromJson(e, functions));
      stages.push(compileFlatMap(exprs, op.params!.setItem as number, out, columns, ctx));
      stageInputs.push(columns);
      stageOperators.push(op.id);
      columns = out;
    } else if (op.type === 'window') {
      flushFilter();
      stages.push(compileWindowAssigner(op, columns));
      stageInputs.push(columns);
      stageOperators.push(op.id);
      columns = operatorColumns(op);
    } else {
      throw new Error(`operator ${op.id} (${op.type}) is not a stateless chain operator`);
    }
  }
  flushFilter();
  return { stages, stageInputs, stageOperators, columns };
}

/** A row an operator of a chain could not process: the error and the row as it entered that operator. */
export interface ChainRejection {
  operator: string;
  sqlstate: string;
  reason: string;
  /** The row as a JSON object of column name to Postgres text form (null for NULL). */
  payload: string;
}

/** The row of `batch` at `index` as JSON text, each value in its Postgres text form. */
export function rowPayload(columns: readonly ColumnSchema[], batch: RecordBatch, index: number): string {
  const row = rowsFromBatch(columns, batch.slice(index, index + 1))[0]!;
  return JSON.stringify(Object.fromEntries(columns.map((c, i) =>
    [c.name, row[i] === null ? null : formatText(c.type, row[i], DEFAULT_FORMAT_SETTINGS)])));
}

/**
 * Runs a batch through a chain. A row that fails in an operator (division by zero, a bad
 * cast) is left out and returned as a rejection, so the dataflow goes on.
 */
export function runChain(chain: OperatorChain, batch: RecordBatch): { batch: RecordBatch; rejected: ChainRejection[] } {
  const rejected: ChainRejection[] = [];
  let b = batch;
  for (let s = 0; s < chain.stages.length && b.numRows > 0; s++) {
    const input = b;
    b = chain.stages[s]!(input, (row, error) => {
      rejected.push({ operator: chain.stageOperators[s]!, sqlstate: error.code, reason: error.message, payload: rowPayload(chain.stageInputs[s]!, input, row) });
    });
  }
  return { batch: b, rejected };
}
