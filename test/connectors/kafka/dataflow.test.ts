/** Kafka in dataflows as a user drives them: psql-style SQL over the wire, kcat on the other side of the topics. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, startServer, tempDataDir } from '../../support/server.js';
import { consume, createTopic, kafkaBootstrap, produce, uniqueTopic } from '../../support/kafka.js';

test('a Kafka topic in, a Kafka topic out: filter, key, dead letters, and a restart that resumes at the job\'s offsets', async () => {
  const input = uniqueTopic('transactions');
  const output = uniqueTopic('fraud_alerts');
  await createTopic(input, 2);
  const args = ['--data-dir', tempDataDir()];
  let server = await startServer(args);
  try {
    await sql(server, `CREATE STREAM transactions (id BIGINT, amount DOUBLE PRECISION, ts TIMESTAMP,
        WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
      WITH (connector = 'kafka', topic = '${input}', bootstrap_servers = '${kafkaBootstrap()}', format = 'json', scan_startup_mode = 'earliest');
      CREATE STREAM fraud_alerts (id BIGINT, amount DOUBLE PRECISION, alert TEXT)
      WITH (connector = 'kafka', topic = '${output}', bootstrap_servers = '${kafkaBootstrap()}', format = 'json', key = 'id', partitions = '3');
      CREATE DATAFLOW fraud WITH (parallelism = 2) AS
        INSERT INTO fraud_alerts SELECT id, amount, 'high_value' FROM transactions WHERE amount > 10000;
      CREATE DATAFLOW seen AS SELECT id FROM transactions`);
    await produce(input, ['{"id":1,"amount":50.5,"ts":"2024-01-01T00:00:00"}', '{"id":2,"amount":20000,"ts":"2024-01-01T00:00:01"}'], { partition: 0 });
    await produce(input, ['not json', '{"id":3,"amount":15000.25,"ts":"2024-01-01T00:00:02"}'], { partition: 1 });
    await sql(server, 'FLUSH');
    const alerts = await consume(output, 2);
    assert.deepEqual(alerts.map((a) => [a.key, JSON.parse(a.payload!)]).sort(), [
      ['2', { id: 2, amount: 20000, alert: 'high_value' }], ['3', { id: 3, amount: 15000.25, alert: 'high_value' }],
    ]);
    assert.deepEqual(await sql(server, `SELECT d.source, d.payload, d."offset" FROM sabot.dead_letters d JOIN sabot.jobs j ON d.job_id = j.job_id
      WHERE j.job_name = 'fraud'`), [[`${input}/1`, 'not json', '0']]);
    assert.deepEqual(await sql(server, `SELECT t.task_index, t.rows_processed, t.rows_rejected FROM sabot.tasks t JOIN sabot.jobs j ON t.job_id = j.job_id
      WHERE j.job_name = 'fraud' AND t.operator_type = 'source' ORDER BY 1`), [[0, '2', '0'], [1, '1', '1']]);

    // Records produced while the server is down are read after the restart, and nothing is read twice.
    assert.equal(await server.stop(), 0);
    await produce(input, ['{"id":4,"amount":99999,"ts":"2024-01-01T00:00:03"}'], { partition: 0 });
    server = await startServer(args);
    await sql(server, 'FLUSH');
    assert.deepEqual(await sql(server, 'SELECT id FROM seen ORDER BY id'), [['1'], ['2'], ['3'], ['4']]);
    const after = await consume(output, 3);
    assert.deepEqual(after.map((a) => a.key).sort(), ['2', '3', '4']);
    assert.deepEqual(await sql(server, 'SELECT count(*) FROM fraud_alerts'), [['3']], 'no alert written twice');
    assert.deepEqual(await sql(server, 'SELECT count(*) FROM transactions'), [['4']]);

    // Rescaled from two tasks to one, the dataflow goes on from both tasks' offsets.
    await sql(server, 'ALTER DATAFLOW fraud SET PARALLELISM = 1');
    await produce(input, ['{"id":5,"amount":12345,"ts":"2024-01-01T00:00:04"}'], { partition: 1 });
    await sql(server, 'FLUSH');
    const rescaled = await consume(output, 4);
    assert.deepEqual(rescaled.map((a) => a.key).sort(), ['2', '3', '4', '5']);
    assert.deepEqual(await sql(server, 'SELECT count(*) FROM fraud_alerts'), [['4']], 'no alert written twice');
  } finally {
    await server.stop();
  }
});

test('CREATE STREAM with an unreachable broker fails at once, naming the address', async () => {
  const server = await startServer();
  try {
    await assert.rejects(sql(server, "CREATE STREAM t (a INT) WITH (connector = 'kafka', topic = 't', bootstrap_servers = '127.0.0.1:1')"),
      (err: Error & { code?: string }) => err.code === '08001' && /cannot reach Kafka at 127\.0\.0\.1:1/.test(err.message));
    assert.deepEqual(await sql(server, "SELECT count(*) FROM sabot.streams"), [['0']]);
  } finally {
    await server.stop();
  }
});
