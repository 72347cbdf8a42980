import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SabotError } from '../../src/errors.js';
import { BackendWriter } from '../../src/wire/backend-writer.js';
import { decodeFrontend, decodeStartup } from '../../src/wire/frontend-messages.js';
import { MessageReader } from '../../src/wire/message-reader.js';

function frame(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const cstr = (s: string) => Buffer.from(`${s}\0`);
const int16 = (n: number) => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
const int32 = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };

test('frames split across chunks come out whole and in order', () => {
  const data = Buffer.concat([frame('Q', cstr('SELECT 1')), frame('S', Buffer.alloc(0)), frame('X', Buffer.alloc(0))]);
  const reader = new MessageReader();
  const types: string[] = [];
  for (let i = 0; i < data.length; i += 3) {
    reader.push(data.subarray(i, i + 3));
    for (let f = reader.nextTyped(1 << 20); f; f = reader.nextTyped(1 << 20)) types.push(String.fromCharCode(f.type));
  }
  assert.deepEqual(types, ['Q', 'S', 'X']);
  assert.equal(reader.buffered, 0);
});

test('a length below 4 or above the limit is a protocol violation', () => {
  const reader = new MessageReader();
  reader.push(Buffer.from([0x51, 0, 0, 0, 2]));
  assert.throws(() => reader.nextTyped(1024), (e: SabotError) => e.code === '08P01');
  const big = new MessageReader();
  big.push(Buffer.concat([Buffer.from('Q'), int32(5000)]));
  assert.throws(() => big.nextTyped(1024), (e: SabotError) => e.code === '08P01' && /invalid message length/.test(e.message));
});

test('startup packets: protocol 3.0 with parameters, SSLRequest, CancelRequest', () => {
  const startup = decodeStartup(Buffer.concat([int32(196608), cstr('user'), cstr('ann'), cstr('database'), cstr('db'), Buffer.from([0])]));
  assert.equal(startup.kind, 'startup');
  assert.ok(startup.kind === 'startup' && startup.parameters.get('user') === 'ann' && startup.majorVersion === 3);
  assert.deepEqual(decodeStartup(int32(80877103)), { kind: 'ssl-request' });
  assert.deepEqual(decodeStartup(Buffer.concat([int32(80877102), int32(7), int32(99)])),
    { kind: 'cancel-request', processId: 7, secretKey: 99 });
  assert.throws(() => decodeStartup(Buffer.concat([int32(196608), cstr('user')])), (e: SabotError) => e.code === '08P01');
});

test('Bind decodes formats, NULL and non-NULL parameters', () => {
  const body = Buffer.concat([
    cstr('p1'), cstr('s1'), int16(1), int16(1), int16(2), int32(-1), int32(3), Buffer.from('abc'), int16(1), int16(0),
  ]);
  const m = decodeFrontend('B'.charCodeAt(0), body);
  assert.equal(m.kind, 'bind');
  if (m.kind !== 'bind') return;
  assert.equal(m.portal, 'p1');
  assert.equal(m.statement, 's1');
  assert.deepEqual(m.paramFormats, [1]);
  assert.equal(m.params[0], null);
  assert.equal(m.params[1]!.toString(), 'abc');
  assert.deepEqual(m.resultFormats, [0]);
});

test('malformed bodies are protocol violations, never crashes', () => {
  const cases: [string, Buffer][] = [
    ['Q', Buffer.from('no terminator')],
    ['B', Buffer.concat([cstr(''), cstr(''), int16(5)])],
    ['B', Buffer.concat([cstr(''), cstr(''), int16(0), int16(1), int32(100)])],
    ['D', Buffer.from('Z')],
    ['E', cstr('')],
    ['P', Buffer.concat([cstr(''), cstr('SELECT 1'), int16(-1)])],
    ['S', Buffer.from('extra')],
    ['?', Buffer.alloc(0)],
  ];
  for (const [type, body] of cases) {
    assert.throws(() => decodeFrontend(type.charCodeAt(0), body), (e: SabotError) => e.code === '08P01', `${type} ${body.toString('hex')}`);
  }
});

test('BackendWriter frames messages with correct lengths', () => {
  const w = new BackendWriter(8);
  w.commandComplete('SELECT 1');
  w.dataRow(['1', null, Buffer.from([1, 2])]);
  w.readyForQuery('I');
  const out = w.take();
  assert.equal(out[0], 'C'.charCodeAt(0));
  assert.equal(out.readInt32BE(1), 4 + 'SELECT 1'.length + 1);
  const d = 1 + out.readInt32BE(1);
  assert.equal(out[d], 'D'.charCodeAt(0));
  assert.equal(out.readInt16BE(d + 5), 3);
  assert.equal(out.readInt32BE(d + 7), 1);
  assert.equal(out.readInt32BE(d + 12), -1);
  const z = d + 1 + out.readInt32BE(d + 1);
  assert.deepEqual([...out.subarray(z)], [0x5a, 0, 0, 0, 5, 0x49]);
  assert.equal(w.length, 0);
});

test('ErrorResponse carries SQLSTATE, message and position', () => {
  const w = new BackendWriter();
  w.errorResponse(new SabotError('42601', 'syntax error at or near "x"', { position: 8 }));
  const text = w.take().subarray(5).toString('latin1');
  assert.match(text, /SERROR\0/);
  assert.match(text, /C42601\0/);
  assert.match(text, /Msyntax error at or near "x"\0/);
  assert.match(text, /P8\0/);
});
