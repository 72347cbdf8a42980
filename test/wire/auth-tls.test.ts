/** Passwords (SCRAM-SHA-256, md5, cleartext, users files) and TLS, with psql and node-postgres. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startServer, type RunningServer } from '../support/server.js';

const run = promisify(execFile);

async function connectPg(server: RunningServer, options: Partial<pg.ClientConfig>): Promise<string> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, database: 'db', ...options });
  await c.connect();
  try {
    return (await c.query('SELECT current_user AS u')).rows[0].u;
  } finally {
    await c.end();
  }
}

function psql(server: RunningServer, conninfo: string, env: NodeJS.ProcessEnv = {}) {
  return run('psql', ['-X', '-A', '-t', `host=127.0.0.1 port=${server.port} dbname=db ${conninfo}`, '-c', 'SELECT current_user'],
    { env: { ...process.env, PGCONNECT_TIMEOUT: '5', ...env } });
}

async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: { code?: string }) => {
    assert.equal(e.code, code);
    return true;
  });
}

test('--password: SCRAM-SHA-256 for the right password, 28P01 for a wrong or missing one', async () => {
  const server = await startServer(['--password', 's3cret']);
  try {
    assert.equal(await connectPg(server, { user: 'alice', password: 's3cret' }), 'alice');
    await rejectsWithCode(connectPg(server, { user: 'alice', password: 'wrong' }), '28P01');
    const { stdout } = await psql(server, 'user=bob', { PGPASSWORD: 's3cret' });
    assert.equal(stdout, 'bob\n');
    await assert.rejects(psql(server, 'user=bob', { PGPASSWORD: 'nope' }),
      (e: { stderr: string }) => /password authentication failed for user "bob"/.test(e.stderr));
  } finally {
    await server.stop();
  }
});

test('--auth md5 and --auth password (cleartext), as clients ask for them', async () => {
  for (const method of ['md5', 'password']) {
    const server = await startServer(['--password', 'pw', '--auth', method]);
    try {
      assert.equal(await connectPg(server, { user: 'carol', password: 'pw' }), 'carol');
      await rejectsWithCode(connectPg(server, { user: 'carol', password: 'pw2' }), '28P01');
      const { stdout } = await psql(server, 'user=carol', { PGPASSWORD: 'pw' });
      assert.equal(stdout, 'carol\n');
    } finally {
      await server.stop();
    }
  }
});

test('--users-file: each user has their own secret; unknown users fail like wrong passwords', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sabot-users-'));
  const file = join(dir, 'users');
  writeFileSync(file, '# user:password\nann:annpw\nben:benpw\n');
  const server = await startServer(['--users-file', file]);
  try {
    assert.equal(await connectPg(server, { user: 'ann', password: 'annpw' }), 'ann');
    assert.equal(await connectPg(server, { user: 'ben', password: 'benpw' }), 'ben');
    await rejectsWithCode(connectPg(server, { user: 'ann', password: 'benpw' }), '28P01');
    await rejectsWithCode(connectPg(server, { user: 'nobody', password: 'annpw' }), '28P01');
  } finally {
    await server.stop();
  }
});

test('TLS: sslmode=require works with --tls-cert and --tls-key; without them the server says no', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sabot-tls-'));
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  const server = await startServer(['--tls-cert', cert, '--tls-key', key, '--password', 'tlspw']);
  try {
    const { stdout } = await run('psql', ['-X', '-A', '-t',
      `host=127.0.0.1 port=${server.port} dbname=db user=dora sslmode=require`, '-c', 'SELECT 40 + 2'],
    { env: { ...process.env, PGPASSWORD: 'tlspw' } });
    assert.equal(stdout, '42\n');
    assert.equal(await connectPg(server, { user: 'dora', password: 'tlspw', ssl: { rejectUnauthorized: false } }), 'dora');
  } finally {
    await server.stop();
  }
  const plain = await startServer();
  try {
    await assert.rejects(psql(plain, 'user=x sslmode=require'), (e: { stderr: string }) => /does not support SSL/.test(e.stderr));
    assert.equal((await psql(plain, 'user=x sslmode=prefer')).stdout, 'x\n');
  } finally {
    await plain.stop();
  }
});
