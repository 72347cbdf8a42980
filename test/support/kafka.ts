import { spawn } from 'node:child_process';
import type { RejectedRecord, SourceSplit } from '../../src/connectors/connector.js';
import { KafkaClient } from '../../src/connectors/kafka/client.js';
import type { StreamDefinition } from '../../src/control/catalog/streams.js';
import type { ColumnSchema } from '../../src/runtime/arrow-types.js';
import { rowsFromBatch } from '../../src/runtime/rows.js';

/**
 * The Kafka broker of the tests: SABOT_TEST_KAFKA (host:port), which scripts/test.sh
 * sets after `scripts/kafka.sh start`, or which names an existing broker. Without it
 * the Kafka tests fail: they are never skipped.
 */
export function kafkaBootstrap(): string {
  const address = process.env.SABOT_TEST_KAFKA;
  if (!address) {
    throw new Error('SABOT_TEST_KAFKA is not set: run the tests with npm test (it starts a broker with scripts/kafka.sh), '
      + 'or set it to the host:port of a broker');
  }
  return address;
}

let topics = 0;

/** A topic name no other test (or earlier run) uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${topics++}`;
}

/** Creates a topic with some partitions (kcat cannot). */
export async function createTopic(topic: string, partitions: number, bootstrap = kafkaBootstrap()): Promise<void> {
  const client = new KafkaClient(bootstrap);
  try {
    await client.createTopic(topic, partitions, 1);
    for (let i = 0; i < 100; i++) {
      const layout = await client.topic(topic, true);
      if (layout && layout.leaders.length === partitions && layout.leaders.every((l) => l >= 0)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`topic ${topic} has no leaders`);
  } finally {
    await client.close();
  }
}

function kcat(args: string[], input: string | null, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(Object.assign(new Error(`kcat ${args.join(' ')} ${signal ? `was killed after ${timeoutMs} ms` : `exited with ${code}`}: ${stderr.trim()}`), { stdout }));
    });
    child.stdin.end(input ?? '');
  });
}

/** A message for kcat to produce: its text, or its key and text. */
export type Message = string | { key: string; value: string };

/**
 * Produces messages with kcat, in order, to a partition or (without one) where kcat's
 * partitioner puts them. Messages may hold line breaks (they are separated by \x1e).
 */
export async function produce(topic: string, messages: Message[], options: { partition?: number; bootstrap?: string } = {}): Promise<void> {
  const keyed = messages.some((m) => typeof m !== 'string');
  const text = messages.map((m) => typeof m === 'string' ? (keyed ? `\x1f${m}` : m) : `${m.key}\x1f${m.value}`).join('\x1e');
  const args = ['-b', options.bootstrap ?? kafkaBootstrap(), '-P', '-t', topic, '-D', '\\x1e', '-X', 'linger.ms=5'];
  if (options.partition !== undefined) args.push('-p', String(options.partition));
  if (keyed) args.push('-K', '\\x1f');
  await kcat(args, text, 30_000);
}

/** A message as kcat consumed it. */
export interface Consumed {
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  /** The record's timestamp, ms. */
  ts: number;
}

/** Consumes `count` messages of a topic from its beginning with kcat; fails if fewer arrive within the timeout. */
export async function consume(topic: string, count: number, options: { timeoutMs?: number; bootstrap?: string } = {}): Promise<Consumed[]> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  let out: string;
  try {
    out = await kcat(['-b', options.bootstrap ?? kafkaBootstrap(), '-C', '-t', topic, '-o', 'beginning', '-c', String(count), '-J', '-q'],
      null, timeoutMs);
  } catch (err) {
    const got = ((err as { stdout?: string }).stdout ?? '').split('\n').filter(Boolean).length;
    throw new Error(`consumed ${got} of ${count} messages of ${topic}: ${(err as Error).message}`);
  }
  return out.split('\n').filter(Boolean).map((line) => {
    const m = JSON.parse(line) as Consumed;
    return { partition: m.partition, offset: m.offset, key: m.key, payload: m.payload, ts: m.ts };
  });
}

/** A kafka stream definition over a topic of the test broker. */
export function kafkaStream(topic: string, columns: ColumnSchema[], options: Record<string, string> = {}): StreamDefinition {
  return { name: topic.replace(/\W/g, '_'), connector: 'kafka', options: { topic, bootstrap_servers: kafkaBootstrap(), ...options }, columns, watermark: null };
}

/** What a split returned while reading up to a flush mark: rows, rejections, the last position. */
export interface SplitRead {
  rows: unknown[][];
  rejected: RejectedRecord[];
  position: unknown;
}

/** Reads a split until it has passed `mark` (by default everything in the topic now). */
export async function readUntilPassed(split: SourceSplit, columns: ColumnSchema[], mark?: unknown, timeoutMs = 30_000): Promise<SplitRead> {
  const until = mark ?? await split.flushMark();
  const out: SplitRead = { rows: [], rejected: [], position: null };
  const signal = AbortSignal.timeout(timeoutMs);
  while (!split.passed(until)) {
    const b = await split.next(signal);
    if (b === null) throw new Error(`the split did not pass ${JSON.stringify(until)} within ${timeoutMs} ms`);
    out.rows.push(...rowsFromBatch(columns, b.batch));
    out.rejected.push(...b.rejected ?? []);
    out.position = b.position;
  }
  return out;
}
