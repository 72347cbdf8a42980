/**
 * The on-disk format of an internal stream's append log (see stream-log.ts for the log
 * itself). Everything is little-endian.
 *
 * A log is a directory:
 *
 *   schema.arrow                the stream's Arrow schema, as an Arrow IPC stream with no
 *                               batches (schema message + end-of-stream marker); any Arrow
 *                               tool can read it. Written once, atomically (temp + rename).
 *   00000000000000000000.seg    segment files, named by the row offset of their first row
 *   00000000000000409600.seg    (20 decimal digits, so name order is offset order)
 *
 * A segment file is a 32-byte header followed by frames:
 *
 *   segment header (32 bytes)
 *     0  8  magic "SABOTLOG"
 *     8  4  format version (1)
 *    12  4  header size (32)
 *    16  8  row offset of the segment's first row (the same number as the file name)
 *    24  4  CRC-32 of bytes 0..24
 *    28  4  zero
 *
 *   frame = frame header (40 bytes) + body (bodyLength bytes, a multiple of 8)
 *     0  4  magic "SBFR"
 *     4  4  bodyLength
 *     8  8  row offset of the frame's first row
 *    16  8  row offset of the first row of the append() call that wrote the frame
 *    24  4  row count
 *    28  4  flags: bit 0 = COMMIT, set on the last frame of an append() call
 *    32  4  CRC-32 (zlib's polynomial) of header bytes 0..32, then 36..40, then the body
 *    36  4  writer: a tag the appender chose (0: none), the same on every frame of an
 *           append; a dataflow's sink tags its appends so that after a crash it can tell
 *           whether its last append reached the log (StreamLog.appendsSince)
 *
 * Frame body: one record batch as an Arrow IPC *message*, without the schema: exactly
 * what a `RecordBatchStreamWriter` writes for the batch after the schema message (an
 * encapsulated RecordBatch message: 0xFFFFFFFF, metadata length, flatbuffer metadata,
 * body buffers; all 8-byte aligned). Dictionary-encoded columns are not supported (a
 * frame could not be decoded on its own without its dictionary). The schema message is
 * stored once, in schema.arrow, instead of in every frame: a frame is then decoded by
 * feeding [schema message, frame body, end-of-stream] to a `RecordBatchReader`, which
 * reads the body buffers in place (no copy), and a small append costs no schema bytes.
 * Headers are 8-byte multiples and bodies are padded to 8, so every body starts 8-byte
 * aligned in the file and hence in a read buffer that starts at a frame boundary; Arrow
 * needs that to view the buffers as Float64Array/BigInt64Array.
 *
 * Why the two row offsets and the COMMIT flag: a crash mid-append can leave any prefix
 * (or, with unsynced pages, any subset) of that append's frames on disk. On open the last
 * segment is scanned; everything after the last COMMIT frame is cut off, so the log holds
 * exactly the append() calls that completed. A damaged frame followed (anywhere later in
 * the file) by an intact frame of a *later* append cannot be a torn write, since appends
 * are written one at a time and each is fsynced before the next starts: that is
 * corruption, reported with the file and byte position. Damage confined to the final
 * append is indistinguishable from a crash during it and is cut off like one.
 */
import { crc32 } from 'node:zlib';
import {
  DataType, Message, MessageHeader, RecordBatch, RecordBatchReader, RecordBatchStreamWriter, Schema, Table, tableToIPC,
  type Field,
} from 'apache-arrow';
import { SabotError } from '../../errors.js';

export const SEGMENT_MAGIC = Buffer.from('SABOTLOG', 'latin1');
export const FORMAT_VERSION = 1;
export const SEGMENT_HEADER_SIZE = 32;
/** "SBFR" read as a little-endian u32. */
export const FRAME_MAGIC = 0x52464253;
export const FRAME_HEADER_SIZE = 40;
export const FLAG_COMMIT = 1;
/** Frames larger than this are refused on write and treated as damage on read. */
export const MAX_FRAME_BODY = 0x7ffffff8;

/** Postgres's data_corrupted. */
export const DATA_CORRUPTED = 'XX001';
/** Postgres's io_error. */
export const IO_ERROR = '58030';

