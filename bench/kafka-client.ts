/**
 * The Kafka client, measured: consuming a pre-filled topic of small JSON messages (bids,
 * ~170 bytes) and producing the same number, as events per second per core (events over
 * this process's user+sys CPU time from process.cpuUsage(), which counts every thread).
 * The topic (4 partitions) is filled by kcat, outside the measured process.
 *
 * - @platformatic/kafka through its own API (Consumer.fetch, Producer.send): what the
 *   library costs with an object per message;
 * - kafkajs 2.2.4 through its API, when given: `--kafkajs <its index.js>` (install it
 *   anywhere, e.g. `npm install --prefix /tmp/kafkajs kafkajs@2.2.4`);
 * - Sabot's connector: the fetch alone (client.ts with record-batch-reader.ts), the
 *   source split decoding every bid column into Arrow, and the sink encoding Arrow
 *   batches to JSON and producing them.
 *
 *   node dist/bench/kafka-client.js [--events N] [--bootstrap host:port] [--kafkajs path]
 *
 * Without --bootstrap (or SABOT_TEST_KAFKA) it starts a broker with scripts/kafka.sh in a
 * temporary state directory and stops it at the end.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Consumer, Producer } from '@platformatic/kafka';
import type { RecordBatch } from 'apache-arrow';
import { KafkaClient } from '../src/connectors/kafka/client.js';
import { kafkaSink, kafkaSource } from '../src/connectors/kafka/index.js';
import { readRecords } from '../src/connectors/kafka/record-batch-reader.js';
import type { StreamDefinition } from '../src/control/catalog/streams.js';
import type { ColumnSchema } from '../src/runtime/arrow-types.js';
import { Types } from '../src/types/sql-type.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const EVENTS = Number(arg('events') ?? 1_000_000);
const PARTITIONS = 4;
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

let state: string | null = null;
let bootstrap = arg('bootstrap') ?? process.env.SABOT_TEST_KAFKA;
if (!bootstrap) {
  state = mkdtempSync(join(tmpdir(), 'sabot-bench-kafka-'));
  bootstrap = execFileSync('bash', [`${repoRoot}scripts/kafka.sh`, 'start'], { env: { ...process.env, SABOT_KAFKA_STATE: state } })
    .toString().trim().split('\n').pop()!;
}
const run = Date.now().toString(36);
const topic = (name: string) => `bench-${name}-${run}`;

const columns: ColumnSchema[] = [
  { name: 'auction', type: Types.int8, nullable: false },
  { name: 'bidder', type: Types.int8, nullable: false },
  { name: 'price', type: Types.int8, nullable: false },
  { name: 'channel', type: Types.text, nullable: false },
  { name: 'url', type: Types.text, nullable: false },
  { name: 'date_time', type: Types.timestamp, nullable: false },
  { name: 'extra', type: Types.text, nullable: false },
];
const stream = (name: string): StreamDefinition =>
  ({ name, connector: 'kafka', options: { topic: name, bootstrap_servers: bootstrap!, partitions: String(PARTITIONS) }, columns, watermark: null });

function bid(i: number): string {
  const r = (i * 2654435761) % 4294967296;
  const at = new Date(Date.UTC(2024, 0, 1) + i).toISOString();
  return `{"auction":${1000 + (r % 1000)},"bidder":${2000 + (r % 10000)},"price":${r % 100000},"channel":"channel-${r % 10000}",`
    + `"url":"https://www.nexmark.com/item.htm?query=${i}","date_time":"${at}","extra":""}`;
}

async function createTopic(name: string): Promise<string> {
  const client = new KafkaClient(bootstrap!);
  await client.createTopic(name, PARTITIONS, 1);
  while (!(await client.topic(name, true))?.leaders.every((l) => l >= 0)) await new Promise((r) => setTimeout(r, 100));
  await client.close();
  return name;
}

async function prefill(name: string): Promise<void> {
  await createTopic(name);
  const kcat = spawn('kcat', ['-b', bootstrap!, '-P', '-t', name, '-X', 'linger.ms=20', '-X', 'batch.num.messages=10000'], { stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise((resolve) => kcat.on('close', resolve));
  for (let i = 0; i < EVENTS; i += 10_000) {
    const chunk = Array.from({ length: Math.min(10_000, EVENTS - i) }, (_, k) => bid(i + k)).join('\n') + '\n';
    if (!kcat.stdin.write(chunk)) await new Promise((resolve) => kcat.stdin.once('drain', resolve));
  }
  kcat.stdin.end();
  await done;
}

async function measure(client: string, what: string, body: () => Promise<number>): Promise<void> {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const events = await body();
  const cpu = process.cpuUsage(cpu0);
  const seconds = (cpu.user + cpu.system) / 1e6;
  const line = `| ${client} | ${what} | ${events.toLocaleString('en-US')} | ${seconds.toFixed(2)} | **${Math.round(events / seconds).toLocaleString('en-US')}** | ${((performance.now() - wall0) / 1000).toFixed(2)} |`;
  console.log(line);
}

/** The messages the library producers send, made before each measurement (not measured). */
let lines: Buffer[] = [];
const makeLines = () => { lines = Array.from({ length: EVENTS }, (_, i) => Buffer.from(bid(i))); };

