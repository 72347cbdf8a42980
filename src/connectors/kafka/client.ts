import { Admin, compressionsAlgorithmsByBitmask, Consumer, crc32c as libraryCrc32c, Writer } from '@platformatic/kafka';
import { BrokerConnection } from './broker-connection.js';
import {
  FETCH_API, fetchRequest, parseFetchResponse, parseProduceResponse, PRODUCE_API, produceRequest, type FetchedPartition,
} from './fetch-produce.js';

export type { FetchedPartition } from './fetch-produce.js';

/**
 * The one module that talks to the Kafka client library (@platformatic/kafka, pinned)
 * for everything but the hot path. The library does metadata, API versions, offsets and
 * topic creation; Fetch and Produce go over connections of our own (broker-connection.ts,
 * fetch-produce.ts) whose record batches stay bytes (record-batch-reader.ts,
 * record-batch-writer.ts), so fetched records are decoded straight into Arrow columns
 * and produced ones are encoded straight from them, with no object per record and no
 * copy of a request or a response. Swapping the library means rewriting this file (and
 * the error names fetch-produce.ts takes from it).
 */

/** Where a topic's partitions live. */
export interface TopicLayout {
  name: string;
  topicId: string;
  /** The leader broker of each partition, by partition number. */
  leaders: number[];
}

/** Where a partition starts reading: its first offset, its end, or the first record at or after a time (ms). */
export type OffsetSpec = 'earliest' | 'latest' | { timestampMs: number };

/** A connection to a Kafka cluster, for one reader or writer (each has its own sockets). */
export class KafkaClient {
  private readonly consumer: Consumer;
  private admin: Admin | null = null;
  private versions: Promise<{ fetch: number; produce: number }> | null = null;
  /** Where each broker listens, from the last metadata. */
  private readonly brokers = new Map<number, { host: string; port: number }>();
  /** Our connection to each broker for fetches and produces. */
  private readonly connections = new Map<number, BrokerConnection>();
  private readonly timeoutMs: number;
  private closed = false;

