import {
  Admin, compressionsAlgorithmsByBitmask, Consumer, createAPI, crc32c as libraryCrc32c, protocolErrorsCodesById,
  Reader, Writer, type Connection,
} from '@platformatic/kafka';

/**
 * The one module that talks to the Kafka client library (@platformatic/kafka, pinned).
 * The library does connections, metadata, offsets and topic creation; the bytes of
 * record batches are ours (record-batch-reader.ts, record-batch-writer.ts), so fetched
 * records are decoded straight into Arrow columns and produced ones are encoded
 * straight from them, with no object per record. Swapping the library means rewriting
 * this file only.
 */

/** Where a topic's partitions live. */
export interface TopicLayout {
  name: string;
  topicId: string;
  /** The leader broker of each partition, by partition number. */
  leaders: number[];
}

/** One partition's part of a fetch response. */
export interface FetchedPartition {
  partition: number;
  /** The Kafka error name (e.g. OFFSET_OUT_OF_RANGE), or null. */
  error: string | null;
  highWatermark: bigint;
  logStartOffset: bigint;
  /**
   * The record batches as the broker sent them (the last one may be cut short), in the
   * pieces the socket delivered them (not copied into one buffer: join them into a
   * buffer of your own), or null.
   */
  records: Uint8Array[] | null;
}

/** Where a partition starts reading: its first offset, its end, or the first record at or after a time (ms). */
export type OffsetSpec = 'earliest' | 'latest' | { timestampMs: number };

const FETCH_VERSIONS = { min: 15, max: 17 }; // the request layout of fetchV17's era (no replica id)
const PRODUCE_VERSIONS = { min: 9, max: 11 }; // flexible versions that still name topics

/**
 * Moves past a tagged-fields section: a count, then (tag, size, bytes) each. (The
 * library's own Reader.readTaggedFields reads it as one length, which is only right
 * when there are none.)
 */
function skipTaggedFields(r: Reader): void {
  for (let n = r.readUnsignedVarInt(); n > 0; n--) {
    r.readUnsignedVarInt();
    r.skip(r.readUnsignedVarInt());
  }
}

// Fetch, v15 to v17: the request is built as in fetchV17; the response keeps each
// partition's records as raw bytes rather than an object per record.
function createFetchRequest(maxWaitMs: number, maxBytes: number, topicId: string,
  partitions: { partition: number; offset: bigint; maxBytes: number }[]): Writer {
  return Writer.create()
    .appendInt32(maxWaitMs)
    .appendInt32(1) // min bytes: answer as soon as there is anything
    .appendInt32(maxBytes)
    .appendInt8(0) // read uncommitted: at least once, like everything else for now
    .appendInt32(0) // no fetch session
    .appendInt32(-1)
    .appendArray([topicId], (w, id) => {
      w.appendUUID(id).appendArray(partitions, (w, p) => {
        w.appendInt32(p.partition).appendInt32(-1).appendInt64(p.offset).appendInt32(-1).appendInt64(-1n).appendInt32(p.maxBytes);
      });
    })
    .appendArray([], () => {})
    .appendString('')
    .appendTaggedFields();
}

function parseFetchResponse(_correlationId: number, _apiKey: number, _apiVersion: number, reader: Reader): FetchedPartition[] {
  reader.readInt32(); // throttle time
  const error = reader.readInt16();
  if (error !== 0) throw new Error(`fetch failed: ${protocolErrorsCodesById[error] ?? error}`);
  reader.readInt32(); // session id
  const out: FetchedPartition[] = [];
  reader.readArray((r) => {
    r.readUUID();
    r.readArray((r) => {
      const partition = r.readInt32();
      const code = r.readInt16();
      const highWatermark = r.readInt64();
      r.readInt64(); // last stable offset
      const logStartOffset = r.readInt64();
      r.readArray((r) => { r.readInt64(); r.readInt64(); skipTaggedFields(r); }, true, false);
      r.readInt32(); // preferred read replica
      const size = r.readUnsignedVarInt() - 1;
      const records = size > 0 ? r.buffer.subarray(r.position, r.position + size).buffers : null;
      if (size > 0) r.skip(size);
      skipTaggedFields(r);
      out.push({ partition, error: code === 0 ? null : protocolErrorsCodesById[code] ?? String(code), highWatermark, logStartOffset, records });
    }, true, false);
    skipTaggedFields(r);
  }, true, false);
  return out;
}

// Produce, v9 to v11: one topic, one record batch per partition, built by the caller.
function createProduceRequest(topic: string, batches: { partition: number; records: Uint8Array }[]): Writer {
  return Writer.create()
    .appendString(null)
    .appendInt16(-1) // acks = all: delivered means durable on every in-sync replica
    .appendInt32(30_000)
    .appendArray([topic], (w, name) => {
      w.appendString(name).appendArray(batches, (w, b) => {
        w.appendInt32(b.partition).appendUnsignedVarInt(b.records.length + 1).append(Buffer.from(b.records.buffer, b.records.byteOffset, b.records.byteLength));
      });
    })
    .appendTaggedFields();
}