async function platformaticConsume(name: string): Promise<number> {
  const consumer = new Consumer({ clientId: 'bench', groupId: 'bench', bootstrapBrokers: [bootstrap!] });
  const metadata = await consumer.metadata({ topics: [name] });
  const t = metadata.topics.get(name)!;
  const offsets = t.partitions.map(() => 0n);
  let count = 0;
  while (count < EVENTS) {
    const r = await consumer.fetch({
      node: t.partitions[0]!.leader, maxWaitTime: 500, minBytes: 1, maxBytes: 1 << 20,
      topics: [{ topicId: t.id, partitions: offsets.map((o, p) => ({ partition: p, fetchOffset: o, currentLeaderEpoch: -1, lastFetchedEpoch: -1, partitionMaxBytes: 256 << 10 })) }],
    });
    for (const part of r.responses.flatMap((x) => x.partitions)) {
      for (const b of part.records ?? []) {
        count += b.records.length;
        offsets[part.partitionIndex] = b.firstOffset + BigInt(b.lastOffsetDelta) + 1n;
      }
    }
  }
  await consumer.close();
  return count;
}

async function platformaticProduce(name: string): Promise<number> {
  const producer = new Producer({ clientId: 'bench', bootstrapBrokers: [bootstrap!], acks: -1 });
  for (let i = 0; i < EVENTS; i += 2000) {
    await producer.send({ messages: lines.slice(i, i + 2000).map((value, k) => ({ topic: name, value, partition: (i + k) % PARTITIONS })) });
  }
  await producer.close();
  return EVENTS;
}

interface KafkaJs {
  Kafka: new (config: unknown) => {
    consumer(config: unknown): { connect(): Promise<void>; subscribe(s: unknown): Promise<void>; run(r: unknown): Promise<void>; disconnect(): Promise<void> };
    producer(): { connect(): Promise<void>; send(r: unknown): Promise<unknown>; disconnect(): Promise<void> };
  };
}

async function kafkajsConsume(kafkajs: KafkaJs, name: string): Promise<number> {
  const kafka = new kafkajs.Kafka({ clientId: 'bench', brokers: [bootstrap!], logLevel: 0 });
  const consumer = kafka.consumer({ groupId: `bench-${run}`, maxBytes: 1 << 20, maxBytesPerPartition: 256 << 10 });
  await consumer.connect();
  await consumer.subscribe({ topic: name, fromBeginning: true });
  let count = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }: { batch: { messages: unknown[] } }) => {
        count += batch.messages.length;
        if (count >= EVENTS) resolve();
      },
    });
  });
  await consumer.disconnect();
  return count;
}

