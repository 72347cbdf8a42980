import { createHash } from 'node:crypto';
import { Table, tableToIPC, type RecordBatch } from 'apache-arrow';
import { SabotError, SqlState } from '../errors.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import { arrowSchema, type ColumnSchema } from '../runtime/arrow-types.js';
import { emptyBatch } from '../runtime/batch-transfer.js';
import { sqlTypeOfField } from '../runtime/compute/arrow-sql-type.js';
import { RECORD_OUTPUT_COLUMNS, type FlatMapFunction, type MapFunction, type UserFunction } from '../runtime/user-function.js';
import type { ColumnRef, Expression, Select, SelectItem, TableFunctionRef } from '../sql/ast.js';
import { containsAggregate } from '../sql/binder/aggregate-calls.js';
import { bindSink, DataflowBinder, unsupported, type DataflowBindContext } from '../sql/binder/dataflow-binder.js';
import { bindGrouping } from '../sql/binder/dataflow-grouping.js';
import { joinRelations } from '../sql/binder/dataflow-join.js';
import { relationScope, type Relation } from '../sql/binder/relation.js';
import { windowFunction } from '../sql/binder/window-function.js';
import { sqlExpression, sqlSelectItem } from './sql-fragment.js';
import { nodeInputs, type DataflowSink, type NexmarkOptions, type SourceSpec, type Stream, type StreamNode, type WindowOptions } from './stream.js';

const streamNames = new WeakMap<SourceSpec, string>();

function hashed(prefix: string, bytes: string | Uint8Array): string {
  return `${prefix}_${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}`;
}

/** The options of CREATE STREAM for a Nexmark source. */
export function nexmarkStreamOptions(o: NexmarkOptions): Record<string, string> {
  const options: Record<string, string> = { connector: 'nexmark', kind: o.kind };
  if (o.events !== undefined) options.events = String(o.events);
  if (o.rate !== undefined) options.rate = String(o.rate);
  if (o.seed !== undefined) options.seed = String(o.seed);
  return options;
}

/** The catalog stream a source reads: its own name, or one named after what it generates or holds. */
export function sourceStreamName(spec: SourceSpec): string {
  let name = streamNames.get(spec);
  if (name === undefined) {
    switch (spec.kind) {
      case 'stream': name = spec.name; break;
      case 'nexmark': name = hashed(`nexmark_${spec.options.kind}`, JSON.stringify(nexmarkStreamOptions(spec.options))); break;
      case 'batches': name = hashed('batches', tableToIPC(new Table(spec.batches as RecordBatch[]))); break;
    }
    streamNames.set(spec, name);
  }
  return name;
}

/** The tree of a dataflow's builder result. */
function rootOf(root: Stream | DataflowSink): StreamNode {
  return 'node' in root ? root.node : root.input;
}

/** The user functions of a dataflow, in the order bindStreamDataflow numbers them (its inputs before a node, left before right). */
export function userFunctionsOf(root: Stream | DataflowSink): UserFunction[] {
  const out: UserFunction[] = [];
  const visit = (node: StreamNode): void => {
    nodeInputs(node).forEach(visit);
    if (node.kind === 'function') out.push(node.fn);
  };
  visit(rootOf(root));
  return out;
}

/** Every source of a dataflow. */
export function sourcesOf(root: Stream | DataflowSink): SourceSpec[] {
  const out: SourceSpec[] = [];
  const visit = (node: StreamNode): void => {
    nodeInputs(node).forEach(visit);
    if (node.kind === 'source') out.push(node.source);
  };
  visit(rootOf(root));
  return out;
}

function selectOf(items: SelectItem[], groupBy: Expression[] = []): Select {
  return { kind: 'select', distinct: false, distinctOn: [], items, from: [], where: null, groupBy, having: null, pos: 0 };
}

const columnRef = (name: string): ColumnRef => ({ kind: 'column', table: null, name, pos: 0 });
const item = (expr: Expression): SelectItem => ({ kind: 'item', expr, alias: null, pos: 0 });