export const SCHEMA_FILE = 'schema.arrow';
export const SEGMENT_SUFFIX = '.seg';
const SEGMENT_NAME = /^(\d{20})\.seg$/;

/** The end-of-stream marker of the Arrow IPC stream format. */
export const IPC_EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

export function segmentFileName(firstRow: bigint): string {
  return firstRow.toString().padStart(20, '0') + SEGMENT_SUFFIX;
}

/** The first row offset a segment file name stands for, or undefined if it is not one. */
export function parseSegmentFileName(name: string): bigint | undefined {
  const m = SEGMENT_NAME.exec(name);
  return m ? BigInt(m[1]!) : undefined;
}

export function corruption(file: string, position: number, what: string, detail?: string): SabotError {
  return new SabotError(DATA_CORRUPTED, `stream log ${file}: ${what} at byte ${position}`,
    { detail, userFault: false });
}

export function ioError(what: string, cause: unknown): SabotError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new SabotError(IO_ERROR, `${what}: ${message}`, { userFault: false, cause });
}

// ---- segment header ---------------------------------------------------------------

export function encodeSegmentHeader(firstRow: bigint): Buffer {
  const b = Buffer.alloc(SEGMENT_HEADER_SIZE);
  SEGMENT_MAGIC.copy(b, 0);
  b.writeUInt32LE(FORMAT_VERSION, 8);
  b.writeUInt32LE(SEGMENT_HEADER_SIZE, 12);
  b.writeBigUInt64LE(firstRow, 16);
  b.writeUInt32LE(crc32(b.subarray(0, 24)), 24);
  return b;
}

/** The first row offset in a segment header, or a description of what is wrong with it. */
export function decodeSegmentHeader(bytes: Uint8Array): { firstRow: bigint } | { error: string } {
  if (bytes.length < SEGMENT_HEADER_SIZE) return { error: 'segment header is incomplete' };
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, SEGMENT_HEADER_SIZE);
  if (!b.subarray(0, 8).equals(SEGMENT_MAGIC)) return { error: 'not a segment file (bad magic)' };
  if (b.readUInt32LE(24) !== crc32(b.subarray(0, 24))) return { error: 'segment header checksum mismatch' };
  const version = b.readUInt32LE(8);
  if (version !== FORMAT_VERSION) return { error: `unsupported segment format version ${version}` };
  return { firstRow: b.readBigUInt64LE(16) };
}

// ---- frame header -----------------------------------------------------------------

export interface FrameHeader {
  bodyLength: number;
  firstRow: bigint;
  appendStart: bigint;
  rowCount: number;
  flags: number;
  writer: number;
  crc: number;
}

/** The frame header for a body made of `chunks` (whose lengths add up to h.bodyLength). */
export function encodeFrameHeader(h: Omit<FrameHeader, 'crc'>, chunks: readonly Uint8Array[]): Buffer {
  const b = Buffer.alloc(FRAME_HEADER_SIZE);
  b.writeUInt32LE(FRAME_MAGIC, 0);
  b.writeUInt32LE(h.bodyLength, 4);
  b.writeBigUInt64LE(h.firstRow, 8);
  b.writeBigUInt64LE(h.appendStart, 16);
  b.writeUInt32LE(h.rowCount, 24);
  b.writeUInt32LE(h.flags, 28);
  b.writeUInt32LE(h.writer, 36);
  let crc = crc32(b.subarray(36, 40), crc32(b.subarray(0, 32)));
  for (const c of chunks) crc = crc32(c, crc);
  b.writeUInt32LE(crc, 32);
  return b;
}

/**
 * Parses a frame header from `view` (at least FRAME_HEADER_SIZE bytes); returns undefined
 * when it cannot be one (bad magic, impossible length or flags). The checksum is not
 * checked here: see frameChecksumOk.
 */
export function decodeFrameHeader(view: DataView, at: number): FrameHeader | undefined {
  if (view.getUint32(at, true) !== FRAME_MAGIC) return undefined;
  const bodyLength = view.getUint32(at + 4, true);
  const flags = view.getUint32(at + 28, true);
  if (bodyLength % 8 !== 0 || bodyLength > MAX_FRAME_BODY || (flags & ~FLAG_COMMIT) !== 0) return undefined;
  return {
    bodyLength,
    firstRow: view.getBigUint64(at + 8, true),
    appendStart: view.getBigUint64(at + 16, true),
    rowCount: view.getUint32(at + 24, true),
    flags,
    writer: view.getUint32(at + 36, true),
    crc: view.getUint32(at + 32, true),
  };
}