async function kafkajsProduce(kafkajs: KafkaJs, name: string): Promise<number> {
  const kafka = new kafkajs.Kafka({ clientId: 'bench', brokers: [bootstrap!], logLevel: 0 });
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < EVENTS; i += 2000) {
    await producer.send({ topic: name, acks: -1, messages: lines.slice(i, i + 2000).map((value, k) => ({ value, partition: (i + k) % PARTITIONS })) });
  }
  await producer.disconnect();
  return EVENTS;
}

async function sabotFetch(name: string): Promise<number> {
  const client = new KafkaClient(bootstrap!);
  const layout = (await client.topic(name, true))!;
  const offsets = layout.leaders.map(() => 0);
  let count = 0;
  while (count < EVENTS) {
    const parts = await client.fetch(layout, layout.leaders[0]!, offsets.map((o, partition) => ({ partition, offset: BigInt(o) })),
      { maxWaitMs: 500, maxBytes: 1 << 20, partitionMaxBytes: 256 << 10 });
    for (const part of parts) {
      if (part.records) offsets[part.partition] = readRecords(part.records, offsets[part.partition]!, () => { count++; });
    }
  }
  await client.close();
  return count;
}

async function sabotSource(name: string): Promise<number> {
  const split = await kafkaSource.open(stream(name), { split: 0, splits: 1, position: null, columns });
  const mark = await split.flushMark();
  let count = 0;
  const signal = AbortSignal.timeout(600_000);
  while (!split.passed(mark)) count += (await split.next(signal))!.batch.numRows;
  await split.close();
  return count;
}

/** Reads the prefilled topic into Arrow batches first (not measured), then writes them. */
async function sabotSink(from: string, to: string): Promise<number> {
  const split = await kafkaSource.open(stream(from), { split: 0, splits: 1, position: null, columns });
  const mark = await split.flushMark();
  const batches: RecordBatch[] = [];
  while (!split.passed(mark)) batches.push((await split.next(AbortSignal.timeout(600_000)))!.batch);
  await split.close();
  let count = 0;
  await measure('Sabot connector', 'sink: Arrow → JSON → produce', async () => {
    const writer = await kafkaSink.open(stream(to));
    await writer.write(batches);
    await writer.close();
    count = batches.reduce((n, b) => n + b.numRows, 0);
    return count;
  });
  return count;
}

try {
  const input = topic('input');
  console.log(`filling ${input} with ${EVENTS.toLocaleString('en-US')} JSON bids (kcat) at ${bootstrap}`);
  await prefill(input);
  console.log('| client | what | events | CPU s | events/s per core | wall s |');
  console.log('|---|---|---|---|---|---|');
  await measure('@platformatic/kafka 1.35.0', 'consume (Consumer.fetch)', () => platformaticConsume(input));
  const pltOut = await createTopic(topic('plt-out'));
  makeLines();
  await measure('@platformatic/kafka 1.35.0', 'produce (Producer.send, 2,000 per send)', () => platformaticProduce(pltOut));
  const kafkajsPath = arg('kafkajs');
  const kafkajs = kafkajsPath ? (await import(pathToFileURL(kafkajsPath).href) as { default: KafkaJs }).default : null;
  if (kafkajs) {
    await measure('kafkajs 2.2.4', 'consume (eachBatch)', () => kafkajsConsume(kafkajs, input));
    const kafkajsOut = await createTopic(topic('kafkajs-out'));
    makeLines();
    await measure('kafkajs 2.2.4', 'produce (send, 2,000 per send)', () => kafkajsProduce(kafkajs, kafkajsOut));
  } else {
    console.log('(kafkajs not measured: give --kafkajs <path of kafkajs/index.js>)');
  }
  lines = [];
  await measure('Sabot connector', 'fetch only (client.ts + record-batch-reader.ts)', () => sabotFetch(input));
  await measure('Sabot connector', 'source: fetch → JSON → Arrow, 7 columns', () => sabotSource(input));
  await sabotSink(input, topic('sabot-out'));
  console.log(`RSS at the end ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
} finally {
  if (state) {
    execFileSync('bash', [`${repoRoot}scripts/kafka.sh`, 'stop'], { env: { ...process.env, SABOT_KAFKA_STATE: state } });
    rmSync(state, { recursive: true, force: true });
  }
}
