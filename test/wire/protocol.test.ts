import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { SabotServer } from '../../src/server.js';
import { tempDataDir } from '../support/server.js';
import { dataRow, errorFields, msg, RawClient, type RawMessage } from '../support/raw-client.js';

let server: SabotServer;

before(async () => {
  server = await SabotServer.start({ host: '127.0.0.1', port: 0, dataDir: tempDataDir(), log: () => undefined });
});

after(async () => {
  await server.stop();
});

const types = (messages: RawMessage[]) => messages.map((m) => m.type).join('');

async function client(): Promise<RawClient> {
  const c = await RawClient.connect(server.port);
  await c.startup();
  return c;
}

test('start-up reports the settings Postgres reports, a key, and ReadyForQuery idle', async () => {
  const c = await RawClient.connect(server.port);
  const messages = await c.startup({ user: 'ann', database: 'db', application_name: 'probe' });
  const status = new Map(messages.filter((m) => m.type === 'S').map((m) => {
    const [k, v] = m.body.toString().split('\0');
    return [k!, v!];
  }));
  assert.equal(messages[0]!.type, 'R');
  assert.equal(messages[0]!.body.readInt32BE(0), 0);
  for (const name of ['server_version', 'server_encoding', 'client_encoding', 'DateStyle', 'IntervalStyle', 'TimeZone',
    'integer_datetimes', 'standard_conforming_strings', 'application_name', 'is_superuser', 'session_authorization']) {
    assert.ok(status.has(name), `ParameterStatus ${name}`);
  }
  assert.equal(status.get('server_encoding'), 'UTF8');
  assert.equal(status.get('application_name'), 'probe');
  assert.equal(status.get('session_authorization'), 'ann');
  assert.match(status.get('server_version')!, /^16\.\d+ \(Sabot /);
  assert.ok(messages.some((m) => m.type === 'K' && m.body.length === 8));
  const last = messages[messages.length - 1]!;
  assert.equal(last.type, 'Z');
  assert.equal(last.body.toString(), 'I');
  c.end();
});

test('a simple query with several statements answers each, then one ReadyForQuery', async () => {
  const c = await client();
  c.send(msg.query('SELECT 1 AS a; SELECT 2; SET application_name = x'));
  const m = await c.until('Z');
  assert.equal(types(m), 'TDCTDCCSZ');
  assert.deepEqual(dataRow(m[1]!.body), ['1']);
  assert.equal(m[2]!.body.toString(), 'SELECT 1\0');
  assert.equal(m[6]!.body.toString(), 'SET\0');
  assert.equal(m[7]!.body.toString(), 'application_name\0x\0');
  c.end();
});

test('an empty query gets EmptyQueryResponse; an error stops the rest of the string', async () => {
  const c = await client();
  c.send(msg.query('  -- nothing\n'));
  assert.equal(types(await c.until('Z')), 'IZ');
  c.take();
  c.send(msg.query('SELECT 1; SELECT 1/0; SELECT 3'));
  const m = await c.until('Z');
  // The third statement never runs: no second row, no third result.
  assert.equal(types(m), 'TDCTEZ');
  assert.equal(errorFields(m[4]!.body).C, '22012');
  c.end();
});

test('syntax errors carry 42601 and the cursor position in the whole string', async () => {
  const c = await client();
  c.send(msg.query('SELECT 1; SELECT 1 +* 2'));
  const m = await c.until('Z');
  assert.equal(types(m), 'EZ');
  const f = errorFields(m[0]!.body);
  assert.equal(f.C, '42601');
  assert.equal(f.P, '21');
  c.end();
});

test('extended protocol: Describe, Execute with a row limit, PortalSuspended, Close', async () => {
  const c = await client();
  c.send(
    msg.parse('s1', 'VALUES (1), (2), ($1::int)'),
    msg.describe('S', 's1'),
    msg.bind('p1', 's1', ['3']),
    msg.execute('p1', 2),
    msg.execute('p1', 2),
    msg.close('P', 'p1'),
    msg.close('S', 's1'),
    msg.sync(),
  );
  const m = await c.until('Z');
  assert.equal(types(m), '1tT2DDsDC33Z');
  assert.equal(m[1]!.body.readInt16BE(0), 1);
  assert.equal(m[1]!.body.readInt32BE(2), 23); // $1 is an integer
  assert.deepEqual([m[4], m[5], m[7]].map((x) => dataRow(x!.body)[0]), ['1', '2', '3']);
  assert.equal(m[8]!.body.toString(), 'SELECT 3\0');
  c.end();
});

test('after an error, messages up to Sync are skipped', async () => {
  const c = await client();
  c.send(msg.parse('', 'SELECT nope'), msg.bind('', ''), msg.execute(''), msg.sync());
  const first = await c.until('Z');
  assert.equal(types(first), 'EZ');
  assert.equal(errorFields(first[0]!.body).C, '42703');
  c.take();
  c.send(msg.query('SELECT 5'));
  const m = await c.until('Z');
  assert.equal(types(m), 'TDCZ');
  c.end();
});

test('statement and portal names are checked', async () => {
  const c = await client();
  c.send(msg.parse('dup', 'SELECT 1'), msg.parse('dup', 'SELECT 2'), msg.sync());
  let m = await c.until('Z');
  assert.equal(types(m), '1EZ');
  assert.equal(errorFields(m[1]!.body).C, '42P05');
  c.take();
  c.send(msg.bind('', 'missing'), msg.sync(), msg.execute('missing'), msg.sync());
  await c.until('Z');
  m = await c.until('Z');
  const errors = m.filter((x) => x.type === 'E').map((x) => errorFields(x.body).C);
  assert.deepEqual(errors, ['26000', '34000']);
  c.end();
});

test('ReadyForQuery reports the transaction block and its failure', async () => {
  const c = await client();
  const statusAfter = async (sql: string) => {
    c.send(msg.query(sql));
    const m = await c.until('Z');
    c.take();
    return m[m.length - 1]!.body.toString();
  };
  assert.equal(await statusAfter('BEGIN'), 'T');
  assert.equal(await statusAfter('SELECT 1/0'), 'E');
  assert.equal(await statusAfter('SELECT 1'), 'E');
  assert.equal(await statusAfter('ROLLBACK'), 'I');
  c.send(msg.query('COMMIT'));
  const m = await c.until('Z');
  assert.equal(types(m), 'NCZ');
  assert.equal(errorFields(m[0]!.body).C, '25P01');
  c.end();
});

test('an unknown message type closes that connection only, with 08P01', async () => {
  const bad = await client();
  const good = await client();
  bad.send(msg.frame('!', Buffer.from('junk')));
  const m = await bad.until('E');
  assert.equal(errorFields(m[m.length - 1]!.body).C, '08P01');
  assert.ok(await bad.waitClosed());
  good.send(msg.query('SELECT 42'));
  assert.deepEqual(dataRow((await good.until('Z')).find((x) => x.type === 'D')!.body), ['42']);
  good.end();
});

test('protocol versions: 2.0 is refused, 3.1 is negotiated down to 3.0', async () => {
  const old = await RawClient.connect(server.port);
  old.send(msg.startup({ user: 'x' }, 2 << 16));
  const m = await old.until('E');
  assert.equal(errorFields(m[0]!.body).C, '08P01');
  assert.ok(await old.waitClosed());
  const newer = await RawClient.connect(server.port);
  newer.send(msg.startup({ user: 'x', '_pq_.future': 'on' }, (3 << 16) | 1));
  const n = await newer.until('Z');
  const v = n.find((x) => x.type === 'v')!;
  assert.equal(v.body.readInt32BE(0), 0);
  assert.equal(v.body.readInt32BE(4), 1);
  assert.equal(v.body.subarray(8).toString(), '_pq_.future\0');
  newer.end();
});

test('SSLRequest without TLS configured is answered N and start-up continues', async () => {
  const c = await RawClient.connect(server.port);
  c.expectRawBytes(1);
  c.send(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]));
  await c.until('raw');
  assert.equal(c.take()[0]!.body.toString(), 'N');
  const m = await c.startup();
  assert.equal(m[m.length - 1]!.type, 'Z');
  c.end();
});

