/**
 * Real clients against `sabot serve` started as a user starts it: the system's psql,
 * node-postgres (extended protocol for parameterized queries) and psycopg2.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startServer, type RunningServer } from '../support/server.js';

const run = promisify(execFile);
let server: RunningServer;

before(async () => {
  server = await startServer();
});

after(async () => {
  assert.equal(await server.stop(), 0, 'the server exits cleanly on SIGTERM');
});

function psql(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run('psql', ['-X', '-h', '127.0.0.1', '-p', String(server.port), '-U', 'tester', '-d', 'db', ...args],
    { env: { ...process.env, PGCONNECT_TIMEOUT: '5', ...env } });
}

async function withClient<T>(f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'tester', database: 'db' });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

test('psql runs queries and prints what Postgres prints', async () => {
  const { stdout } = await psql(['-A', '-t', '-c', "SELECT 1 + 1, 'x' || 'y', 2.50::numeric, NULL IS NULL"]);
  assert.equal(stdout, '2|xy|2.50|t\n');
  const aligned = await psql(['-c', 'SELECT 1 AS one, version() AS v']);
  assert.match(aligned.stdout, /^ one \| +v/);
  assert.match(aligned.stdout, /PostgreSQL 16\.\d+ \(Sabot/);
  assert.match(aligned.stdout, /\(1 row\)/);
});

test('psql shows errors with SQLSTATE wording and exits 1 under ON_ERROR_STOP', async () => {
  await assert.rejects(psql(['-v', 'ON_ERROR_STOP=1', '-c', 'SELECT 1/0']), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 1);
    assert.match(err.stderr, /ERROR: {2}division by zero/);
    return true;
  });
  await assert.rejects(psql(['-v', 'ON_ERROR_STOP=1', '-c', 'SELEC 1']), (err: { stderr: string }) => {
    assert.match(err.stderr, /syntax error at or near "SELEC"/);
    assert.match(err.stderr, /LINE 1: SELEC 1\n\s+\^/);
    return true;
  });
});

test('psql \\copy writes CSV through COPY TO STDOUT', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sabot-copy-')), 'out.csv');
  const { stdout } = await psql(['-c', `\\copy (VALUES (1, 'a,b'), (2, NULL), (3, 'say "hi"')) to '${file}' csv header`]);
  assert.match(stdout, /COPY 3/);
  assert.equal(readFileSync(file, 'utf8'), 'column1,column2\n1,"a,b"\n2,\n3,"say ""hi"""\n');
});

test('psql runs a script with settings and transactions', async () => {
  const { stdout } = await psql(['-A', '-t', '-c', "BEGIN; SET LOCAL TimeZone = 'Asia/Kolkata'; SELECT '2024-01-01 00:00:00+00'::timestamptz; COMMIT; SHOW TimeZone"]);
  assert.equal(stdout, 'BEGIN\nSET\n2024-01-01 05:30:00+05:30\nCOMMIT\nUTC\n');
});

test('node-postgres: simple and parameterized queries, with typed results', async () => {
  await withClient(async (c) => {
    const simple = await c.query("SELECT 1 AS n, 'a' AS s, true AS b, 9007199254740993 AS big");
    assert.deepEqual(simple.rows, [{ n: 1, s: 'a', b: true, big: '9007199254740993' }]);
    assert.deepEqual(simple.fields.map((f) => f.dataTypeID), [23, 25, 16, 20]);
    const params = await c.query('SELECT $1::int + 1 AS next, $2::text AS t, $3::numeric * 2 AS twice', [41, 'hé', '1.25']);
    assert.deepEqual(params.rows, [{ next: 42, t: 'hé', twice: '2.50' }]);
    const ts = await c.query("SELECT '2024-03-04 05:06:07.5+00'::timestamptz AS t");
    assert.equal((ts.rows[0].t as Date).toISOString(), '2024-03-04T05:06:07.500Z');
    const json = await c.query(`SELECT '{"a": [1, 2]}'::jsonb AS j`);
    assert.deepEqual(json.rows[0].j, { a: [1, 2] });
    const nulls = await c.query('SELECT $1::int IS NULL AS missing', [null]);
    assert.equal(nulls.rows[0].missing, true);
  });
});

test('node-postgres: prepared statements by name are reused', async () => {
  await withClient(async (c) => {
    for (let i = 0; i < 5; i++) {
      const r = await c.query({ name: 'square', text: 'SELECT $1::bigint * $1::bigint AS sq', values: [i] });
      assert.equal(r.rows[0].sq, String(i * i));
    }
  });
});

test('node-postgres: errors carry SQLSTATE, position and keep the session usable', async () => {
  await withClient(async (c) => {
    await assert.rejects(c.query('SELECT nope'), (e: pg.DatabaseError) => e.code === '42703' && e.position === '8');
    await assert.rejects(c.query('SELECT $1::int', ['x']), (e: pg.DatabaseError) => e.code === '22P02');
    assert.equal((await c.query('SELECT 2 AS two')).rows[0].two, 2);
  });
});

test('node-postgres: binary results decode as Postgres sends them', async () => {
  await withClient(async (c) => {
    const r = await c.query({
      text: "SELECT 7::int2 AS a, -5 AS b, 12345678901::int8 AS c, 1.5::float8 AS d, true AS e, 'txt' AS f",
      binary: true,
    } as pg.QueryConfig & { binary: boolean });
    const row = r.rows[0];
    assert.equal(row.a, 7);
    assert.equal(row.b, -5);
    assert.equal(String(row.c), '12345678901');
    assert.equal(row.d, 1.5);
    assert.equal(row.e, true);
    assert.equal(row.f, 'txt');
  });
});

test('psycopg2: transactions, parameters, errors and cancel', async () => {
  const script = `
import psycopg2, psycopg2.errors, threading, time
conn = psycopg2.connect(host='127.0.0.1', port=${server.port}, user='py', dbname='db')
print('version', conn.server_version >= 160000)
cur = conn.cursor()
cur.execute('SELECT %s + %s, %s', (1, 2, "it's"))
print('row', cur.fetchone())
print('status', conn.get_transaction_status())
conn.commit()
try:
    cur.execute('SELECT 1/0')
except psycopg2.errors.DivisionByZero as e:
    print('error', e.pgcode)
conn.rollback()
conn.autocommit = True
threading.Timer(0.3, conn.cancel).start()
t = time.time()
try:
    cur.execute('SELECT pg_sleep(20)')
except psycopg2.errors.QueryCanceled as e:
    print('canceled', e.pgcode, time.time() - t < 5)
cur.execute('SELECT current_setting(%s)', ('application_name',))
print('after', cur.fetchone())
conn.close()
`;
  const { stdout } = await run('/usr/bin/python3', ['-c', script]);
  assert.equal(stdout, [
    'version True', "row (3, \"it's\")", 'status 2', 'error 22012', 'canceled 57014 True', "after ('',)", '',
  ].join('\n'));
});

test('200 concurrent connections each get their answer', async () => {
  const clients = await Promise.all(Array.from({ length: 200 }, async () => {
    const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'many', database: 'db' });
    await c.connect();
    return c;
  }));
  const results = await Promise.all(clients.map((c, i) => c.query('SELECT $1::int * 2 AS v', [i])));
  assert.deepEqual(results.map((r) => r.rows[0].v), clients.map((_, i) => i * 2));
  await Promise.all(clients.map((c) => c.end()));
});