/** A produce response: the partitions that did not take their batch, with the Kafka error name. */
function parseProduceResponse(_correlationId: number, _apiKey: number, _apiVersion: number, reader: Reader): { partition: number; error: string }[] {
  const failed: { partition: number; error: string }[] = [];
  reader.readArray((r) => {
    r.readString();
    r.readArray((r) => {
      const partition = r.readInt32();
      const code = r.readInt16();
      r.readInt64(); // base offset
      r.readInt64(); // log append time
      r.readInt64(); // log start offset
      r.readArray((r) => { r.readInt32(); r.readNullableString(); skipTaggedFields(r); }, true, false);
      const message = r.readNullableString();
      skipTaggedFields(r); // e.g. the current leader, with NOT_LEADER_OR_FOLLOWER
      if (code !== 0) failed.push({ partition, error: (protocolErrorsCodesById[code] ?? String(code)) + (message ? ` (${message})` : '') });
    }, true, false);
    skipTaggedFields(r);
  }, true, false);
  return failed;
}

type Api<Args extends unknown[], R> = { async(connection: Connection, ...args: Args): Promise<R> };

function versioned<Args extends unknown[], R>(key: number, version: number,
  create: (...args: Args) => Writer, parse: (c: number, k: number, v: number, r: Reader) => R): Api<Args, R> {
  return createAPI(key, version, create as never, parse as never) as unknown as Api<Args, R>;
}

/** A connection to a Kafka cluster, for one reader or writer (each has its own sockets). */
export class KafkaClient {
  private readonly consumer: Consumer;
  private admin: Admin | null = null;
  private apis: Promise<{
    fetch: Api<Parameters<typeof createFetchRequest>, FetchedPartition[]>;
    produce: Api<Parameters<typeof createProduceRequest>, { partition: number; error: string }[]>;
  }> | null = null;

  /** `bootstrapServers` is a comma-separated list of host:port. */
  constructor(readonly bootstrapServers: string, options: { timeoutMs?: number } = {}) {
    this.consumer = new Consumer({
      clientId: 'sabot',
      groupId: 'sabot-unused', // a consumer without a group: offsets belong to the job
      bootstrapBrokers: bootstrapServers.split(',').map((s) => s.trim()),
      connectTimeout: options.timeoutMs ?? 5_000,
      timeout: 60_000,
      retries: 0, // the source and the sink retry with their own patience
    });
  }

  private negotiated() {
    this.apis ??= this.consumer.listApis().then((apis) => {
      const version = (key: number, range: { min: number; max: number }, name: string) => {
        const api = apis.find((a) => a.apiKey === key);
        const v = Math.min(range.max, api?.maxVersion ?? -1);
        if (v < range.min || v < (api?.minVersion ?? 0)) {
          throw new Error(`the broker at ${this.bootstrapServers} does not speak ${name} v${range.min}-v${range.max} (Kafka 3.5 or later is needed)`);
        }
        return v;
      };
      return {
        fetch: versioned(1, version(1, FETCH_VERSIONS, 'Fetch'), createFetchRequest, parseFetchResponse),
        produce: versioned(0, version(0, PRODUCE_VERSIONS, 'Produce'), createProduceRequest, parseProduceResponse),
      };
    });
    this.apis.catch(() => { this.apis = null; });
    return this.apis;
  }

  /** The topic's partitions and their leaders, or null when the topic does not exist. */
  async topic(name: string, refresh = false): Promise<TopicLayout | null> {
    try {
      const metadata = await this.consumer.metadata({ topics: [name], forceUpdate: refresh, autocreateTopics: false });
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
   * maxWaitMs for the first byte, returns up to maxBytes (at least one whole batch).
   */
  async fetch(topic: TopicLayout, leader: number, from: { partition: number; offset: bigint }[],
    options: { maxWaitMs: number; maxBytes: number; partitionMaxBytes: number }): Promise<FetchedPartition[]> {
    const { fetch } = await this.negotiated(); // one request at a time while the connections open
    const connection = await this.connection(leader);
    return fetch.async(connection, options.maxWaitMs, options.maxBytes, topic.topicId,
      from.map((f) => ({ partition: f.partition, offset: f.offset, maxBytes: options.partitionMaxBytes })));
  }

  /**
   * Appends one record batch to each of some partitions led by `leader`, durably; returns
   * the partitions that refused theirs (the others have it), with the Kafka error name.
   */
  async produce(topic: string, leader: number, batches: { partition: number; records: Uint8Array }[]): Promise<{ partition: number; error: string }[]> {
    const { produce } = await this.negotiated();
    const connection = await this.connection(leader);
    return produce.async(connection, topic, batches);
  }

  private async connection(node: number): Promise<Connection> {
    const connections = await this.consumer.connectToBrokers([node]);
    const c = connections.get(node);
    if (!c) throw new Error(`broker ${node} is not in the cluster's metadata`);
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
