/**
 * Bad input never takes the server down: thousands of random and mutated protocol
 * messages, before and after start-up, over many connections; then a normal client
 * must still get answers and no session may be left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { SabotServer } from '../../src/server.js';
import { tempDataDir } from '../support/server.js';
import { msg, RawClient } from '../support/raw-client.js';

/** A small seeded generator (mulberry32), so a failing run can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const valid: Buffer[] = [
  msg.query('SELECT 1'),
  msg.query("SELECT 'x' || $1"),
  msg.parse('s', 'SELECT $1::int + 1'),
  msg.bind('', 's', ['1']),
  msg.bind('p', 's', [null], [1]),
  msg.describe('S', 's'),
  msg.describe('P', ''),
  msg.execute('', 1),
  msg.close('S', 's'),
  msg.sync(),
  msg.flush(),
  msg.frame('d', Buffer.from('copy data')),
  msg.frame('p', Buffer.from('password\0')),
  msg.frame('F', Buffer.alloc(12)),
];

function mutate(rnd: () => number, base: Buffer): Buffer {
  const b = Buffer.from(base);
  switch (Math.floor(rnd() * 6)) {
    case 0: // flip some bytes
      for (let i = 0; i < 1 + rnd() * 4; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      return b;
    case 1: // truncate
      return b.subarray(0, Math.floor(rnd() * b.length));
    case 2: // lie about the length
      if (b.length >= 5) b.writeInt32BE(Math.floor(rnd() * 2 ** 31) * (rnd() < 0.5 ? -1 : 1) | 0, 1);
      return b;
    case 3: // random type byte
      b[0] = Math.floor(rnd() * 256);
      return b;
    case 4: // pure noise
      return Buffer.from(Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)));
    default: // unchanged
      return b;
  }
}

test('thousands of random and mutated messages leave the server serving', async () => {
  const server = await SabotServer.start({ host: '127.0.0.1', port: 0, dataDir: tempDataDir(), log: () => undefined });
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
  const rnd = random(seed);
  let sent = 0;
  try {
    for (let round = 0; round < 25; round++) {
      const clients = await Promise.all(Array.from({ length: 16 }, () => RawClient.connect(server.port)));
      await Promise.all(clients.map(async (c, i) => {
        // Half the connections start up properly first, so the query phase is fuzzed too.
        if (i % 2 === 0) await c.startup();
        else if (rnd() < 0.5) c.send(mutate(rnd, msg.startup({ user: 'fuzz', database: 'db' })));
        for (let k = 0; k < 12; k++) {
          c.send(mutate(rnd, valid[Math.floor(rnd() * valid.length)]!));
          sent++;
        }
        await new Promise((r) => setTimeout(r, 20));
        c.end();
      }));
    }
    assert.ok(sent >= 4000, `sent ${sent} messages`);
    const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'after', database: 'db' });
    await c.connect();
    assert.equal((await c.query('SELECT 6 * 7 AS v')).rows[0].v, 42, `seed ${seed}`);
    await c.end();
    const deadline = Date.now() + 5000;
    while (server.connectionCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.connectionCount, 0, `sessions left behind (seed ${seed})`);
  } finally {
    await server.stop();
  }
});