  /** `bootstrapServers` is a comma-separated list of host:port. */
  constructor(readonly bootstrapServers: string, options: { timeoutMs?: number } = {}) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.consumer = new Consumer({
      clientId: 'sabot',
      groupId: 'sabot-unused', // a consumer without a group: offsets belong to the job
      bootstrapBrokers: bootstrapServers.split(',').map((s) => s.trim()),
      connectTimeout: this.timeoutMs,
      timeout: 60_000,
      retries: 0, // the source and the sink retry with their own patience
    });
  }

  /** The Fetch and Produce versions both sides speak, asked once. */
  private negotiated() {
    this.versions ??= this.consumer.listApis().then((apis) => {
      const version = (range: { key: number; min: number; max: number }, name: string) => {
        const api = apis.find((a) => a.apiKey === range.key);
        const v = Math.min(range.max, api?.maxVersion ?? -1);
        if (v < range.min || v < (api?.minVersion ?? 0)) {
          throw new Error(`the broker at ${this.bootstrapServers} does not speak ${name} v${range.min}-v${range.max} (Kafka 3.5 or later is needed)`);
        }
        return v;
      };
      return { fetch: version(FETCH_API, 'Fetch'), produce: version(PRODUCE_API, 'Produce') };
    });
    this.versions.catch(() => { this.versions = null; });
    return this.versions;
  }

  /** The topic's partitions and their leaders, or null when the topic does not exist. */
  async topic(name: string, refresh = false): Promise<TopicLayout | null> {
    try {
      const metadata = await this.consumer.metadata({ topics: [name], forceUpdate: refresh, autocreateTopics: false });
      for (const [node, { host, port }] of metadata.brokers) this.brokers.set(node, { host, port });
      const t = metadata.topics.get(name);
      return t ? { name, topicId: t.id, leaders: t.partitions.map((p) => p.leader) } : null;
    } catch (err) {
      // The library says so in its own words when the broker does not know the topic.
      if (kafkaErrorNames(err).includes('UNKNOWN_TOPIC_OR_PARTITION') || /unknown topic/i.test(describeKafkaError(err))) return null;
      throw err;
    }
  }

  /** The offset each partition would start at for `spec`. */
  async offsets(topic: string, partitions: number[], spec: OffsetSpec): Promise<Map<number, bigint>> {
    if (partitions.length === 0) return new Map();
    const timestamp = spec === 'earliest' ? -2n : spec === 'latest' ? -1n : BigInt(spec.timestampMs);
    const found = await this.consumer.listOffsets({ topics: [topic], partitions: { [topic]: partitions }, timestamp });
    const byPartition = found.get(topic) ?? [];
    const out = new Map<number, bigint>();
    const missing: number[] = [];
    for (const p of partitions) {
      const offset = byPartition[p];
      if (offset === undefined || offset < 0n) missing.push(p); // no record at or after the time: start at the end
      else out.set(p, offset);
    }
    if (missing.length > 0) for (const [p, o] of await this.offsets(topic, missing, 'latest')) out.set(p, o);
    return out;
  }

  /**
   * Records of some partitions led by one broker, from the given offsets: waits up to
   * maxWaitMs for the first byte, returns up to maxBytes (at least one whole batch). The
   * records are views valid until the next fetch from that broker.
   */
  async fetch(topic: TopicLayout, leader: number, from: { partition: number; offset: bigint }[],
    options: { maxWaitMs: number; maxBytes: number; partitionMaxBytes: number }): Promise<FetchedPartition[]> {
    const versions = await this.negotiated();
    const body = fetchRequest(options.maxWaitMs, options.maxBytes, topic.topicId,
      from.map((f) => ({ partition: f.partition, offset: f.offset, maxBytes: options.partitionMaxBytes })));
    const response = await this.connection(leader).request(FETCH_API.key, versions.fetch, [body], options.maxWaitMs + 60_000);
    return parseFetchResponse(response);
  }

  /**
   * Appends one record batch to each of some partitions led by `leader`, durably; returns
   * the partitions that refused theirs (the others have it), with the Kafka error name.
   * The batches are sent as they are (not copied): keep them unchanged until this resolves.
   */
  async produce(topic: string, leader: number, batches: { partition: number; records: Uint8Array }[]): Promise<{ partition: number; error: string }[]> {
    const versions = await this.negotiated();
    const response = await this.connection(leader).request(PRODUCE_API.key, versions.produce, produceRequest(topic, batches), 60_000);
    return parseProduceResponse(response);
  }

  private connection(node: number): BrokerConnection {
    if (this.closed) throw new Error('the Kafka client is closed');
    let c = this.connections.get(node);
    if (c?.usable) return c;
    const address = this.brokers.get(node);
    if (!address) throw new Error(`broker ${node} is not in the cluster's metadata`);
    c = new BrokerConnection(address.host, address.port, 'sabot', this.timeoutMs);
    this.connections.set(node, c);
    return c;
  }

  /** Creates the topic; a topic created meanwhile by someone else is fine. */
  async createTopic(name: string, partitions: number, replicationFactor: number): Promise<void> {
    this.admin ??= new Admin({ clientId: 'sabot', bootstrapBrokers: this.bootstrapServers.split(',').map((s) => s.trim()) });
    try {
      await this.admin.createTopics({ topics: [name], partitions, replicas: replicationFactor });
    } catch (err) {
      if (!kafkaErrorNames(err).includes('TOPIC_ALREADY_EXISTS')) throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.connections.values()) c.close();
    await Promise.allSettled([this.consumer.close(true), this.admin?.close()]);
  }
}

/** Decompresses the records of a compressed batch (attributes bits 0-2: gzip, snappy, lz4, zstd). */
export function decompress(codec: number, data: Uint8Array): Uint8Array {
  const algorithm = (compressionsAlgorithmsByBitmask as Record<number, { decompressSync(d: Buffer): Buffer } | undefined>)[codec];
  if (!algorithm) throw new Error(`unknown compression codec ${codec}`);
  return algorithm.decompressSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

/** A DynamicBuffer of one piece: the library's crc32c copies a plain buffer first, not that. */
const crcInput = Writer.create().dynamicBuffer;

/** The CRC-32C of a record batch's body (the library's native or WebAssembly one). */
export function crc32c(bytes: Uint8Array): number {
  crcInput.buffers = [Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)];
  crcInput.length = bytes.byteLength;
  return libraryCrc32c(crcInput);
}

/** The Kafka error names (e.g. NOT_LEADER_OR_FOLLOWER) anywhere in a client error. */
export function kafkaErrorNames(err: unknown): string[] {
  const names: string[] = [];
  const visit = (e: unknown, depth: number) => {
    if (!e || typeof e !== 'object' || depth > 5) return;
    const o = e as { apiId?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof o.apiId === 'string') names.push(o.apiId);
    for (const inner of o.errors ?? []) visit(inner, depth + 1);
    visit(o.cause, depth + 1);
  };
  visit(err, 0);
  return names;
}

/** A client error's message, with the messages it wraps (the library nests them). */
export function describeKafkaError(err: unknown): string {
  const parts: string[] = [];
  const visit = (e: unknown, depth: number) => {
    if (!e || depth > 5) return;
    if (!(e instanceof Error)) { parts.push(String(e)); return; }
    if (!parts.includes(e.message)) parts.push(e.message);
    for (const inner of (e as { errors?: unknown[] }).errors ?? []) visit(inner, depth + 1);
    visit(e.cause, depth + 1);
  };
  visit(err, 0);
  return parts.join(': ');
}
