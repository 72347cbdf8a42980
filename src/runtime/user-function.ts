/**
 * User functions of the TypeScript API on the agent. A job graph names each function by
 * module and dataflow (plan/logical-plan.ts, UserFunctionRef), never by its source: the
 * agent imports the module (a file: URL), which registers its dataflows with the App as
 * it loads (registerDataflowFunctions), re-runs the dataflow's builder and takes the
 * functions it passes, in order. A function therefore has to live in a module an agent
 * can import, not in a REPL. In the process that defined the dataflow the module is
 * loaded already: nothing is imported again.
 *
 * A chain with user functions runs on the agent's thread, never on morsel workers: the
 * module is loaded here, and a worker would have to import it again.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeData, RecordBatch, Struct, type Vector } from 'apache-arrow';
import { SabotError, SqlState, toSabotError } from '../errors.js';
import type { EvalContext, FunctionRegistry } from '../functions/scalar-function.js';
import type { JobGraphOperator } from '../plan/job-graph.js';
import type { UserFunctionMode, UserFunctionRef } from '../plan/logical-plan.js';
import { canonicalJsonb } from '../types/jsonb.js';
import { Types, type SqlType } from '../types/sql-type.js';
import { DEFAULT_FORMAT_SETTINGS, formatText } from '../types/text-format.js';
import { arrowSchema, arrowType, type ColumnSchema } from './arrow-types.js';
import { concatBatches } from './compute/batches.js';
import { filter } from './compute/selection.js';
import { compileChain, operatorColumns, rowPayload, runChain, type ChainRejection } from './operator-chain.js';
import { batchFromRows, rowsFromBatch } from './rows.js';

/** filter: a boolean Vector, one value per row (true keeps the row). */
export type FilterFunction = (batch: RecordBatch) => Vector;
/** map: the batch that replaces the batch. */
export type MapFunction = (batch: RecordBatch) => RecordBatch;
/** flat-map: the batches that replace the batch (none, one or many). */
export type FlatMapFunction = (batch: RecordBatch) => Iterable<RecordBatch>;
/** records (app.agent): what it yields for one row (a plain object) become rows of the output. */
export type RecordFunction = (record: Record<string, unknown>) => AsyncIterable<unknown>;
export type UserFunction = FilterFunction | MapFunction | FlatMapFunction | RecordFunction;

/** The column a records function's values go into, as JSONB. */
export const RECORD_OUTPUT_COLUMNS: readonly ColumnSchema[] = [{ name: 'value', type: Types.jsonb, nullable: true }];

const registered = new Map<string, () => readonly UserFunction[]>();
const loaded = new Map<string, readonly UserFunction[]>();

const keyOf = (module: string, dataflow: string) => `${module}\u0000${dataflow}`;

/**
 * Registers how to get the user functions of a dataflow defined in `module`: a call
 * returning them in the order the dataflow binds them. Registering again replaces it.
 */
export function registerDataflowFunctions(module: string, dataflow: string, functions: () => readonly UserFunction[]): void {
  const key = keyOf(module, dataflow);
  registered.set(key, functions);
  loaded.delete(key);
}

function mainModule(): string | null {
  const main = process.argv[1];
  return main === undefined ? null : pathToFileURL(resolve(main)).href;
}

function refOf(op: JobGraphOperator): UserFunctionRef {
  return op.params!.function as UserFunctionRef;
}

/** Whether a run of chained operators calls user functions. */
export function callsUserFunctions(operators: readonly JobGraphOperator[]): boolean {
  return operators.some((op) => op.type === 'map');
}

