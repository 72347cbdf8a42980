import type { RecordBatch } from 'apache-arrow';
import type { StreamDefinition } from '../../control/catalog/streams.js';
import { SabotError, SqlState } from '../../errors.js';
import type { SinkConnector, SinkOpenOptions, SinkWriter } from '../connector.js';
import { describeKafkaError, KafkaClient, kafkaErrorNames, type TopicLayout } from './client.js';
import { keyPartition } from './murmur2.js';
import { RecordBatchWriter } from './record-batch-writer.js';
import { ByteWriter } from './byte-writer.js';
import { RecordEncoder } from './record-encoder.js';
import { kafkaOptions, type KafkaStreamOptions } from './stream-options.js';

/** Record batches stay under the broker's default message.max.bytes (1 MiB) with room for a last row of up to 128 KiB. */
const MAX_BATCH_BYTES = 896 << 10;
const RETRY_MS = { first: 200, max: 5_000 };
/** Errors that retrying cannot cure: the write fails. */
const FATAL = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE',
  'TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED', 'INVALID_REQUIRED_ACKS', 'UNSUPPORTED_VERSION',
  'INVALID_TOPIC_EXCEPTION', 'POLICY_VIOLATION']);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Writes batches into a topic: rows become messages (JSON or CSV), keyed by the key
 * column or by an updating result's upsert key columns (so a key always lands in the
 * same partition, the one the Java client would pick) or, without a key, spread over
 * the partitions in runs. Each partition's
 * messages go out as record batches of about 900 KiB, one produce request per round
 * per leader; write() resolves once the broker has them durably (acks = all). While the
 * broker is away it retries, keeping the order of each partition.
 */
class KafkaWriter implements SinkWriter {
  private readonly batches: RecordBatchWriter[] = [];
  /** The key of the row being written. */
  private readonly key = new ByteWriter(256);
  private nextPartition = 0;

  constructor(private readonly client: KafkaClient, private readonly options: KafkaStreamOptions,
    private layout: TopicLayout, private readonly encoder: RecordEncoder) {}

  async write(batches: readonly RecordBatch[]): Promise<void> {
    for (const batch of batches) {
      if (batch.numRows === 0) continue;
      await this.send(this.partitionBatches(batch));
    }
  }

  /** Each partition's record batches, in row order, the messages encoded straight into them. */
  private partitionBatches(batch: RecordBatch): Uint8Array[][] {
    const partitions = this.layout.leaders.length;
    while (this.batches.length < partitions) this.batches.push(new RecordBatchWriter());
    for (let p = 0; p < partitions; p++) {
      this.batches[p]!.reuse(); // the batches of the last write are sent
      this.batches[p]!.reset();
    }
    const out: Uint8Array[][] = Array.from({ length: partitions }, () => []);
    const runStart = this.nextPartition;
    this.nextPartition = (this.nextPartition + 1) % partitions;
    const encoder = this.encoder;
    encoder.use(batch);
    const rows = batch.numRows;
    const key = this.key;
    for (let r = 0; r < rows; r++) {
      key.clear();
      const hasKey = encoder.keyed && encoder.writeKey(key, r);
      const p = hasKey ? keyPartition(key.bytes, 0, key.length, partitions) : (runStart + Math.floor(r * partitions / rows)) % partitions;
      const writer = this.batches[p]!;
      writer.begin(hasKey ? key.bytes : null, 0, key.length, encoder.timestamp(r));
      encoder.value(writer.out, r);
      writer.end();
      if (writer.size >= MAX_BATCH_BYTES) {
        out[p]!.push(writer.finish());
        writer.reset();
      }
    }
    for (let p = 0; p < partitions; p++) if (this.batches[p]!.records > 0) out[p]!.push(this.batches[p]!.finish());
    return out;
  }

