import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Statement } from '../../src/sql/ast.js';
import { parseScriptUncached } from '../../src/sql/parser.js';
import { SabotError } from '../../src/errors.js';

function one(sql: string): Statement {
  const parsed = parseScriptUncached(sql);
  assert.equal(parsed.length, 1);
  return parsed[0]!.statement;
}

test('CREATE STREAM with columns, NOT NULL, a watermark and options', () => {
  const s = one(`CREATE STREAM IF NOT EXISTS tx (id BIGINT NOT NULL, amount DOUBLE PRECISION, ts TIMESTAMP,
    WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (connector = 'kafka', topic = 'tx', partitions = 3)`);
  assert.equal(s.kind, 'create-stream');
  if (s.kind !== 'create-stream') return;
  assert.equal(s.name, 'tx');
  assert.equal(s.ifNotExists, true);
  assert.deepEqual(s.columns.map((c) => [c.name, c.type.name, c.notNull]), [['id', 'bigint', true], ['amount', 'double precision', false], ['ts', 'timestamp', false]]);
  assert.equal(s.watermark!.column, 'ts');
  assert.equal(s.watermark!.text, "ts - INTERVAL '5' SECOND");
  assert.deepEqual(s.options.map((o) => [o.name, o.value]), [['connector', 'kafka'], ['topic', 'tx'], ['partitions', '3']]);
});

test('CREATE STREAM without columns (a connector that brings its own)', () => {
  const s = one(`CREATE STREAM bids WITH (connector = 'nexmark', kind = 'bid', events = 1000)`);
  assert.ok(s.kind === 'create-stream' && s.columns.length === 0 && s.watermark === null);
});

test('CREATE DATAFLOW into a stream, or keeping its result; the body text is kept', () => {
  const sql = `CREATE DATAFLOW order_processing WITH (parallelism = 4) AS
  INSERT INTO pending SELECT id, amount * 1.1 FROM orders WHERE status = 'pending'`;
  const s = one(sql);
  assert.ok(s.kind === 'create-dataflow');
  if (s.kind !== 'create-dataflow') return;
  assert.deepEqual(s.sink, { name: 'pending', columns: [] });
  assert.equal(sql.slice(s.bodyStart, s.bodyEnd), `INSERT INTO pending SELECT id, amount * 1.1 FROM orders WHERE status = 'pending'`);
  assert.deepEqual(s.options.map((o) => [o.name, o.value]), [['parallelism', '4']]);
  const kept = one('CREATE DATAFLOW totals AS SELECT 1');
  assert.ok(kept.kind === 'create-dataflow' && kept.sink === null);
});

test('DROP, ALTER DATAFLOW, FLUSH, SHOW, EXPLAIN, INSERT', () => {
  assert.deepEqual(one('DROP STREAM IF EXISTS a, b CASCADE'), { kind: 'drop', object: 'stream', names: ['a', 'b'], ifExists: true, cascade: true, pos: 0 });
  assert.deepEqual(one('ALTER DATAFLOW f SET PARALLELISM = 8'), { kind: 'alter-dataflow', name: 'f', action: { kind: 'set-parallelism', parallelism: 8 }, pos: 0 });
  assert.deepEqual(one('ALTER DATAFLOW f PAUSE'), { kind: 'alter-dataflow', name: 'f', action: { kind: 'pause' }, pos: 0 });
  assert.deepEqual(one('FLUSH'), { kind: 'flush', pos: 0 });
  assert.deepEqual(one('SHOW JOBS'), { kind: 'show-objects', object: 'jobs', pos: 0 });
  assert.deepEqual(one('SHOW TimeZone'), { kind: 'show', name: 'timezone', pos: 0 });
  const explain = one('EXPLAIN PHYSICAL (FORMAT JSON) CREATE DATAFLOW f AS SELECT 1');
  assert.ok(explain.kind === 'explain' && explain.mode === 'physical' && explain.format === 'json' && explain.target.kind === 'statement');
  assert.deepEqual(one('EXPLAIN DATAFLOW f'), { kind: 'explain', mode: 'logical', format: 'text', target: { kind: 'dataflow', name: 'f' }, pos: 0 });
  const insert = one("INSERT INTO orders (id, status) VALUES (1, 'a'), (2, 'b')");
  assert.ok(insert.kind === 'insert' && insert.target === 'orders' && insert.columns.length === 2);
});

test('bad Sabot statements are syntax errors with positions', () => {
  for (const [sql, position] of [['CREATE STREAM (a int)', 15], ['ALTER DATAFLOW f SET PARALLELISM = 1.5', 18], ['DROP STREAM', 12]] as const) {
    assert.throws(() => parseScriptUncached(sql), (e: SabotError) => e.code === '42601' && e.position === position, sql);
  }
});
