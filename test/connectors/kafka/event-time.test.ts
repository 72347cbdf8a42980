/** Event time over Kafka: watermarks per partition, windows over a topic, late records, and an updating result keyed in the output topic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, startServer, tempDataDir } from '../../support/server.js';
import { consume, createTopic, kafkaBootstrap, produce, uniqueTopic } from '../../support/kafka.js';

/** Polls a query until it returns `expected` (windows close as watermarks arrive), for up to 15 s. */
async function eventually(server: Awaited<ReturnType<typeof startServer>>, query: string, expected: unknown[][]): Promise<void> {
  const deadline = Date.now() + 15_000;
  let rows: unknown[][] = [];
  while (Date.now() < deadline) {
    rows = await sql(server, query);
    if (JSON.stringify(rows) === JSON.stringify(expected)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(rows, expected);
}

test('a window over a Kafka topic closes on the minimum of its partitions\' watermarks; a record behind its partition\'s is late', async () => {
  const input = uniqueTopic('clicks');
  await createTopic(input, 2);
  const server = await startServer(['--data-dir', tempDataDir()]);
  try {
    await sql(server, `CREATE STREAM clicks (page TEXT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
      WITH (connector = 'kafka', topic = '${input}', bootstrap_servers = '${kafkaBootstrap()}', format = 'json');
      CREATE DATAFLOW per10 AS SELECT window_start, count(*) AS n FROM TUMBLE(clicks, ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end`);
    // Partition 0 is 30 s ahead; partition 1's first records, at 5 s, are not late: its own watermark is behind.
    await produce(input, ['{"page":"/a","ts":"2024-01-01T00:00:30"}'], { partition: 0 });
    await sql(server, 'FLUSH');
    await produce(input, ['{"page":"/b","ts":"2024-01-01T00:00:05"}', '{"page":"/c","ts":"2024-01-01T00:00:06"}'], { partition: 1 });
    await sql(server, 'FLUSH');
    assert.deepEqual(await sql(server, 'SELECT * FROM per10'), [], 'partition 1 holds the watermark at 5 s');
    // Partition 1 moves to 20 s: the minimum passes 10 s and the first window closes with both of its records.
    await produce(input, ['{"page":"/d","ts":"2024-01-01T00:00:20"}'], { partition: 1 });
    await eventually(server, 'SELECT window_start::text, n FROM per10', [['2024-01-01 00:00:00', '2']]);
    // Behind partition 1's watermark (19 s): late, left out and kept as a dead letter (the columns the dataflow decodes).
    await produce(input, ['{"page":"/late","ts":"2024-01-01T00:00:12"}'], { partition: 1 });
    await sql(server, 'FLUSH');
    assert.deepEqual(await sql(server, "SELECT reason, payload FROM sabot.dead_letters"),
      [['late', '{"ts":"2024-01-01 00:00:12"}']]);
    await produce(input, ['{"page":"/e","ts":"2024-01-01T00:00:45"}'], { partition: 1 });
    await produce(input, ['{"page":"/f","ts":"2024-01-01T00:00:50"}'], { partition: 0 });
    await eventually(server, 'SELECT window_start::text, n FROM per10 ORDER BY 1', [
      ['2024-01-01 00:00:00', '2'], ['2024-01-01 00:00:20', '1'], ['2024-01-01 00:00:30', '1'],
    ]);
  } finally {
    await server.stop();
  }
});

test('an unwindowed GROUP BY written to Kafka: each update keyed by its group, the last per key is the result', async () => {
  const input = uniqueTopic('orders');
  const output = uniqueTopic('spend');
  await createTopic(input, 1);
  const server = await startServer(['--data-dir', tempDataDir()]);
  try {
    await sql(server, `CREATE STREAM orders (customer TEXT, amount BIGINT)
      WITH (connector = 'kafka', topic = '${input}', bootstrap_servers = '${kafkaBootstrap()}', format = 'json');
      CREATE STREAM spend (customer TEXT, total BIGINT)
      WITH (connector = 'kafka', topic = '${output}', bootstrap_servers = '${kafkaBootstrap()}', format = 'json', partitions = '2');
      CREATE DATAFLOW totals WITH (parallelism = 2) AS INSERT INTO spend SELECT customer, sum(amount) FROM orders GROUP BY customer`);
    await produce(input, ['{"customer":"ann","amount":5}', '{"customer":"bob","amount":1}']);
    await sql(server, 'FLUSH');
    await produce(input, ['{"customer":"ann","amount":7}']);
    await sql(server, 'FLUSH');
    const updates = await consume(output, 3);
    const last = new Map(updates.map((u) => [u.key, JSON.parse(u.payload!) as unknown]));
    assert.deepEqual([...last].sort(), [['{"customer":"ann"}', { customer: 'ann', total: 12 }], ['{"customer":"bob"}', { customer: 'bob', total: 1 }]]);
    const partitions = new Map<string | null, Set<number>>();
    for (const u of updates) partitions.set(u.key, (partitions.get(u.key) ?? new Set()).add(u.partition));
    assert.ok([...partitions.values()].every((p) => p.size === 1), 'every update of a key in one partition');
  } finally {
    await server.stop();
  }
});

test('a split idle past the timeout no longer holds windows back; its records behind where the job went on are late', async () => {
  const input = uniqueTopic('idle');
  await createTopic(input, 2);
  const server = await startServer(['--data-dir', tempDataDir()]);
  try {
    // Two splits, one partition each: only partition 0 has records.
    await sql(server, `CREATE STREAM readings (v INT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
      WITH (connector = 'kafka', topic = '${input}', bootstrap_servers = '${kafkaBootstrap()}', format = 'json');
      CREATE DATAFLOW per10 WITH (parallelism = 2) AS SELECT window_start, sum(v) AS total FROM TUMBLE(readings, ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end`);
    await produce(input, ['{"v":1,"ts":"2024-01-01T00:00:02"}', '{"v":2,"ts":"2024-01-01T00:00:31"}'], { partition: 0 });
    // Once the empty split counts as idle (5 s), the first window closes.
    await eventually(server, 'SELECT window_start::text, total FROM per10', [['2024-01-01 00:00:00', '1']]);
    await produce(input, ['{"v":100,"ts":"2024-01-01T00:00:05"}', '{"v":4,"ts":"2024-01-01T00:00:35"}'], { partition: 1 });
    await sql(server, 'FLUSH');
    assert.deepEqual(await sql(server, 'SELECT reason, payload FROM sabot.dead_letters'), [['late', '{"v":"100","ts":"2024-01-01 00:00:05"}']]);
    await produce(input, ['{"v":8,"ts":"2024-01-01T00:00:50"}'], { partition: 0 });
    await produce(input, ['{"v":16,"ts":"2024-01-01T00:00:50"}'], { partition: 1 });
    await eventually(server, 'SELECT window_start::text, total FROM per10 ORDER BY 1', [
      ['2024-01-01 00:00:00', '1'], ['2024-01-01 00:00:30', '6'],
    ]);
  } finally {
    await server.stop();
  }
});