/** Imports what the user functions of these operators need (each module once), before their chain is compiled. */
export async function loadUserFunctions(operators: readonly JobGraphOperator[]): Promise<void> {
  for (const op of operators) {
    if (op.type !== 'map') continue;
    const { module, dataflow } = refOf(op);
    const key = keyOf(module, dataflow);
    if (loaded.has(key)) continue;
    // The main module of this process is loaded already (or loading: importing it would wait for itself).
    if (!registered.has(key) && module !== mainModule()) {
      try {
        await import(module);
      } catch (err) {
        throw new SabotError(SqlState.undefinedObject, `cannot load the functions of dataflow "${dataflow}" from ${module}: ${(err as Error).message}`,
          { hint: 'User functions must live in a module file the agent can import (not a REPL).', cause: err });
      }
    }
    const functions = registered.get(key);
    if (!functions) {
      throw new SabotError(SqlState.undefinedObject, `module ${module} does not define dataflow "${dataflow}"`,
        { hint: 'The module must call app.dataflow() for it when it is imported.' });
    }
    try {
      loaded.set(key, functions());
    } catch (err) {
      throw new SabotError(SqlState.externalRoutineException, `the builder of dataflow "${dataflow}" failed: ${(err as Error).message}`, { cause: err });
    }
  }
}

function loadedFunction(op: JobGraphOperator): UserFunction {
  const { module, dataflow, index } = refOf(op);
  const functions = loaded.get(keyOf(module, dataflow));
  if (!functions) throw new SabotError(SqlState.internalError, `the functions of dataflow "${dataflow}" are not loaded`);
  const fn = functions[index];
  if (!fn) {
    throw new SabotError(SqlState.undefinedObject, `dataflow "${dataflow}" of ${module} has ${functions.length} functions, not a function #${index}`,
      { hint: 'The module changed since the job was submitted: restart the dataflow.' });
  }
  return fn;
}

/** Each row of a batch rejected with one error. */
type Reject = (batch: RecordBatch, row: number, error: SabotError) => void;

/** One step of a user function over a batch. */
type UserStep = (batch: RecordBatch, reject: Reject) => RecordBatch | Promise<RecordBatch>;

function failed(op: JobGraphOperator, err: unknown): SabotError {
  const { dataflow, index } = refOf(op);
  const e = toSabotError(err);
  return new SabotError(SqlState.externalRoutineException, `function #${index} of dataflow "${dataflow}" failed: ${e.message}`, { cause: err });
}

/** The batch under the declared columns' schema, or an error naming how its columns differ. */
function conforming(batch: unknown, columns: readonly ColumnSchema[], schema = arrowSchema(columns)): RecordBatch {
  if (!(batch instanceof RecordBatch)) throw new TypeError(`it returned ${typeof batch === 'object' ? String(batch) : typeof batch}, not a RecordBatch`);
  const fields = batch.schema.fields;
  if (fields.length !== columns.length || fields.some((f, i) => f.type.typeId !== arrowType(columns[i]!.type).typeId)) {
    throw new TypeError(`it returned columns (${fields.map((f) => `${f.name} ${String(f.type)}`).join(', ')}) other than the ones it returned`
      + ` for an empty batch when the dataflow was planned (${columns.map((c) => `${c.name} ${c.type.name}`).join(', ')})`);
  }
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children: batch.data.children }));
}

function notAsync(result: unknown): void {
  if (result instanceof Promise) throw new TypeError('it returned a Promise: batch functions are synchronous');
}

/** A value of a row as a JavaScript user sees it: numbers, strings, bigint for BIGINT, Date for dates and timestamps, parsed JSON. */
function plainValue(type: SqlType, value: unknown): unknown {
  if (value === null) return null;
  switch (type.kind) {
    case 'timestamp': case 'timestamptz': return new Date((value as number) / 1000);
    case 'date': return new Date((value as number) * 86_400_000);
    case 'json': case 'jsonb': return JSON.parse(value as string);
    case 'numeric': case 'interval': case 'time': return formatText(type, value, DEFAULT_FORMAT_SETTINGS);
    default: return value;
  }
}

/** A yielded value as JSONB text (BIGINT values as numbers when exact, else as strings). */
function jsonbText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(value, (_k, v: unknown) =>
    (typeof v === 'bigint' ? (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v));
  return canonicalJsonb(text);
}