test('a message cut short by the client closing gets 08P01', async () => {
  const c = await client();
  c.socket.end(Buffer.concat([Buffer.from('Q'), Buffer.from([0, 0, 0, 50]), Buffer.from('SELECT')]));
  const m = await c.until('E');
  assert.equal(errorFields(m[m.length - 1]!.body).C, '08P01');
  assert.match(errorFields(m[m.length - 1]!.body).M!, /unexpected EOF/);
});

test('CancelRequest with the right key cancels the running statement (57014)', async () => {
  const c = await RawClient.connect(server.port);
  const start = await c.startup();
  const key = start.find((m) => m.type === 'K')!.body;
  c.send(msg.query('SELECT pg_sleep(30)'));
  await new Promise((r) => setTimeout(r, 200));
  const began = Date.now();
  // A wrong key does nothing; the right one cancels.
  for (const secret of [key.readInt32BE(4) ^ 1, key.readInt32BE(4)]) {
    const cancel = Buffer.alloc(16);
    cancel.writeInt32BE(16, 0);
    cancel.writeInt32BE(80877102, 4);
    cancel.writeInt32BE(key.readInt32BE(0), 8);
    cancel.writeInt32BE(secret, 12);
    await new Promise<void>((resolve) => {
      const s = connect(server.port, '127.0.0.1', () => s.end(cancel));
      s.on('close', () => resolve());
    });
  }
  const m = await c.until('Z');
  assert.ok(Date.now() - began < 5000);
  assert.equal(types(m), 'TEZ');
  assert.equal(errorFields(m[1]!.body).C, '57014');
  c.send(msg.query('SELECT 1'));
  c.take();
  assert.equal(types(await c.until('Z')), 'TDCZ');
  c.end();
});

test('binary parameters and binary results, as Bind asks for them', async () => {
  const c = await client();
  const int4 = Buffer.alloc(4);
  int4.writeInt32BE(-41);
  const bind = Buffer.concat([
    Buffer.from('\0\0'), // portal "", statement ""
    Buffer.from([0, 1, 0, 1]), // one parameter format: binary
    Buffer.from([0, 1]), Buffer.from([0, 0, 0, 4]), int4, // one parameter, 4 bytes
    Buffer.from([0, 1, 0, 1]), // one result format: binary
  ]);
  c.send(msg.parse('', 'SELECT $1::int4 - 1, 2.5::float8', [23]), msg.frame('B', bind), msg.describe('P', ''), msg.execute(''), msg.sync());
  const m = await c.until('Z');
  assert.equal(types(m), '12TDCZ');
  const row = m[3]!.body;
  assert.equal(row.readInt32BE(2), 4);
  assert.equal(row.readInt32BE(6), -42);
  assert.equal(row.readInt32BE(10), 8);
  assert.equal(row.readDoubleBE(14), 2.5);
  // RowDescription reports the binary format code per column.
  const desc = m[2]!.body;
  assert.equal(desc.readInt16BE(desc.length - 2), 1);
  c.end();
});