/** Whether the CRC in `header` matches the header bytes and body. */
export function frameChecksumOk(headerBytes: Uint8Array, body: Uint8Array, crc: number): boolean {
  return crc32(body, crc32(headerBytes.subarray(36, 40), crc32(headerBytes.subarray(0, 32)))) === crc;
}

// ---- Arrow IPC ----------------------------------------------------------------------

/** schema.arrow's contents: an IPC stream holding only `schema`. */
export function encodeSchemaFile(schema: Schema): Uint8Array {
  return tableToIPC(new Table(schema), 'stream');
}

/** Length of the encapsulated message at the start of `bytes` that has no body (a schema). */
function bodylessMessageLength(bytes: Uint8Array): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The length field counts the metadata with its padding to 8 bytes.
  if (bytes.length < 8 || dv.getUint32(0, true) !== 0xffffffff) {
    throw new Error('unexpected Arrow IPC stream layout (no continuation marker)');
  }
  return 8 + dv.getInt32(4, true);
}

/** Reads schema.arrow back: its schema and its schema message (the bytes that decode frames). */
export function decodeSchemaFile(bytes: Uint8Array): { schema: Schema; schemaMessage: Uint8Array } {
  const reader = RecordBatchReader.from(bytes);
  reader.open();
  const schema = reader.schema;
  if (!schema) throw new Error('no schema message');
  const len = bodylessMessageLength(bytes);
  return { schema, schemaMessage: bytes.slice(0, len) };
}

/** A frame body as the list of byte ranges it is made of, and its length. */
export interface EncodedBody {
  chunks: Uint8Array[];
  length: number;
}

/** Reads a list of byte chunks front to back, handing out views (no copy). */
class ChunkReader {
  private i = 0;
  private off = 0;
  constructor(private readonly chunks: readonly Uint8Array[]) {}

  /** The next `n` bytes, as views of the chunks; throws if there are fewer. */
  take(n: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    while (n > 0) {
      const c = this.chunks[this.i];
      if (!c) throw new Error('unexpected Arrow IPC stream layout (output ends early)');
      const k = Math.min(c.length - this.off, n);
      if (k > 0) out.push(c.subarray(this.off, this.off + k));
      n -= k;
      this.off += k;
      if (this.off === c.length) { this.i++; this.off = 0; }
    }
    return out;
  }

  get done(): boolean {
    while (this.i < this.chunks.length && this.chunks[this.i]!.length === this.off) { this.i++; this.off = 0; }
    return this.i >= this.chunks.length;
  }
}

function contiguous(parts: readonly Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Reads an encapsulated message's 8-byte prefix; returns its metadata length (0: end of stream). */
function messagePrefix(r: ChunkReader): { parts: Uint8Array[]; metaLength: number } {
  const parts = r.take(8);
  const bytes = contiguous(parts);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 8);
  if (dv.getUint32(0, true) !== 0xffffffff) throw new Error('unexpected Arrow IPC stream layout (no continuation marker)');
  return { parts, metaLength: dv.getInt32(4, true) };
}

/**
 * Batches as frame bodies: for each, its RecordBatch message exactly as a stream writer
 * emits it (the schema message and the end-of-stream marker are left out). One writer
 * encodes all the batches of an append() call, so the schema is encoded once per call;
 * the message boundaries come from each message's metadata (its body length). The
 * writer hands out its output as chunks that are mostly views of the batches' own
 * buffers, and they are kept as they are (written with writev), so the data is not
 * copied: the batches must not be modified until they are written.
 */
