import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kafkaSource } from '../../../src/connectors/kafka/index.js';
import type { ColumnSchema } from '../../../src/runtime/arrow-types.js';
import { Types } from '../../../src/types/sql-type.js';
import { createTopic, kafkaStream, produce, readUntilPassed, uniqueTopic } from '../../support/kafka.js';

const col = (name: string, type: ColumnSchema['type'], nullable = true): ColumnSchema => ({ name, type, nullable });

const orders = [col('id', Types.int8, false), col('item', Types.text), col('amount', Types.float8), col('ts', Types.timestamp)];
const order = (id: number, p: number) => JSON.stringify({ id, item: `item ${id}`, amount: id / 2, ts: `2024-05-01T10:00:${String(id % 60).padStart(2, '0')}Z`, p });

describe('kafka source', () => {
  it('reads JSON from every partition, each split its own partitions, with the key and record time', async () => {
    const topic = uniqueTopic('orders');
    await createTopic(topic, 3);
    const before = Date.now();
    for (let p = 0; p < 3; p++) {
      await produce(topic, Array.from({ length: 5 }, (_, i) => ({ key: `k${p * 10 + i}`, value: order(p * 10 + i, p) })), { partition: p });
    }
    const columns = [...orders, col('_key', Types.text), col('_timestamp', Types.timestamptz)];
    const stream = kafkaStream(topic, columns);
    const read = [];
    for (let split = 0; split < 2; split++) {
      const s = await kafkaSource.open(stream, { split, splits: 2, position: null, columns });
      read.push(await readUntilPassed(s, columns));
      await s.close();
    }
    // split 0 reads partitions 0 and 2, split 1 partition 1
    assert.deepEqual(read[0]!.position, { 0: 5, 2: 5 });
    assert.deepEqual(read[1]!.position, { 1: 5 });
    assert.deepEqual(read[1]!.rows.map((r) => r[0]), [10n, 11n, 12n, 13n, 14n]);
    const all = [...read[0]!.rows, ...read[1]!.rows].sort((a, b) => Number(a[0]) - Number(b[0]));
    assert.equal(all.length, 15);
    assert.deepEqual(all[0]!.slice(0, 5), [0n, 'item 0', 0, Date.UTC(2024, 4, 1, 10, 0, 0) * 1000, 'k0']);
    assert.deepEqual(all[14]!.slice(0, 5), [24n, 'item 24', 12, Date.UTC(2024, 4, 1, 10, 0, 24) * 1000, 'k24']);
    for (const r of all) {
      const ms = (r[5] as number) / 1000;
      assert.ok(ms >= before - 1000 && ms <= Date.now() + 1000, `record time ${ms} is when kcat produced it`);
    }
  });

  it('decodes only the requested columns, in the requested order', async () => {
    const topic = uniqueTopic('project');
    await produce(topic, [order(1, 0), order(2, 0)]);
    const columns = [col('amount', Types.float8), col('id', Types.int8, false)];
    const s = await kafkaSource.open(kafkaStream(topic, orders), { split: 0, splits: 1, position: null, columns });
    assert.deepEqual((await readUntilPassed(s, columns)).rows, [[0.5, 1n], [1, 2n]]);
    await s.close();
  });

  it('keeps records that do not decode as rejections with topic, partition, offset and reason, and goes on', async () => {
    const topic = uniqueTopic('bad-json');
    await produce(topic, [
      order(1, 0),
      '{"id": 2, "item": "x"',
      '{"id": "two", "item": "y"}',
      'not json at all',
      '{"item": "no id"}',
      '{"id": 3, "amount": true}',
      '[1, 2]',
      order(4, 0),
    ]);
    const s = await kafkaSource.open(kafkaStream(topic, orders), { split: 0, splits: 1, position: null, columns: orders });
    const read = await readUntilPassed(s, orders);
    await s.close();
    assert.deepEqual(read.rows.map((r) => r[0]), [1n, 4n]);
    assert.deepEqual(read.rejected.map((r) => [r.source, r.offset, r.payload]), [
      [`${topic}/0`, 1n, '{"id": 2, "item": "x"'],
      [`${topic}/0`, 2n, '{"id": "two", "item": "y"}'],
      [`${topic}/0`, 3n, 'not json at all'],
      [`${topic}/0`, 4n, '{"item": "no id"}'],
      [`${topic}/0`, 5n, '{"id": 3, "amount": true}'],
      [`${topic}/0`, 6n, '[1, 2]'],
    ]);
    assert.deepEqual(read.rejected.map((r) => r.reason), [
      'invalid JSON: the record ends where "," or "}" was expected',
      'column "id": invalid input syntax for type bigint: "two"',
      'not a JSON object',
      'column "id" is NOT NULL but the record has no value for it',
      'column "amount" is double precision, not a boolean',
      'not a JSON object',
    ]);
  });

  it('reads CSV: quoted fields, empty fields as NULL, and rejects lines with the wrong field count or values', async () => {
    const topic = uniqueTopic('csv');
    await produce(topic, [
      '1,plain,2.5,2024-05-01 10:00:00',
      '2,"with, comma and ""quotes""",,2024-05-01T10:00:01.25',
      '3,"two\nlines",1e3,',
      '4,"",-0.5,2024-05-01 10:00:02',
      '5,too,many,fields,here',
      'six,x,1,2024-05-01 10:00:03',
      '7,x,1,not a time',
    ]);
    const s = await kafkaSource.open(kafkaStream(topic, orders, { format: 'csv' }), { split: 0, splits: 1, position: null, columns: orders });
    const read = await readUntilPassed(s, orders);
    await s.close();
    const t0 = Date.UTC(2024, 4, 1, 10, 0, 0) * 1000;
    assert.deepEqual(read.rows, [
      [1n, 'plain', 2.5, t0],
      [2n, 'with, comma and "quotes"', null, t0 + 1_250_000],
      [3n, 'two\nlines', 1000, null],
      [4n, '', -0.5, t0 + 2_000_000],
    ]);
    assert.deepEqual(read.rejected.map((r) => [r.offset, r.reason]), [
      [4n, 'the record has 5 fields, the stream has 4 columns'],
      [5n, 'column "id": invalid input syntax for type bigint: "six"'],
      [6n, 'column "ts": invalid input syntax for type timestamp: "not a time"'],
    ]);
  });

  it('decodes every column type from JSON into its Arrow form', async () => {
    const topic = uniqueTopic('types');
    const columns = [col('b', Types.bool), col('s', Types.int2), col('i', Types.int4), col('l', Types.int8), col('r', Types.float4),
      col('n', Types.numeric), col('tz', Types.timestamptz), col('d', Types.date), col('iv', Types.interval), col('j', Types.jsonb),
      col('t', Types.varchar)];
    await produce(topic, [
      JSON.stringify({ b: true, s: -7, i: 2147483647, l: '9007199254740993', r: 1.5, n: 12.50, tz: '2024-01-02T03:04:05.123456Z',
        d: '2024-02-29', iv: '1 day 02:00:00', j: { z: [1, 2], a: 'x' }, t: 'h\u00e9llo \u2603 "q" \\ \n' }),
      '{"b": false, "s": null, "i": 0, "l": -1, "r": -0.25, "n": "1e3", "tz": 1700000000123, "d": null, "iv": "-3 mons", "j": 7, "t": 42}',
      '{}',
      '{"i": 2147483648}',
      '{"s": 1.5}',
    ]);
    const s = await kafkaSource.open(kafkaStream(topic, columns), { split: 0, splits: 1, position: null, columns });
    const read = await readUntilPassed(s, columns);
    await s.close();
    assert.equal(read.rows.length, 3);
    const [a, b, c] = read.rows;
    assert.deepEqual([a![0], a![1], a![2], a![3], a![4]], [true, -7, 2147483647, 9007199254740993n, 1.5]);
    assert.equal(String(a![5]), '12.5');
    assert.equal(a![6], Date.UTC(2024, 0, 2, 3, 4, 5) * 1000 + 123456);
    assert.equal(a![7], Date.UTC(2024, 1, 29) / 86_400_000);
    assert.equal(String(a![8]), '1 day 02:00:00');
    assert.equal(a![9], '{"a": "x", "z": [1, 2]}');
    assert.equal(a![10], 'h\u00e9llo \u2603 "q" \\ \n');
    assert.deepEqual([b![0], b![1], b![3], b![4], String(b![5]), b![6], b![7], String(b![8]), b![9], b![10]],
      [false, null, -1n, -0.25, '1000', 1700000000123000, null, '-3 mons', '7', '42']);
    assert.ok(c!.every((v) => v === null));
    assert.deepEqual(read.rejected.map((r) => r.reason), [
      'column "i": value "2147483648" is out of range for type integer',
      'column "s": invalid input syntax for type smallint: "1.5"',
    ]);
  });

  it('resumes exactly at a returned position: nothing skipped, nothing read twice', async () => {
    const topic = uniqueTopic('resume');
    await createTopic(topic, 2);
    await produce(topic, [1, 2, 3].map((id) => order(id, 0)), { partition: 0 });
    await produce(topic, [4, 5].map((id) => order(id, 1)), { partition: 1 });
    const stream = kafkaStream(topic, orders);
    const first = await kafkaSource.open(stream, { split: 0, splits: 1, position: null, columns: orders });
    const read1 = await readUntilPassed(first, orders);
    await first.close();
    assert.deepEqual(read1.position, { 0: 3, 1: 2 });

    await produce(topic, [6, 7].map((id) => order(id, 0)), { partition: 0 });
    await produce(topic, [8].map((id) => order(id, 1)), { partition: 1 });
    // Positions are JSON: they go through the catalog as text.
    const position = JSON.parse(JSON.stringify(read1.position)) as unknown;
    const second = await kafkaSource.open(stream, { split: 0, splits: 1, position, columns: orders });
    const read2 = await readUntilPassed(second, orders);
    await second.close();
    assert.deepEqual(read2.rows.map((r) => r[0]).sort(), [6n, 7n, 8n]);
    assert.deepEqual(read2.position, { 0: 5, 1: 3 });

    // Two splits reopened from the merged position of one: each takes its own partitions' offsets.
    await produce(topic, [9].map((id) => order(id, 1)), { partition: 1 });
    const split1 = await kafkaSource.open(stream, { split: 1, splits: 2, position: read2.position, columns: orders });
    assert.deepEqual((await readUntilPassed(split1, orders)).rows.map((r) => r[0]), [9n]);
    await split1.close();
  });

  it('starts at the latest offset or at a time when there is no position', async () => {
    const topic = uniqueTopic('startup');
    await produce(topic, [order(1, 0), order(2, 0)]);
    await new Promise((r) => setTimeout(r, 20));
    const middle = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    await produce(topic, [order(3, 0)]);

    const atTime = await kafkaSource.open(kafkaStream(topic, orders, { scan_startup_mode: String(middle) }),
      { split: 0, splits: 1, position: null, columns: orders });
    assert.deepEqual((await readUntilPassed(atTime, orders)).rows.map((r) => r[0]), [3n]);
    await atTime.close();

    const latest = await kafkaSource.open(kafkaStream(topic, orders, { scan_startup_mode: 'latest' }),
      { split: 0, splits: 1, position: null, columns: orders });
    const mark = await latest.flushMark();
    assert.ok(latest.passed(mark), 'a split starting at the latest offset has nothing to read yet');
    await produce(topic, [order(4, 0)]);
    assert.deepEqual((await readUntilPassed(latest, orders)).rows.map((r) => r[0]), [4n]);
    await latest.close();
  });

  it('waits for new records while there are none, and returns null once the signal aborts', async () => {
    const topic = uniqueTopic('wait');
    await produce(topic, [order(1, 0)]);
    const s = await kafkaSource.open(kafkaStream(topic, orders), { split: 0, splits: 1, position: null, columns: orders });
    await readUntilPassed(s, orders);
    const controller = new AbortController();
    const waiting = s.next(controller.signal);
    setTimeout(() => void produce(topic, [order(2, 0)]), 700);
    const got = await waiting;
    assert.equal(got?.batch.numRows, 1);
    assert.deepEqual(got?.position, { 0: 2 });

    const idle = s.next(controller.signal);
    setTimeout(() => controller.abort(), 300);
    assert.equal(await idle, null);
    await s.close();
  });

  it('waits for a topic that does not exist yet', async () => {
    const topic = uniqueTopic('later');
    const s = await kafkaSource.open(kafkaStream(topic, orders), { split: 0, splits: 1, position: null, columns: orders });
    assert.deepEqual(await s.flushMark(), {});
    const next = s.next(AbortSignal.timeout(20_000));
    await produce(topic, [order(1, 0)]);
    assert.equal((await next)?.batch.numRows, 1);
    await s.close();
  });
});
