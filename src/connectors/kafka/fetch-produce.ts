import { protocolErrorsCodesById } from '@platformatic/kafka';
import { ByteWriter } from './byte-writer.js';

/**
 * The bodies of the two hot requests, Fetch (v15-v17) and Produce (v9-v11), and of
 * their responses, as bytes (sent and read by broker-connection.ts). Record batches
 * stay bytes both ways: a fetched partition's records are a view of the response, a
 * produced batch is one of the request's pieces, never copied.
 */

export const FETCH_API = { key: 1, min: 15, max: 17 }; // the layout since replica_id left the body
export const PRODUCE_API = { key: 0, min: 9, max: 11 }; // flexible versions that still name topics

/** One partition's part of a fetch response. */
export interface FetchedPartition {
  partition: number;
  /** The Kafka error name (e.g. OFFSET_OUT_OF_RANGE), or null. */
  error: string | null;
  highWatermark: bigint;
  logStartOffset: bigint;
  /** The record batches as the broker sent them (the last one may be cut short), or null. */
  records: Uint8Array | null;
}

function errorName(code: number): string {
  return protocolErrorsCodesById[code] ?? String(code);
}

/** A fetch request body: from one topic (by id), the given partitions at the given offsets. */
export function fetchRequest(maxWaitMs: number, maxBytes: number, topicId: string,
  partitions: readonly { partition: number; offset: bigint; maxBytes: number }[]): Uint8Array {
  const w = new Writer(64 + partitions.length * 40);
  w.int32(maxWaitMs).int32(1) // min bytes: answer as soon as there is anything
    .int32(maxBytes).int8(0) // read uncommitted: at least once, like everything else for now
    .int32(0).int32(-1) // no fetch session
    .varint(2).uuid(topicId).varint(partitions.length + 1);
  for (const p of partitions) {
    w.int32(p.partition).int32(-1).int64(p.offset).int32(-1).int64(-1n).int32(p.maxBytes).varint(0);
  }
  w.varint(0) // topic tagged fields
    .varint(1) // no forgotten topics
    .varint(1) // rack id ""
    .varint(0);
  return w.out.bytes.subarray(0, w.out.length);
}

export function parseFetchResponse(body: Uint8Array): FetchedPartition[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  const error = r.int16();
  if (error !== 0) throw new Error(`fetch failed: ${errorName(error)}`);
  r.int32(); // session id
  const out: FetchedPartition[] = [];
  for (let topics = r.varint() - 1; topics > 0; topics--) {
    r.skip(16); // topic id
    for (let partitions = r.varint() - 1; partitions > 0; partitions--) {
      const partition = r.int32();
      const code = r.int16();
      const highWatermark = r.int64();
      r.int64(); // last stable offset
      const logStartOffset = r.int64();
      for (let aborted = r.varint() - 1; aborted > 0; aborted--) { r.skip(16); r.taggedFields(); }
      r.int32(); // preferred read replica
      const size = r.varint() - 1;
      const records = size > 0 ? body.subarray(r.at, r.at + size) : null;
      if (size > 0) r.skip(size);
      r.taggedFields();
      out.push({ partition, error: code === 0 ? null : errorName(code), highWatermark, logStartOffset, records });
    }
    r.taggedFields();
  }
  return out;
}

/**
 * A produce request body (acks = all: delivered means durable on every in-sync replica)
 * as pieces: the framing, with each partition's record batch as a piece of its own.
 */
export function produceRequest(topic: string, batches: readonly { partition: number; records: Uint8Array }[]): Uint8Array[] {
  const w = new Writer(64 + topic.length * 3 + batches.length * 16);
  w.varint(0) // no transactional id
    .int16(-1).int32(30_000)
    .varint(2).string(topic).varint(batches.length + 1);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const b of batches) {
    w.int32(b.partition).varint(b.records.length + 1);
    pieces.push(w.out.bytes.subarray(from, w.out.length), b.records);
    from = w.out.length;
    w.varint(0); // partition tagged fields
  }
  w.varint(0).varint(0); // topic and request tagged fields
  pieces.push(w.out.bytes.subarray(from, w.out.length));
  return pieces;
}

/** A produce response: the partitions that did not take their batch, with the Kafka error name. */
export function parseProduceResponse(body: Uint8Array): { partition: number; error: string }[] {
  const r = new Reader(body);
  const failed: { partition: number; error: string }[] = [];
  for (let topics = r.varint() - 1; topics > 0; topics--) {
    r.skip(r.varint() - 1); // name
    for (let partitions = r.varint() - 1; partitions > 0; partitions--) {
      const partition = r.int32();
      const code = r.int16();
      r.skip(24); // base offset, log append time, log start offset
      for (let errors = r.varint() - 1; errors > 0; errors--) { r.int32(); r.string(); r.taggedFields(); }
      const message = r.string();
      r.taggedFields(); // e.g. the current leader, with NOT_LEADER_OR_FOLLOWER
      if (code !== 0) failed.push({ partition, error: errorName(code) + (message ? ` (${message})` : '') });
    }
    r.taggedFields();
  }
  return failed;
}

/** Big-endian fields and unsigned varints into a ByteWriter. */
class Writer {
  readonly out: ByteWriter;
  private readonly view: DataView;

  constructor(capacity: number) {
    this.out = new ByteWriter(capacity);
    this.view = new DataView(this.out.bytes.buffer);
  }

  private at(n: number): number {
    if (this.out.length + n > this.out.bytes.length) throw new Error('request framing overflow');
    const at = this.out.length;
    this.out.length += n;
    return at;
  }

  int8(v: number): this { this.view.setInt8(this.at(1), v); return this; }
  int16(v: number): this { this.view.setInt16(this.at(2), v); return this; }
  int32(v: number): this { this.view.setInt32(this.at(4), v); return this; }
  int64(v: bigint): this { this.view.setBigInt64(this.at(8), v); return this; }

  varint(v: number): this {
    while (v >= 0x80) { this.out.bytes[this.at(1)] = (v & 0x7f) | 0x80; v >>>= 7; }
    this.out.bytes[this.at(1)] = v;
    return this;
  }

  /** A compact string. */
  string(s: string): this {
    const bytes = new TextEncoder().encode(s);
    this.varint(bytes.length + 1);
    this.out.bytes.set(bytes, this.at(bytes.length));
    return this;
  }

  /** A UUID in its text form, as 16 bytes. */
  uuid(id: string): this {
    const hex = id.replace(/-/g, '');
    for (let i = 0; i < 16; i++) this.out.bytes[this.at(1)] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return this;
  }
}

/** Big-endian fields and unsigned varints out of a response body. */
class Reader {
  at = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  int16(): number { const v = this.view.getInt16(this.at); this.at += 2; return v; }
  int32(): number { const v = this.view.getInt32(this.at); this.at += 4; return v; }
  int64(): bigint { const v = this.view.getBigInt64(this.at); this.at += 8; return v; }

  skip(n: number): void {
    if (this.at + n > this.bytes.length) throw new Error('response cut short');
    this.at += n;
  }

  varint(): number {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.bytes[this.at++];
      if (b === undefined) throw new Error('response cut short');
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
    }
  }

  /** A compact nullable string. */
  string(): string | null {
    const n = this.varint() - 1;
    if (n < 0) return null;
    const s = new TextDecoder().decode(this.bytes.subarray(this.at, this.at + n));
    this.skip(n);
    return s;
  }

  /** Moves past a tagged-fields section: a count, then (tag, size, bytes) each. */
  taggedFields(): void {
    for (let n = this.varint(); n > 0; n--) {
      this.varint();
      this.skip(this.varint());
    }
  }
}