export async function encodeBatchBodies(batches: readonly RecordBatch[]): Promise<EncodedBody[]> {
  const writer = new RecordBatchStreamWriter();
  for (const batch of batches) writer.write(batch);
  writer.finish();
  const all: Uint8Array[] = [];
  for await (const chunk of writer) all.push(chunk);

  const r = new ChunkReader(all);
  r.take(messagePrefix(r).metaLength); // the schema message (it has no body)
  const out: EncodedBody[] = [];
  for (let i = 0; i < batches.length; i++) {
    const prefix = messagePrefix(r);
    const meta = r.take(prefix.metaLength);
    const message = Message.decode(contiguous(meta));
    if (message.headerType !== MessageHeader.RecordBatch) {
      throw new Error(`unexpected Arrow IPC message (${MessageHeader[message.headerType]}) where a record batch should be`);
    }
    const bodyLength = Number(message.bodyLength);
    const chunks = [...prefix.parts, ...meta, ...r.take(bodyLength)];
    const length = 8 + prefix.metaLength + bodyLength;
    if (length % 8 !== 0) throw new Error('unexpected Arrow IPC stream layout (unaligned message)');
    out.push({ chunks, length });
  }
  if (messagePrefix(r).metaLength !== 0 || !r.done) {
    throw new Error('unexpected Arrow IPC stream layout (no end-of-stream marker)');
  }
  return out;
}

/**
 * Decodes a frame body with the log's schema message (so the batch's schema is the one
 * stored in schema.arrow). The buffers of the returned batch are views into `body`, which
 * must start at an 8-byte aligned offset of its ArrayBuffer. Returns undefined if the
 * body does not hold a record batch.
 */
export function decodeBatchBody(schemaMessage: Uint8Array, body: Uint8Array): RecordBatch | undefined {
  const reader = RecordBatchReader.from([schemaMessage, body, IPC_EOS]);
  const first = reader.next();
  return first.done ? undefined : first.value;
}

// ---- schemas ----------------------------------------------------------------------

/** Whether a type is or holds a dictionary-encoded type (which the log does not store). */
export function hasDictionary(type: DataType): boolean {
  return DataType.isDictionary(type) || (type.children ?? []).some((f: Field) => hasDictionary(f.type));
}

function describeField(f: Field): string {
  const meta = [...f.metadata].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`).join(',');
  return `${JSON.stringify(f.name)} ${String(f.type)}${f.nullable ? '' : ' NOT NULL'}${meta ? ` {${meta}}` : ''}`;
}

/**
 * The differences between the schema a log was created with and the one it is opened
 * with, one line each (empty when they match): names, Arrow types, nullability and field
 * metadata (which carries the SQL type) must all be equal, column by column.
 */
export function schemaDifferences(stored: Schema, given: Schema): string[] {
  const out: string[] = [];
  const n = Math.max(stored.fields.length, given.fields.length);
  if (stored.fields.length !== given.fields.length) {
    out.push(`the log has ${stored.fields.length} columns, the stream ${given.fields.length}`);
  }
  for (let i = 0; i < n; i++) {
    const s = stored.fields[i];
    const g = given.fields[i];
    const ds = s ? describeField(s) : '(none)';
    const dg = g ? describeField(g) : '(none)';
    if (ds !== dg || (s && g && s.typeId !== g.typeId)) out.push(`column ${i + 1}: log has ${ds}, stream has ${dg}`);
  }
  return out;
}

/**
 * Why a batch cannot be appended to a log of `schema`, or undefined if it can. Columns
 * are matched by position and Arrow type; the batch's field names and metadata are not
 * looked at (the log's schema names the columns when they are read back). A NOT NULL
 * column must hold no nulls.
 */
export function batchMismatch(schema: Schema, batch: RecordBatch): { code: string; message: string } | undefined {
  const fields = batch.schema.fields;
  if (fields.length !== schema.fields.length) {
    return { code: '42804', message: `the batch has ${fields.length} columns, the stream ${schema.fields.length}` };
  }
  for (let i = 0; i < fields.length; i++) {
    const want = schema.fields[i]!;
    const got = fields[i]!;
    if (got.typeId !== want.typeId || String(got.type) !== String(want.type)) {
      return {
        code: '42804', // datatype_mismatch
        message: `column ${i + 1} (${want.name}) is ${String(want.type)} in the stream but ${String(got.type)} in the batch`,
      };
    }
    if (!want.nullable && batch.numRows > 0 && batch.data.children[i]!.nullCount > 0) {
      return { code: '23502', message: `column ${i + 1} (${want.name}) is NOT NULL but the batch holds nulls in it` }; // not_null_violation
    }
  }
  return undefined;
}