function intervalArg(text: string): Expression {
  return sqlExpression(`INTERVAL '${text.replaceAll("'", "''")}'`, 'a window size');
}

/** What a node is in the error of binding it (positions are dropped: they point into SQL the user did not write whole). */
function operationText(node: StreamNode): string {
  switch (node.kind) {
    case 'source': return node.source.kind === 'stream' ? `${node.source.kafka ? 'fromKafka' : 'fromStream'}('${node.source.name}')`
      : node.source.kind === 'nexmark' ? 'fromNexmark()' : 'fromBatches()';
    case 'filter': return `filter('${node.predicate}')`;
    case 'function': return `${node.mode === 'flat-map' ? 'flatMap' : node.mode === 'records' ? 'app.agent' : node.mode}(function)`;
    case 'select': return `select(${node.items.map((i) => `'${i}'`).join(', ')})`;
    case 'window': return `window(${node.window.kind} on ${node.window.on})`;
    case 'aggregate': return `aggregate(${node.aggregates.map((a) => `'${a}'`).join(', ')})`;
    case 'join': return `join('${node.on}')`;
    case 'union': return 'union()';
  }
}

/**
 * Binds a dataflow built with the Stream API into a logical plan, with the SQL binder's
 * own steps (sql/binder/dataflow-binder.ts): the operators, ids and shapes of the SQL
 * saying the same thing. `module` is where the dataflow is defined (its user functions
 * are found there); null when it has no module file.
 */
