import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaClient } from '../../../src/connectors/kafka/client.js';
import { kafkaSink, kafkaSource, readKafkaContents } from '../../../src/connectors/kafka/index.js';
import type { ColumnSchema } from '../../../src/runtime/arrow-types.js';
import { batchFromRows, rowsFromBatch } from '../../../src/runtime/rows.js';
import { Decimal } from '../../../src/types/decimal.js';
import { Interval } from '../../../src/types/interval.js';
import { keyPartition } from '../../../src/connectors/kafka/murmur2.js';
import { Types } from '../../../src/types/sql-type.js';
import { consume, kafkaBootstrap, kafkaStream, produce, readUntilPassed, uniqueTopic } from '../../support/kafka.js';

const col = (name: string, type: ColumnSchema['type'], nullable = true): ColumnSchema => ({ name, type, nullable });

const columns = [col('id', Types.int4), col('name', Types.text), col('big', Types.int8), col('price', Types.float8),
  col('amount', Types.numeric), col('paid', Types.bool), col('at', Types.timestamp), col('at_utc', Types.timestamptz),
  col('wait', Types.interval), col('doc', Types.jsonb)];
const at = Date.UTC(2024, 4, 1, 10, 0, 0) * 1000;
const rows = [
  [1, 'plain', 42n, 1.5, Decimal.parse('12.50'), true, at, at + 500_000, Interval.parse('1 day 02:00:00'), '{"a": [1, 2]}'],
  [2, 'comma, "quote"\nline', 9007199254740993n, -0.25, Decimal.parse('NaN'), false, at + 123_456, at, Interval.parse('-3 mons'), '"s"'],
  [3, null, null, null, null, null, null, null, null, null],
  [4, '', -1n, 1e21, Decimal.parse('-7'), true, at, at, Interval.parse('00:00:01'), 'null'],
];

async function partitionsOf(topic: string): Promise<number> {
  const client = new KafkaClient(kafkaBootstrap());
  try {
    return (await client.topic(topic, true))?.leaders.length ?? 0;
  } finally {
    await client.close();
  }
}

