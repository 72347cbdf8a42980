import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { checkKafkaReachable, kafkaSink } from '../../../src/connectors/kafka/index.js';
import { SabotError } from '../../../src/errors.js';
import { Types } from '../../../src/types/sql-type.js';
import { kafkaBootstrap } from '../../support/kafka.js';

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('kafka reachability', () => {
  it('passes for a broker that answers', async () => {
    await checkKafkaReachable({ topic: 'anything', bootstrap_servers: kafkaBootstrap() });
  });

  it('names the address it cannot reach, with SQLSTATE 08001', async () => {
    const address = `127.0.0.1:${await closedPort()}`;
    await assert.rejects(checkKafkaReachable({ topic: 't', bootstrap_servers: address }), (e: unknown) => {
      assert.ok(e instanceof SabotError);
      assert.equal(e.code, '08001');
      assert.match(e.message, new RegExp(`^cannot reach Kafka at ${address}: `));
      return true;
    });
  });

  it('gives up on an address that never answers, after the timeout', async () => {
    // A listener that accepts connections and never says a word.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(silent.address() as { port: number }).port}`;
    const started = Date.now();
    await assert.rejects(checkKafkaReachable({ bootstrap_servers: address }, 1_000), /^SabotError: cannot reach Kafka at 127\.0\.0\.1:\d+: /);
    assert.ok(Date.now() - started < 10_000);
    silent.close();
  });

  it('a sink on an unreachable address fails to open, naming it', async () => {
    const address = `127.0.0.1:${await closedPort()}`;
    const stream = { name: 's', connector: 'kafka', options: { topic: 't', bootstrap_servers: address }, watermark: null,
      columns: [{ name: 'v', type: Types.int4, nullable: true }] };
    await assert.rejects(kafkaSink.open(stream), new RegExp(`cannot write to Kafka topic t at ${address}`));
  });
});
