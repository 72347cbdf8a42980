import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kafkaSink, kafkaSource } from '../../../src/connectors/kafka/index.js';
import type { ColumnSchema } from '../../../src/runtime/arrow-types.js';
import { batchFromRows, rowsFromBatch } from '../../../src/runtime/rows.js';
import { Types } from '../../../src/types/sql-type.js';
import { consume, produce, readUntilPassed } from '../../support/kafka.js';
import { repoRoot } from '../../support/server.js';

/**
 * These tests stop and start a broker, so they run their own one (its own state
 * directory), not the broker the other tests share.
 */
const state = mkdtempSync(join(tmpdir(), 'sabot-kafka-restart-'));

async function kafkaSh(command: 'start' | 'stop'): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [`${repoRoot}scripts/kafka.sh`, command],
    { env: { ...process.env, SABOT_KAFKA_STATE: state }, timeout: 180_000 });
  return stdout.trim().split('\n').pop() ?? '';
}

const columns: ColumnSchema[] = [{ name: 'n', type: Types.int4, nullable: false }];

describe('a broker stopped and started again', () => {
  let address = '';
  before(async () => { address = await kafkaSh('start'); });
  after(async () => {
    await kafkaSh('stop');
    rmSync(state, { recursive: true, force: true });
  });

  it('scripts/kafka.sh: a second start prints the running address; stop then start comes back on the same port with the data', async () => {
    assert.match(address, /^127\.0\.0\.1:\d+$/);
    assert.equal(await kafkaSh('start'), address);
    await produce('kept', ['{"n": 1}', '{"n": 2}'], { bootstrap: address });
    await kafkaSh('stop');
    await assert.rejects(consume('kept', 1, { bootstrap: address, timeoutMs: 3_000 }));
    assert.equal(await kafkaSh('start'), address);
    assert.deepEqual((await consume('kept', 2, { bootstrap: address })).map((m) => m.payload), ['{"n": 1}', '{"n": 2}']);
  });

  it('a source split and a sink wait while the broker is away and go on after it, losing and repeating nothing', async () => {
    const stream = { name: 'flow', connector: 'kafka', options: { topic: 'flow', bootstrap_servers: address }, columns, watermark: null };
    const writer = await kafkaSink.open(stream);
    await writer.write([batchFromRows(columns, [[1], [2], [3]])]);
    const split = await kafkaSource.open(stream, { split: 0, splits: 1, position: null, columns });
    const first = await readUntilPassed(split, columns);
    assert.deepEqual(first.rows, [[1], [2], [3]]);

    await kafkaSh('stop');
    const signal = AbortSignal.timeout(120_000);
    const reading = split.next(signal);
    const writing = writer.write([batchFromRows(columns, [[4], [5]])]);
    await new Promise((r) => setTimeout(r, 2_000));
    await kafkaSh('start');
    await writing;
    const rows: unknown[][] = [];
    let position: unknown = null;
    for (let b = await reading; b !== null; b = rows.length < 2 ? await split.next(signal) : null) {
      rows.push(...rowsFromBatch(columns, b.batch));
      position = b.position;
    }
    assert.deepEqual(rows, [[4], [5]]);
    assert.deepEqual(position, { 0: 5 });
    await writer.close();
    await split.close();
  });

  it('a FLUSH mark waits while the broker is away and is taken once it is back; closing the split ends the wait', async () => {
    const stream = { name: 'flushed', connector: 'kafka', options: { topic: 'flushed', bootstrap_servers: address }, columns, watermark: null };
    const writer = await kafkaSink.open(stream);
    await writer.write([batchFromRows(columns, [[1], [2], [3]])]);
    await writer.close();
    const split = await kafkaSource.open(stream, { split: 0, splits: 1, position: null, columns });
    assert.deepEqual((await readUntilPassed(split, columns)).rows, [[1], [2], [3]]);

    await kafkaSh('stop');
    let settled = false;
    const marking = split.flushMark().finally(() => { settled = true; });
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(settled, false, 'flushMark gave up while the broker was away');
    await kafkaSh('start');
    const mark = await marking;
    assert.deepEqual(mark, { 0: 3 });
    assert.equal(split.passed(mark), true);

    await kafkaSh('stop');
    const abandoned = split.flushMark();
    await new Promise((r) => setTimeout(r, 1_000));
    await split.close();
    assert.equal(split.passed(await abandoned), true);
    await kafkaSh('start');
  });
});
