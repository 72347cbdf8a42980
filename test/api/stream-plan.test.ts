/** The Stream API builds the logical plan and job graph the SQL binder builds for the same dataflow. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tableFromArrays } from 'apache-arrow';
import { Stream, compute as pc } from 'sabot';
import type { StreamDefinition } from '../../src/control/catalog/streams.js';
import { nexmarkColumns } from '../../src/connectors/nexmark/schema.js';
import { builtinFunctions } from '../../src/functions/builtins.js';
import { optimize } from '../../src/optimizer/index.js';
import { planJobGraph } from '../../src/optimizer/physical/index.js';
import type { CreateDataflowStatement } from '../../src/sql/ast.js';
import { bindDataflow } from '../../src/sql/binder/dataflow-binder.js';
import { parseScript } from '../../src/sql/parser.js';
import { bindStreamDataflow, sourceStreamName, userFunctionsOf } from '../../src/api/bind-stream.js';
import type { DataflowSink } from '../../src/api/stream.js';
import { Types } from '../../src/types/sql-type.js';
import { DEFAULT_FORMAT_SETTINGS } from '../../src/types/text-format.js';

function nexmark(name: string, kind: 'bid' | 'auction'): StreamDefinition {
  return {
    name, connector: 'nexmark', options: { kind },
    columns: nexmarkColumns[kind].map((c) => ({ ...c, nullable: false })), watermark: { column: 'date_time', expression: 'date_time' },
  };
}

const streams = new Map<string, StreamDefinition>([
  ['bids', nexmark('bids', 'bid')],
  ['more_bids', nexmark('more_bids', 'bid')],
  ['auctions', nexmark('auctions', 'auction')],
  ['payments', { name: 'payments', connector: 'kafka', options: { topic: 'payments', bootstrap_servers: 'localhost:9092', format: 'json' }, watermark: null,
    columns: [{ name: 'id', type: Types.int8, nullable: true }, { name: 'amount', type: Types.float8, nullable: true }] }],
  ['alerts', { name: 'alerts', connector: 'kafka', options: { topic: 'alerts', bootstrap_servers: 'localhost:9092', format: 'json' }, watermark: null,
    columns: [{ name: 'id', type: Types.int8, nullable: true }, { name: 'amount', type: Types.float8, nullable: true }] }],
  ['out', { name: 'out', connector: 'internal', options: {}, watermark: null,
    columns: [{ name: 'auction', type: Types.int8, nullable: true }, { name: 'price', type: Types.float8, nullable: true }] }],
]);
const ctx = { streams, functions: builtinFunctions(), format: DEFAULT_FORMAT_SETTINGS };

function fromSql(sql: string, parallelism = 4) {
  const s = parseScript(sql)[0]!.statement as CreateDataflowStatement;
  const plan = bindDataflow(s, ctx);
  return { plan, graph: planJobGraph(optimize(plan), { parallelism }) };
}

function fromStream(name: string, root: Stream | DataflowSink, parallelism = 4) {
  const plan = bindStreamDataflow(name, root, ctx, import.meta.url);
  return { plan, graph: planJobGraph(optimize(plan), { parallelism }) };
}

function assertSame(sql: string, name: string, root: Stream | DataflowSink): void {
  const a = fromSql(sql);
  const b = fromStream(name, root);
  assert.deepEqual(b.plan, a.plan);
  assert.equal(JSON.stringify(b.graph), JSON.stringify(a.graph));
}

test('filter + project: the same plan and job graph JSON as the SQL', () => {
  assertSame('CREATE DATAFLOW q1 AS INSERT INTO out SELECT auction, price * 0.908 AS price FROM bids WHERE auction % 123 = 0', 'q1',
    Stream.fromStream('bids').filter('auction % 123 = 0').select('auction', 'price * 0.908 AS price').toStream('out'));
});

test('UNION ALL: the same plan and job graph JSON as the SQL', () => {
  assertSame('CREATE DATAFLOW u AS INSERT INTO out SELECT auction, price FROM bids WHERE price > 10 UNION ALL SELECT auction, price FROM more_bids', 'u',
    Stream.fromStream('bids').filter('price > 10').select('auction', 'price').union(Stream.fromStream('more_bids').select('auction', 'price')).toStream('out'));
});

test('keyBy + window + aggregate: the same windowed aggregate as GROUP BY over TUMBLE', () => {
  const sql = `CREATE DATAFLOW w AS SELECT auction, window_start, window_end, count(*) AS bids, max(price) AS top
    FROM TUMBLE(bids, date_time, INTERVAL '10' SECOND) GROUP BY auction, window_start, window_end`;
  const stream = Stream.fromStream('bids').keyBy('auction').window({ kind: 'tumble', on: 'date_time', size: '10 seconds' })
    .aggregate('count(*) AS bids', 'max(price) AS top');
  assertSame(sql, 'w', stream);
  const graph = fromStream('w', stream).graph;
  assert.ok(graph.operators.some((o) => o.type === 'aggregate'));
  assert.ok(graph.edges.some((e) => e.type === 'hash'), 'the aggregate gets a keyed exchange');
});

test('an unwindowed aggregate and a join build the operators SQL builds', () => {
  assertSame('CREATE DATAFLOW a AS SELECT auction, count(*) AS n FROM bids WHERE price > 100 GROUP BY auction', 'a',
    Stream.fromStream('bids').filter('price > 100').keyBy('auction').aggregate('count(*) AS n'));
  assertSame(`CREATE DATAFLOW j AS SELECT bids.auction, bids.price, auctions.seller FROM bids JOIN auctions ON bids.auction = auctions.id`, 'j',
    Stream.fromStream('bids').join(Stream.fromStream('auctions'), 'bids.auction = auctions.id').select('bids.auction', 'bids.price', 'auctions.seller'));
});

test('fromKafka and toKafka read and write Kafka streams of the catalog, as SQL does', () => {
  assertSame('CREATE DATAFLOW k AS INSERT INTO alerts SELECT id, amount FROM payments WHERE amount > 10000', 'k',
    Stream.fromKafka('payments').filter('amount > 10000').select('id', 'amount').toKafka('alerts'));
  assert.throws(() => bindStreamDataflow('k', Stream.fromKafka('payments').toKafka('out'), ctx, import.meta.url), /"out" is not a Kafka stream/);
});

test('a JavaScript function is a map operator naming its module, dataflow and index; nothing is pushed through it', () => {
  const addOne = (b: import('apache-arrow').RecordBatch) => pc.appendColumn(b, 'next', pc.add(b.getChild('price')!, 1));
  const root = Stream.fromStream('bids').filter((b) => pc.greater(b.getChild('price')!, 10)).map(addOne).filter('next > 100').select('auction', 'next');
  const { plan } = fromStream('m', root);
  const maps = plan.operators.filter((o) => o.kind === 'map');
  assert.deepEqual(maps.map((o) => o.kind === 'map' && [o.mode, o.fn]), [
    ['filter', { module: import.meta.url, dataflow: 'm', index: 0 }],
    ['map', { module: import.meta.url, dataflow: 'm', index: 1 }],
  ]);
  assert.deepEqual(maps[1]!.columns.map((c) => `${c.name} ${c.type.name}`),
    [...nexmarkColumns.bid.map((c) => `${c.name} ${c.type.name}`), 'next bigint']);
  assert.deepEqual(userFunctionsOf(root).length, 2);
  assert.equal(userFunctionsOf(root)[1], addOne);
  const optimized = optimize(plan);
  const kinds = optimized.operators.map((o) => o.kind);
  // The SQL filter stays above the function it reads the output of; the source decodes every column the functions may read.
  assert.ok(kinds.indexOf('filter') > kinds.lastIndexOf('map'));
  assert.equal(optimized.operators[0]!.columns.length, nexmarkColumns.bid.length);
});

test('errors name the Stream operation; functions outside a module file are refused', () => {
  assert.throws(() => bindStreamDataflow('e', Stream.fromStream('bids').select('nope').toStream('out'), ctx, import.meta.url),
    (e: Error & { code?: string; where?: string }) => e.code === '42703' && /select\('nope'\)/.test(e.where!));
  assert.throws(() => bindStreamDataflow('e', Stream.fromStream('bids').filter('price +').toStream('out'), ctx, import.meta.url),
    (e: Error & { code?: string }) => e.code === '42601');
  assert.throws(() => bindStreamDataflow('e', Stream.fromKafka('bids').toStream('out'), ctx, import.meta.url), /not a Kafka stream/);
  assert.throws(() => bindStreamDataflow('e', Stream.fromStream('bids').map((b) => b), ctx, null), /not defined in a module file/);
});

test('Nexmark and batch sources read streams named after their contents', () => {
  const a = Stream.fromNexmark({ kind: 'bid', events: 1000, seed: 1 }).node;
  const b = Stream.fromNexmark({ kind: 'bid', events: 1000, seed: 2 }).node;
  assert.ok(a.kind === 'source' && b.kind === 'source');
  assert.match(sourceStreamName(a.source), /^nexmark_bid_[0-9a-f]{12}$/);
  assert.notEqual(sourceStreamName(a.source), sourceStreamName(b.source));
  const batch = tableFromArrays({ x: Int32Array.from([1, 2]) }).batches[0]!;
  const c = Stream.fromBatches([batch]).node;
  const d = Stream.fromBatches([batch]).node;
  assert.ok(c.kind === 'source' && d.kind === 'source');
  assert.equal(sourceStreamName(c.source), sourceStreamName(d.source));
});