export function bindStreamDataflow(name: string, root: Stream | DataflowSink, ctx: DataflowBindContext, module: string | null): LogicalPlan {
  const b = new DataflowBinder(ctx);
  let functions = 0;

  const withWindow = (input: Relation, w: WindowOptions): Relation => {
    if (input.upsertKeys) throw unsupported('a window over an updating result', 0);
    const r = b.visible(b.settled(input, 0));
    const sizes = w.kind === 'tumble' ? [w.size] : w.kind === 'hop' ? [w.slide, w.size] : [w.gap];
    const call: TableFunctionRef = {
      kind: 'table-function', name: w.kind, args: [columnRef('stream'), columnRef(w.on), ...sizes.map(intervalArg)], alias: null, pos: 0,
    };
    const window = windowFunction(call, r.columns, (e) => b.expressions(relationScope(r)).bind(e));
    const time = r.columns[window.time]!;
    const n = r.op.columns.length;
    return {
      ...r, window,
      columns: [...r.columns,
        { name: 'window_start', table: time.table, type: time.type, tag: 'window-start', index: n },
        { name: 'window_end', table: time.table, type: time.type, tag: 'window-end', index: n + 1 }],
    };
  };

  const userFunction = (node: Extract<StreamNode, { kind: 'function' }>, input: Relation): Relation => {
    if (input.upsertKeys) throw unsupported('a JavaScript function over an updating result (an unwindowed aggregate)', 0);
    const r = b.visible(b.settled(input, 0));
    if (module === null) {
      throw new SabotError(SqlState.featureNotSupported, `dataflow "${name}" calls JavaScript functions but was not defined in a module file`,
        { hint: 'Agents load user functions by importing the module that defines the dataflow: define it in a file, not in a REPL or eval.' });
    }
    const index = functions++;
    const columns = node.mode === 'filter' ? r.op.columns : node.mode === 'records' ? [...RECORD_OUTPUT_COLUMNS] : outputColumns(node, r.op.columns, name, index);
    const op = b.add({ kind: 'map', id: b.id('map'), input: r.op.id, mode: node.mode, fn: { module, dataflow: name, index }, columns });
    if (node.mode === 'filter') return { ...r, op };
    return {
      op, window: null, rank: null, upsertKeys: null,
      columns: columns.map((c, i) => {
        // A column passed on under its name and type keeps what it means for event time.
        const same = r.columns.find((x) => x.name === c.name && x.type.kind === c.type.kind);
        return { name: c.name, table: null, type: c.type, tag: same?.tag ?? null, index: i };
      }),
    };
  };

  const bindNode = (node: StreamNode): Relation => {
    switch (node.kind) {
      case 'source': {
        const stream = b.stream(sourceStreamName(node.source), 0);
        if (node.source.kind === 'stream' && node.source.kafka && stream.connector !== 'kafka') {
          throw new SabotError(SqlState.wrongObjectType, `stream "${stream.name}" is not a Kafka stream (its connector is ${stream.connector})`);
        }
        return b.from({ kind: 'table', name: [stream.name], alias: null, pos: 0 });
      }
      case 'filter': return b.filter(bind(node.input), sqlExpression(node.predicate, 'a filter predicate'));
      case 'function': return userFunction(node, bind(node.input));
      case 'select': {
        const r = bind(node.input);
        const items = node.items.map(sqlSelectItem);
        const grouped = items.some((i) => i.kind === 'item' && containsAggregate(i.expr));
        return grouped ? bindGrouping(b, r, selectOf(items)) : b.selectItems(r, selectOf(items));
      }
      case 'window': return withWindow(bind(node.input), node.window);
      case 'aggregate': {
        const r = bind(node.input);
        const keys = node.keys.map((k) => sqlExpression(k, 'a key'));
        const windowColumns = r.window ? [columnRef('window_start'), columnRef('window_end')] : [];
        const items = [...keys.map(item), ...windowColumns.map(item), ...node.aggregates.map(sqlSelectItem)];
        return bindGrouping(b, r, selectOf(items, [...keys, ...windowColumns]));
      }
      case 'join': {
        const left = b.settled(bind(node.left), 0);
        const right = b.settled(bind(node.right), 0);
        return joinRelations(b, left, right, { type: node.type, on: sqlExpression(node.on, 'a join condition'), pos: 0 });
      }
      case 'union': {
        const left = b.settled(bind(node.left), 0);
        return b.union(left, b.settled(bind(node.right), 0), 0);
      }
    }
  };

  const bind = (node: StreamNode): Relation => {
    try {
      return bindNode(node);
    } catch (err) {
      if (err instanceof SabotError && err.where === undefined) {
        err.position = undefined;
        err.where = `Stream.${operationText(node)} of dataflow "${name}"`;
      }
      throw err;
    }
  };

  const body = b.visible(b.settled(bind(rootOf(root)), 0));
  b.checkNoParameters();
  const sink = 'node' in root ? null : root;
  if (sink?.kafka && b.stream(sink.stream, 0).connector !== 'kafka') {
    throw new SabotError(SqlState.wrongObjectType, `stream "${sink.stream}" is not a Kafka stream (its connector is ${b.stream(sink.stream, 0).connector})`);
  }
  try {
    return bindSink(b, body, name, sink ? { name: sink.stream, columns: [] } : null, 0);
  } catch (err) {
    if (err instanceof SabotError) err.position = undefined;
    throw err;
  }
}

/** The columns a map or flatMap function returns for an empty batch of its input columns. */
function outputColumns(node: Extract<StreamNode, { kind: 'function' }>, input: readonly ColumnSchema[], dataflow: string, index: number): ColumnSchema[] {
  const empty = emptyBatch(arrowSchema(input));
  let out: RecordBatch | undefined;
  try {
    const result = node.mode === 'map' ? (node.fn as MapFunction)(empty) : [...(node.fn as FlatMapFunction)(empty)][0];
    if (result !== undefined && !(result && typeof result === 'object' && 'schema' in result && 'numRows' in result)) {
      throw new TypeError('it did not return a RecordBatch');
    }
    out = result;
  } catch (err) {
    throw new SabotError(SqlState.externalRoutineException, `function #${index} of dataflow "${dataflow}" failed on an empty batch: ${(err as Error).message}`,
      { hint: 'A map or flatMap function is called once with an empty batch when the dataflow is planned, to learn its output columns.', cause: err });
  }
  if (out === undefined) return [...input];
  return out.schema.fields.map((f) => ({ name: f.name, type: sqlTypeOfField(f), nullable: true }));
}