  /** Sends round k of every partition (its k-th batch) in one request per leader, round after round. */
  private async send(perPartition: Uint8Array[][]): Promise<void> {
    const rounds = Math.max(...perPartition.map((b) => b.length));
    for (let k = 0; k < rounds; k++) {
      const round = perPartition.flatMap((b, partition) => b[k] ? [{ partition, records: b[k]! }] : []);
      await this.deliver(round);
    }
  }

  private async deliver(round: { partition: number; records: Uint8Array }[]): Promise<void> {
    let pending = round;
    let retryMs = RETRY_MS.first;
    while (pending.length > 0) {
      const byLeader = new Map<number, typeof pending>();
      for (const b of pending) {
        const leader = this.layout.leaders[b.partition]!;
        if (!byLeader.has(leader)) byLeader.set(leader, []);
        byLeader.get(leader)!.push(b);
      }
      const results = await Promise.allSettled([...byLeader].map(([leader, batches]) =>
        this.client.produce(this.options.topic, leader, batches)));
      const failed: typeof pending = [];
      let error: unknown = null;
      [...byLeader.values()].forEach((batches, i) => {
        const result = results[i]!;
        if (result.status === 'rejected') { // no answer: send them all again
          failed.push(...batches);
          error = result.reason;
          return;
        }
        for (const refused of result.value) {
          failed.push(batches.find((b) => b.partition === refused.partition)!);
          error = new Error(`partition ${refused.partition}: ${refused.error}`);
          if (FATAL.has(refused.error.split(' ')[0]!)) {
            throw new SabotError(SqlState.connectionException, `writing to Kafka topic ${this.options.topic} failed: partition ${refused.partition}: ${refused.error}`);
          }
        }
      });
      if (failed.length === 0) return;
      if (kafkaErrorNames(error).some((name) => FATAL.has(name))) {
        throw new SabotError(SqlState.connectionException, `writing to Kafka topic ${this.options.topic} failed: ${describeKafkaError(error)}`);
      }
      // A moved leader or a broker away for a while: look again and resend what did not arrive.
      await sleep(retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MS.max);
      this.layout = (await this.client.topic(this.options.topic, true).catch(() => null)) ?? this.layout;
      pending = failed;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** The topic's layout, creating the topic (partitions, replication_factor options) when it is missing. */
async function ensureTopic(client: KafkaClient, options: KafkaStreamOptions): Promise<TopicLayout> {
  let layout = await client.topic(options.topic, true);
  if (layout) return layout;
  await client.createTopic(options.topic, Math.max(options.partitions, 1), Math.max(options.replicationFactor, 1));
  for (let waited = 0; waited < 30_000; waited += 100) { // the metadata shows a new topic shortly after
    layout = await client.topic(options.topic, true);
    if (layout && layout.leaders.every((l) => l >= 0)) return layout;
    await sleep(100);
  }
  throw new SabotError(SqlState.connectionException, `Kafka topic ${options.topic} was created but has no leaders yet`);
}

/**
 * The Kafka sink: `open` checks the stream's options, creates the topic when missing,
 * and returns a writer of batches in the stream's column order. Rows of an updating
 * result (`upsertKeys`) are keyed by those columns unless the stream has a key column.
 */
export const kafkaSink: SinkConnector = {
  async open(stream: StreamDefinition, open: SinkOpenOptions = {}): Promise<SinkWriter> {
    const options = kafkaOptions(stream);
    const missing = open.upsertKeys?.find((name) => !stream.columns.some((c) => c.name === name));
    if (missing !== undefined) throw new SabotError(SqlState.undefinedColumn, `upsert key column "${missing}" is not a column of stream ${stream.name}`);
    const encoder = new RecordEncoder(stream, options, open.upsertKeys);
    const client = new KafkaClient(options.bootstrapServers);
    try {
      const layout = await ensureTopic(client, options);
      return new KafkaWriter(client, options, layout, encoder);
    } catch (err) {
      await client.close();
      if (err instanceof SabotError) throw err;
      throw new SabotError(SqlState.connectionException,
        `cannot write to Kafka topic ${options.topic} at ${options.bootstrapServers}: ${describeKafkaError(err)}`);
    }
  },
};