describe('kafka sink', () => {
  it('writes JSON that kcat reads: numbers as numbers, big int8 as text, Postgres text forms, ISO timestamps', async () => {
    const topic = uniqueTopic('sink-json');
    const writer = await kafkaSink.open(kafkaStream(topic, columns));
    await writer.write([batchFromRows(columns, rows)]);
    await writer.close();
    const got = (await consume(topic, 4)).sort((a, b) => a.offset - b.offset);
    assert.deepEqual(got.map((m) => m.payload), [
      '{"id":1,"name":"plain","big":42,"price":1.5,"amount":12.50,"paid":true,"at":"2024-05-01T10:00:00",'
        + '"at_utc":"2024-05-01T10:00:00.5Z","wait":"1 day 02:00:00","doc":{"a": [1, 2]}}',
      '{"id":2,"name":"comma, \\"quote\\"\\nline","big":"9007199254740993","price":-0.25,"amount":"NaN","paid":false,'
        + '"at":"2024-05-01T10:00:00.123456","at_utc":"2024-05-01T10:00:00Z","wait":"-3 mons","doc":"s"}',
      '{"id":3,"name":null,"big":null,"price":null,"amount":null,"paid":null,"at":null,"at_utc":null,"wait":null,"doc":null}',
      '{"id":4,"name":"","big":-1,"price":1e+21,"amount":-7,"paid":true,"at":"2024-05-01T10:00:00",'
        + '"at_utc":"2024-05-01T10:00:00Z","wait":"00:00:01","doc":null}',
    ]);
    for (const m of got) assert.deepEqual(Object.keys(JSON.parse(m.payload!) as object), columns.map((c) => c.name));
    assert.ok(got.every((m) => m.key === null));
  });

  it('writes CSV: fields quoted only when they must be, NULL as an empty field', async () => {
    const topic = uniqueTopic('sink-csv');
    const writer = await kafkaSink.open(kafkaStream(topic, columns, { format: 'csv' }));
    await writer.write([batchFromRows(columns, rows)]);
    await writer.close();
    const got = (await consume(topic, 4)).sort((a, b) => a.offset - b.offset);
    assert.deepEqual(got.map((m) => m.payload), [
      '1,plain,42,1.5,12.50,t,2024-05-01T10:00:00,2024-05-01T10:00:00.5Z,1 day 02:00:00,"{""a"": [1, 2]}"',
      '2,"comma, ""quote""\nline",9007199254740993,-0.25,NaN,f,2024-05-01T10:00:00.123456,2024-05-01T10:00:00Z,-3 mons,"""s"""',
      '3,,,,,,,,,',
      '4,"",-1,1e+21,-7,t,2024-05-01T10:00:00,2024-05-01T10:00:00Z,00:00:01,null',
    ]);
  });

  it('creates a missing topic with its partitions; the key column picks the partition as the Java client does', async () => {
    const topic = uniqueTopic('sink-keyed');
    const keyed = [col('user', Types.text), col('n', Types.int4)];
    const writer = await kafkaSink.open(kafkaStream(topic, keyed, { key: 'user', partitions: '3' }));
    assert.equal(await partitionsOf(topic), 3);
    const users = ['21', 'foobar', 'abc', 'a-little-bit-long-string'];
    const input = Array.from({ length: 40 }, (_, n) => [users[n % 4], n]);
    await writer.write([batchFromRows(keyed, input.slice(0, 25)), batchFromRows(keyed, input.slice(25))]);
    await writer.close();
    const got = await consume(topic, 40);
    // Kafka's murmur2 of these keys (from Kafka's own tests): 21 → -973932308, foobar → -790332482,
    // abc → 479470107, a-little-bit-long-string → -985981536; partition = (hash & 0x7fffffff) % 3.
    const expected: Record<string, number> = {};
    for (const [key, hash] of [['21', -973932308], ['foobar', -790332482], ['abc', 479470107], ['a-little-bit-long-string', -985981536]] as const) {
      expected[key] = (hash & 0x7fffffff) % 3;
    }
    for (const m of got) assert.equal(m.partition, expected[m.key!], `key ${m.key}`);
    // Each key's messages keep their order.
    for (const user of users) {
      const ns = got.filter((m) => m.key === user).sort((a, b) => a.offset - b.offset).map((m) => (JSON.parse(m.payload!) as { n: number }).n);
      assert.deepEqual(ns, input.filter((r) => r[0] === user).map((r) => r[1]));
    }
  });

  it('keys the rows of an updating result by its upsert key columns, as JSON: the same key always in the same partition', async () => {
    const topic = uniqueTopic('sink-upsert');
    const result = [col('auction', Types.int8), col('channel', Types.text), col('bids', Types.int8)];
    const writer = await kafkaSink.open(kafkaStream(topic, result, { partitions: '3' }), { upsertKeys: ['auction', 'channel'] });
    const input = Array.from({ length: 30 }, (_, n) => [BigInt(1000 + n % 5), n % 5 === 4 ? null : 'web', BigInt(n)]);
    await writer.write([batchFromRows(result, input.slice(0, 12)), batchFromRows(result, input.slice(12))]);
    await writer.close();
    const got = await consume(topic, 30);
    assert.deepEqual([...new Set(got.map((m) => m.key))].sort(), ['{"auction":1000,"channel":"web"}', '{"auction":1001,"channel":"web"}',
      '{"auction":1002,"channel":"web"}', '{"auction":1003,"channel":"web"}', '{"auction":1004,"channel":null}']);
    const bytes = new TextEncoder();
    for (const m of got) {
      const key = bytes.encode(m.key!);
      assert.equal(m.partition, keyPartition(key, 0, key.length, 3), `key ${m.key}`);
    }
    // A key's rows keep their order, so the last one read is the latest.
    for (const auction of [1000, 1001, 1002, 1003, 1004]) {
      const ns = got.filter((m) => (JSON.parse(m.key!) as { auction: number }).auction === auction)
        .sort((a, b) => a.offset - b.offset).map((m) => (JSON.parse(m.payload!) as { bids: number }).bids);
      assert.deepEqual(ns, input.filter((r) => r[0] === BigInt(auction)).map((r) => Number(r[2])));
    }
  });

  it('keys upsert rows by the CSV of their key columns; a stream\'s own key column wins; an unknown key column is an error', async () => {
    const result = [col('auction', Types.int8), col('channel', Types.text), col('bids', Types.int8)];
    const csvTopic = uniqueTopic('sink-upsert-csv');
    let writer = await kafkaSink.open(kafkaStream(csvTopic, result, { format: 'csv' }), { upsertKeys: ['channel', 'auction'] });
    await writer.write([batchFromRows(result, [[1007n, 'web, mobile', 3n], [1008n, null, 1n]])]);
    await writer.close();
    assert.deepEqual((await consume(csvTopic, 2)).sort((a, b) => a.offset - b.offset).map((m) => [m.key, m.payload]),
      [['"web, mobile",1007', '1007,"web, mobile",3'], [',1008', '1008,,1']]);
    const ownKeyTopic = uniqueTopic('sink-upsert-own-key');
    writer = await kafkaSink.open(kafkaStream(ownKeyTopic, result, { key: 'channel' }), { upsertKeys: ['auction'] });
    await writer.write([batchFromRows(result, [[1007n, 'web', 3n]])]);
    await writer.close();
    assert.deepEqual((await consume(ownKeyTopic, 1)).map((m) => m.key), ['web']);
    await assert.rejects(kafkaSink.open(kafkaStream(uniqueTopic('sink-upsert-bad'), result), { upsertKeys: ['bidder'] }),
      /upsert key column "bidder" is not a column/);
  });

  it('spreads unkeyed rows over the partitions and splits large writes into several record batches', async () => {
    const topic = uniqueTopic('sink-spread');
    const wide = [col('n', Types.int8), col('pad', Types.text)];
    const writer = await kafkaSink.open(kafkaStream(topic, wide, { partitions: '4' }));
    const pad = 'x'.repeat(500);
    await writer.write([batchFromRows(wide, Array.from({ length: 6000 }, (_, n) => [BigInt(n), pad]))]);
    await writer.close();
    const got = await consume(topic, 6000, { timeoutMs: 60_000 });
    assert.deepEqual(new Set(got.map((m) => m.partition)), new Set([0, 1, 2, 3]));
    assert.deepEqual(got.map((m) => (JSON.parse(m.payload!) as { n: number }).n).sort((a, b) => a - b), Array.from({ length: 6000 }, (_, n) => n));
  });

  it('writes _key as the message key and _timestamp as the record time, not into the payload; the source reads them back', async () => {
    const topic = uniqueTopic('sink-meta');
    const meta = [col('_key', Types.text), col('_timestamp', Types.timestamp), col('v', Types.int4)];
    const stream = kafkaStream(topic, meta);
    const writer = await kafkaSink.open(stream);
    const input = [['a', at, 1], [null, at + 1000, 2]];
    await writer.write([batchFromRows(meta, input)]);
    await writer.close();
    const got = (await consume(topic, 2)).sort((a, b) => a.ts - b.ts);
    assert.deepEqual(got.map((m) => [m.key, m.ts, m.payload]), [['a', at / 1000, '{"v":1}'], [null, at / 1000 + 1, '{"v":2}']]);
    const split = await kafkaSource.open(stream, { split: 0, splits: 1, position: null, columns: meta });
    assert.deepEqual((await readUntilPassed(split, meta)).rows, input);
    await split.close();
  });

  it('what the sink writes, the source reads back as the same rows, in JSON and in CSV', async () => {
    for (const format of ['json', 'csv']) {
      const topic = uniqueTopic(`roundtrip-${format}`);
      const stream = kafkaStream(topic, columns, { format });
      const writer = await kafkaSink.open(stream);
      await writer.write([batchFromRows(columns, rows)]);
      await writer.close();
      const split = await kafkaSource.open(stream, { split: 0, splits: 1, position: null, columns });
      const read = await readUntilPassed(split, columns);
      await split.close();
      assert.deepEqual(read.rejected, []);
      assert.deepEqual(read.rows.map((r) => r.map(String)), rowsFromBatch(columns, batchFromRows(columns, rows)).map((r) => r.map(String)), format);
    }
  });
});

describe('kafka topic contents', () => {
  it('reads a topic from its earliest offsets to its end as of the call, up to a limit', async () => {
    const topic = uniqueTopic('contents');
    const cols = [col('n', Types.int4)];
    const writer = await kafkaSink.open(kafkaStream(topic, cols, { partitions: '2' }));
    await writer.write([batchFromRows(cols, [[1], [2], [3], [4], [5]])]);
    await writer.close();
    await produce(topic, ['{"n": "bad"}'], { partition: 0 });
    const stream = kafkaStream(topic, cols);
    const all = (await readKafkaContents(stream, cols)).flatMap((b) => rowsFromBatch(cols, b));
    assert.deepEqual(all.map((r) => r[0]).sort(), [1, 2, 3, 4, 5]);
    const limited = (await readKafkaContents(stream, cols, 2)).flatMap((b) => rowsFromBatch(cols, b));
    assert.equal(limited.length, 2);
    assert.deepEqual(await readKafkaContents(kafkaStream(uniqueTopic('none'), cols), cols), []);
  });
});