function userStep(op: JobGraphOperator, input: readonly ColumnSchema[]): UserStep {
  const fn = loadedFunction(op);
  const mode = op.params!.mode as UserFunctionMode;
  const columns = operatorColumns(op);
  const schema = arrowSchema(columns);
  const all = (batch: RecordBatch, reject: Reject, err: unknown): RecordBatch => {
    const e = failed(op, err);
    for (let row = 0; row < batch.numRows; row++) reject(batch, row, e);
    return batch.slice(0, 0);
  };
  switch (mode) {
    case 'filter':
      return (batch, reject) => {
        try {
          const mask = (fn as FilterFunction)(batch);
          notAsync(mask);
          return filter(batch, mask);
        } catch (err) {
          return all(batch, reject, err);
        }
      };
    case 'map':
      return (batch, reject) => {
        try {
          const out = (fn as MapFunction)(batch);
          notAsync(out);
          return conforming(out, columns, schema);
        } catch (err) {
          return all(batch, reject, err);
        }
      };
    case 'flat-map':
      return (batch, reject) => {
        try {
          const out = (fn as FlatMapFunction)(batch);
          notAsync(out);
          const parts = [...out].map((b) => conforming(b, columns, schema));
          return parts.length === 1 ? parts[0]! : concatBatches(schema, parts);
        } catch (err) {
          return all(batch, reject, err);
        }
      };
    case 'records':
      // Row by row, in order, as app.agent's generators always ran: the slow path of a deprecated API.
      return async (batch, reject) => {
        const rows = rowsFromBatch(input, batch);
        const out: unknown[][] = [];
        for (const [row, values] of rows.entries()) {
          const record = Object.fromEntries(input.map((c, i) => [c.name, plainValue(c.type, values[i])]));
          const yielded: unknown[][] = [];
          try {
            for await (const value of (fn as RecordFunction)(record)) yielded.push([jsonbText(value)]);
          } catch (err) {
            reject(batch, row, failed(op, err));
            continue;
          }
          out.push(...yielded);
        }
        return batchFromRows(RECORD_OUTPUT_COLUMNS, out);
      };
  }
}

/** What a chain with user functions gives for a batch: as runChain, asynchronously. */
export type UserChainRunner = (batch: RecordBatch) => Promise<{ batch: RecordBatch; rejected: ChainRejection[] }>;

/**
 * Loads the user functions of a run of chained operators and compiles the run: the SQL
 * operators between user functions as compiled chains (operator-chain.ts), each user
 * function as a step of its own. Rows a function fails on (it throws, or returns
 * something other than what it returned when planned) are rejected with 38000, as
 * dead letters, and the dataflow goes on.
 */
export async function userFunctionChain(operators: readonly JobGraphOperator[], input: readonly ColumnSchema[], functions: FunctionRegistry,
  ctx: EvalContext): Promise<UserChainRunner> {
  await loadUserFunctions(operators);
  const steps: ((batch: RecordBatch, rejected: ChainRejection[]) => RecordBatch | Promise<RecordBatch>)[] = [];
  let columns = [...input];
  for (let i = 0; i < operators.length;) {
    const op = operators[i]!;
    if (op.type === 'map') {
      const step = userStep(op, columns);
      const inputColumns = columns;
      steps.push((batch, rejected) => step(batch, (b, row, error) => rejected.push({
        operator: op.id, sqlstate: error.code, reason: error.message, payload: rowPayload(inputColumns, b, row),
      })));
      columns = operatorColumns(op);
      i++;
      continue;
    }
    let end = i;
    while (end < operators.length && operators[end]!.type !== 'map') end++;
    const chain = compileChain(operators.slice(i, end), columns, functions, ctx);
    steps.push((batch, rejected) => {
      const r = runChain(chain, batch);
      rejected.push(...r.rejected);
      return r.batch;
    });
    columns = chain.columns;
    i = end;
  }
  return async (batch) => {
    const rejected: ChainRejection[] = [];
    let b = batch;
    for (const step of steps) {
      if (b.numRows === 0) break;
      b = await step(b, rejected);
    }
    return { batch: b, rejected };
  };
}
