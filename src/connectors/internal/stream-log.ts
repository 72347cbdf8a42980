/**
 * The storage of an internal stream: a durable append log of Arrow record batches in its
 * own directory (`<data-dir>/streams/<name>/`). `INSERT INTO s VALUES` and dataflows
 * writing into `s` append to it; `SELECT` and dataflows reading `s` read it from a row
 * offset, so a reader that records the offset it has consumed resumes after a restart
 * without skipping or repeating rows.
 *
 * Row offsets count rows from 0 across the whole log. The on-disk format (segment files
 * of checksummed frames, one record batch each, in Arrow IPC) and the crash-recovery
 * rules are described in log-format.ts.
 *
 * Concurrency: appends are queued and written one at a time, in call order; each is
 * fsynced before its promise resolves and before the next one starts. Readers open their
 * own file handles and read only up to `end` (the durable end), so they run alongside
 * appends and never see a frame that is still being written. One StreamLog per directory
 * per process (a second open is refused); other processes must not open the same log.
 */
import { mkdir, open, readdir, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { RecordBatch, Schema } from 'apache-arrow';
import { SabotError, SqlState } from '../../errors.js';
import { FileWindow } from './file-window.js';
import {
  DATA_CORRUPTED, FLAG_COMMIT, FRAME_HEADER_SIZE, FRAME_MAGIC, SCHEMA_FILE, SEGMENT_HEADER_SIZE, MAX_FRAME_BODY,
  batchMismatch, corruption, decodeBatchBody, decodeFrameHeader, decodeSchemaFile, decodeSegmentHeader,
  encodeBatchBodies, encodeFrameHeader, hasDictionary, encodeSchemaFile, encodeSegmentHeader, frameChecksumOk, ioError,
  parseSegmentFileName, schemaDifferences, segmentFileName, type FrameHeader,
} from './log-format.js';

export interface StreamLogOptions {
  /**
   * A new segment file is started when an append would take the current one past this
   * many bytes (default 64 MiB). An append is never split across segments, so one larger
   * than this gets a segment to itself.
   */
  segmentBytes?: number;
}

/** What open() found and repaired. */
export interface StreamLogRecovery {
  /** Bytes cut off the tail of the last segment: an append that did not complete. */
  truncatedBytes: number;
  /** Whether the last segment's header was rewritten (a crash while starting a segment). */
  rewroteSegmentHeader: boolean;
}

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
/** The sparse frame index keeps one entry per this many bytes of a segment. */
const INDEX_GAP = 256 * 1024;
/** Read chunk when reading batches, and when walking frame headers only. */
const READ_CHUNK = 1024 * 1024;
const HEADER_SCAN_CHUNK = 16 * 1024;

/** Byte positions and first rows of some frames of a segment, in order. */
interface SparseIndex {
  pos: number[];
  row: bigint[];
}

interface Segment {
  readonly firstRow: bigint;
  readonly path: string;
  /** Bytes of complete, durable frames (plus the header); grows for the last segment. */
  size: number;
  index?: SparseIndex;
  indexing?: Promise<SparseIndex>;
}

interface Waiter {
  offset: bigint;
  resolve: () => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** Directories with an open StreamLog in this process (absolute paths). */
const openDirs = new Set<string>();

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try { await fh.sync(); } finally { await fh.close(); }
}

/** Writes all of `buffers` at `pos`, continuing after short writes. */
async function writevAll(fh: FileHandle, buffers: Uint8Array[], pos: number): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) {
    const { bytesWritten } = await fh.writev(rest, pos);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    pos += bytesWritten;
    let n = bytesWritten;
    let i = 0;
    while (i < rest.length && n >= rest[i]!.length) n -= rest[i++]!.length;
    rest = rest.slice(i);
    if (n > 0) rest[0] = rest[0]!.subarray(n);
  }
}

function addToIndex(index: SparseIndex, pos: number, row: bigint): void {
  const last = index.pos.length - 1;
  if (last < 0 || pos - index.pos[last]! >= INDEX_GAP) {
    index.pos.push(pos);
    index.row.push(row);
  }
}

function closedError(): SabotError {
  return new SabotError(SqlState.objectNotInPrerequisiteState, 'stream log is closed', { userFault: false });
}

function closeQuietly(fh: FileHandle | undefined): Promise<void> {
  return fh ? fh.close().catch(() => undefined) : Promise.resolve();
}

export class StreamLog {
  /** The schema given to open(); batches read back carry an equal one (from schema.arrow). */
  readonly schema: Schema;
  readonly dir: string;
  readonly recovery: StreamLogRecovery;

  private readonly schemaMessage: Uint8Array;
  private readonly segmentBytes: number;
  private readonly segments: Segment[];
  /** Write handle of the last segment. */
  private fh: FileHandle;
  private _end: bigint;
  private queue: Promise<unknown> = Promise.resolve();
  private waiters: Waiter[] = [];
  private closed = false;
  private closing?: Promise<void>;
  /** Set when a failed append could not be undone: the log refuses further appends. */
  private broken?: SabotError;

  private constructor(init: {
    dir: string; schema: Schema; schemaMessage: Uint8Array; segmentBytes: number;
    segments: Segment[]; fh: FileHandle; end: bigint; recovery: StreamLogRecovery;
  }) {
    this.dir = init.dir;
    this.schema = init.schema;
    this.schemaMessage = init.schemaMessage;
    this.segmentBytes = init.segmentBytes;
    this.segments = init.segments;
    this.fh = init.fh;
    this._end = init.end;
    this.recovery = init.recovery;
  }

  /** The offset after the last durable row. */
  get end(): bigint { return this._end; }

  /** The offset of the first row the log holds (0: nothing is ever removed from the front). */
  get start(): bigint { return this.segments[0]!.firstRow; }

  /**
   * Opens the log in `dir`, creating it (and the directory) if missing. An existing log
   * must have been created with the same schema (column names, types, nullability and
   * field metadata); if the last append before a crash did not complete, its frames are
   * cut off (see `recovery`).
   */
  static async open(dir: string, schema: Schema, options: StreamLogOptions = {}): Promise<StreamLog> {
    const abs = resolve(dir);
    const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!(segmentBytes > SEGMENT_HEADER_SIZE)) {
      throw new SabotError(SqlState.invalidParameterValue, `segmentBytes must be more than ${SEGMENT_HEADER_SIZE}`);
    }
    if (openDirs.has(abs)) {
      throw new SabotError(SqlState.objectNotInPrerequisiteState, `stream log ${abs} is already open`, { userFault: false });
    }
    const dict = schema.fields.find((f) => hasDictionary(f.type));
    if (dict) {
      throw new SabotError(SqlState.featureNotSupported, `stream log column ${dict.name}: dictionary-encoded types are not supported`);
    }
    openDirs.add(abs);
    try {
      return await StreamLog.doOpen(abs, schema, segmentBytes);
    } catch (e) {
      openDirs.delete(abs);
      throw e instanceof SabotError ? e : ioError(`cannot open stream log ${abs}`, e);
    }
  }

  private static async doOpen(dir: string, schema: Schema, segmentBytes: number): Promise<StreamLog> {
    const created = await mkdir(dir, { recursive: true });
    if (created !== undefined) {
      // Make the new directories' entries durable, from the deepest up to the first created.
      for (let d = dir; ; d = dirname(d)) {
        await syncDir(dirname(d));
        if (d === resolve(created) || dirname(d) === d) break;
      }
    }
    const names = await readdir(dir);
    if (names.includes(SCHEMA_FILE + '.tmp')) await rm(join(dir, SCHEMA_FILE + '.tmp'), { force: true });
    const segNames = names.map((n) => ({ n, row: parseSegmentFileName(n) }))
      .filter((s): s is { n: string; row: bigint } => s.row !== undefined)
      .sort((a, b) => (a.row < b.row ? -1 : a.row > b.row ? 1 : 0));

    // The schema: check it against the stored one, or store it.
    const schemaPath = join(dir, SCHEMA_FILE);
    let schemaMessage: Uint8Array;
    if (names.includes(SCHEMA_FILE)) {
      let stored;
      try {
        stored = decodeSchemaFile(await readFile(schemaPath));
      } catch (e) {
        throw new SabotError(DATA_CORRUPTED, `stream log ${schemaPath}: cannot read the schema: ${(e as Error).message}`,
          { userFault: false, cause: e });
      }
      const diffs = schemaDifferences(stored.schema, schema);
      if (diffs.length > 0) {
        throw new SabotError(SqlState.datatypeMismatch,
          `stream log ${dir} was created with a different schema`,
          { detail: diffs.join('; '), userFault: false });
      }
      schemaMessage = stored.schemaMessage;
    } else {
      if (segNames.length > 0) {
        throw new SabotError(DATA_CORRUPTED, `stream log ${dir}: segment files but no ${SCHEMA_FILE}`, { userFault: false });
      }
      const bytes = encodeSchemaFile(schema);
      const tmp = schemaPath + '.tmp';
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, schemaPath);
      await syncDir(dir);
      schemaMessage = decodeSchemaFile(bytes).schemaMessage;
    }

    if (segNames.length === 0) {
      const path = join(dir, segmentFileName(0n));
      await writeFile(path, encodeSegmentHeader(0n), { flag: 'wx' });
      const fh = await open(path, 'r+');
      try { await fh.datasync(); } finally { await fh.close(); }
      await syncDir(dir);
      segNames.push({ n: segmentFileName(0n), row: 0n });
    }

    // Sealed segments: check their headers only; their frames are checked when read.
    const segments: Segment[] = [];
    for (let i = 0; i < segNames.length - 1; i++) {
      const { n, row } = segNames[i]!;
      const path = join(dir, n);
      const fh = await open(path, 'r');
      try {
        const { size } = await fh.stat();
        const head = new Uint8Array(SEGMENT_HEADER_SIZE);
        const { bytesRead } = await fh.read(head, 0, SEGMENT_HEADER_SIZE, 0);
        const h = decodeSegmentHeader(head.subarray(0, bytesRead));
        if ('error' in h) throw corruption(path, 0, h.error);
        if (h.firstRow !== row) throw corruption(path, 16, `segment header says row ${h.firstRow}, the file name ${row}`);
        segments.push({ firstRow: row, path, size });
      } finally {
        await fh.close();
      }
    }

    // The last segment: scan and repair its tail; it becomes the one appends go to.
    const last = segNames[segNames.length - 1]!;
    const lastPath = join(dir, last.n);
    const fh = await open(lastPath, 'r+');
    let recovered;
    try {
      recovered = await recoverLastSegment(fh, lastPath, last.row);
    } catch (e) {
      await closeQuietly(fh);
      throw e;
    }
    segments.push({ firstRow: last.row, path: lastPath, size: recovered.size, index: recovered.index });
    return new StreamLog({
      dir, schema, schemaMessage, segmentBytes, segments, fh, end: recovered.endRow,
      recovery: { truncatedBytes: recovered.truncatedBytes, rewroteSegmentHeader: recovered.rewroteHeader },
    });
  }

  /**
   * Deletes the log in `dir` (DROP STREAM); a missing directory is not an error. The log
   * must not be open. The directory is first renamed to a hidden sibling, so a crash
   * part-way never leaves a half-deleted log under the stream's name; leftovers of such
   * crashes are swept up by the next remove() of the same name.
   */
  static async remove(dir: string): Promise<void> {
    const abs = resolve(dir);
    if (openDirs.has(abs)) {
      throw new SabotError(SqlState.objectNotInPrerequisiteState, `stream log ${abs} is open; close it before removing it`,
        { userFault: false });
    }
    const parent = dirname(abs);
    const prefix = `.${basename(abs)}.dropped-`;
    try {
      try {
        await rename(abs, join(parent, `${prefix}${process.pid}-${Date.now()}`));
        await syncDir(parent);
      } catch (e) {
        if (errCode(e) !== 'ENOENT') throw e;
      }
      let names: string[] = [];
      try { names = await readdir(parent); } catch (e) { if (errCode(e) !== 'ENOENT') throw e; }
      for (const n of names) {
        if (n.startsWith(prefix)) await rm(join(parent, n), { recursive: true, force: true });
      }
    } catch (e) {
      throw ioError(`cannot remove stream log ${abs}`, e);
    }
  }

  /**
   * Appends `batches` durably: they are written and fsynced before the promise resolves,
   * and get the row offsets [start, end). Concurrent calls are written in call order.
   * Columns must match the log's schema by position and Arrow type (names are not
   * checked); empty batches are skipped. The batches' buffers are written from where
   * they are, without a copy: do not modify them before the promise settles.
   */
  append(batches: readonly RecordBatch[], writer = 0): Promise<{ start: bigint; end: bigint }> {
    if (this.closed) return Promise.reject(closedError());
    // Check now, in the caller's turn, so a bad batch fails its own call only.
    const kept: RecordBatch[] = [];
    for (const batch of batches) {
      const why = batchMismatch(this.schema, batch);
      if (why !== undefined) {
        return Promise.reject(new SabotError(why.code, `cannot append to stream log ${this.dir}: ${why.message}`));
      }
      if (batch.numRows > 0) kept.push(batch);
    }
    const run = this.queue.then(() => this.write(kept, writer));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(batches: RecordBatch[], writer: number): Promise<{ start: bigint; end: bigint }> {
    if (this.broken) throw this.broken;
    const start = this._end;
    if (batches.length === 0) return { start, end: start };
    const bodies = await encodeBatchBodies(batches);
    let bytes = 0;
    for (const body of bodies) {
      if (body.length > MAX_FRAME_BODY) {
        throw new SabotError(SqlState.programLimitExceeded,
          `a record batch of ${body.length} bytes is too large for a stream log frame; split it`);
      }
      bytes += FRAME_HEADER_SIZE + body.length;
    }
    let seg = this.segments[this.segments.length - 1]!;
    if (seg.size > SEGMENT_HEADER_SIZE && seg.size + bytes > this.segmentBytes) seg = await this.roll();

    const buffers: Uint8Array[] = [];
    const positions: number[] = [];
    let row = start;
    let pos = seg.size;
    for (let i = 0; i < bodies.length; i++) {
      const body = bodies[i]!;
      const rowCount = batches[i]!.numRows;
      buffers.push(encodeFrameHeader({
        bodyLength: body.length, firstRow: row, appendStart: start, rowCount,
        flags: i === bodies.length - 1 ? FLAG_COMMIT : 0, writer,
      }, body.chunks), ...body.chunks);
      positions.push(pos);
      pos += FRAME_HEADER_SIZE + body.length;
      row += BigInt(rowCount);
    }
    try {
      await writevAll(this.fh, buffers, seg.size);
      await this.fh.datasync();
    } catch (e) {
      const err = ioError(`cannot append to stream log ${seg.path}`, e);
      try {
        await this.fh.truncate(seg.size);
        await this.fh.datasync();
      } catch (e2) {
        this.broken = ioError(`stream log ${seg.path} is unusable after a failed append (reopen it to recover)`, e2);
      }
      throw err;
    }
    const index = seg.index!;
    let r = start;
    for (let i = 0; i < positions.length; i++) {
      addToIndex(index, positions[i]!, r);
      r += BigInt(batches[i]!.numRows);
    }
    seg.size = pos;
    this._end = row;
    this.wake();
    return { start, end: row };
  }

  /** Starts a new segment at the current end; the old one is complete and durable. */
  private async roll(): Promise<Segment> {
    const firstRow = this._end;
    const path = join(this.dir, segmentFileName(firstRow));
    let fh: FileHandle | undefined;
    try {
      fh = await open(path, 'wx');
      await writevAll(fh, [encodeSegmentHeader(firstRow)], 0);
      await fh.datasync();
      await syncDir(this.dir);
    } catch (e) {
      await closeQuietly(fh);
      await rm(path, { force: true }).catch(() => undefined);
      throw ioError(`cannot start stream log segment ${path}`, e);
    }
    await closeQuietly(this.fh);
    this.fh = fh;
    const seg: Segment = { firstRow, path, size: SEGMENT_HEADER_SIZE, index: { pos: [], row: [] } };
    this.segments.push(seg);
    return seg;
  }

  /** Resolves once `end >= offset`; rejects if `signal` aborts or the log is closed. */
  waitFor(offset: bigint, signal?: AbortSignal): Promise<void> {
    if (offset <= this._end) return Promise.resolve();
    if (this.closed) return Promise.reject(closedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { offset, resolve, reject, signal };
      if (signal) {
        w.onAbort = () => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(signal.reason);
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.waiters.push(w);
    });
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.offset <= this._end) {
        if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
        w.resolve();
      } else {
        keep.push(w);
      }
    }
    this.waiters = keep;
  }

  /**
   * Yields the rows [fromOffset, toOffset) in order, as batches (the first and last
   * sliced as needed) each with the offset of its first row. `toOffset` defaults to
   * `end` as of the call and may not be beyond it: to tail the log, waitFor() then read.
   * Frames are checksummed as they are read; a damaged one is an error naming the file
   * and byte position. Batches are views into read buffers; they stay valid. Each read
   * holds a file open: iterate to the end or leave the loop with break/return/throw
   * (which closes it), rather than dropping a half-consumed iterator.
   */
  read(fromOffset: bigint, toOffset?: bigint): AsyncIterable<{ offset: bigint; batch: RecordBatch }> {
    if (this.closed) throw closedError();
    const stop = toOffset ?? this._end;
    if (fromOffset < this.start || stop > this._end || fromOffset > stop) {
      throw new SabotError(SqlState.invalidParameterValue,
        `cannot read rows [${fromOffset}, ${stop}) of stream log ${this.dir}: it holds rows [${this.start}, ${this._end})`);
    }
    return this.readRange(fromOffset, stop);
  }

  private async *readRange(from: bigint, stop: bigint): AsyncGenerator<{ offset: bigint; batch: RecordBatch }> {
    let row = from;
    while (row < stop) {
      const si = this.segmentIndexFor(row);
      const seg = this.segments[si]!;
      let pos = SEGMENT_HEADER_SIZE;
      let expect = seg.firstRow;
      if (row > seg.firstRow) {
        const index = await this.indexOf(seg, si);
        let lo = 0;
        let hi = index.row.length - 1;
        while (lo < hi) { // the last entry with row <= `row`
          const mid = (lo + hi + 1) >> 1;
          if (index.row[mid]! <= row) lo = mid; else hi = mid - 1;
        }
        if (hi >= 0 && index.row[lo]! <= row) { pos = index.pos[lo]!; expect = index.row[lo]!; }
      }
      const fh = await openForRead(seg.path);
      try {
        const win = new FileWindow(fh, READ_CHUNK);
        while (row < stop && pos < seg.size) {
          if (!await win.load(pos, FRAME_HEADER_SIZE, seg.size)) throw corruption(seg.path, pos, 'file is shorter than recorded');
          const [dv, at] = win.view(pos);
          const h = decodeFrameHeader(dv, at);
          if (!h) throw corruption(seg.path, pos, 'bad frame header');
          if (h.firstRow !== expect) throw corruption(seg.path, pos, `frame starts at row ${h.firstRow}, expected ${expect}`);
          const frameEnd = h.firstRow + BigInt(h.rowCount);
          const bodyPos = pos + FRAME_HEADER_SIZE;
          if (frameEnd > row) {
            if (!await win.load(pos, FRAME_HEADER_SIZE + h.bodyLength, seg.size)) {
              throw corruption(seg.path, pos, 'frame runs past the end of the segment');
            }
            const body = win.bytes(bodyPos, h.bodyLength);
            if (!frameChecksumOk(win.bytes(pos, FRAME_HEADER_SIZE), body, h.crc)) {
              throw corruption(seg.path, pos, 'frame checksum mismatch');
            }
            let batch: RecordBatch | undefined;
            try {
              batch = decodeBatchBody(this.schemaMessage, body);
            } catch (e) {
              throw corruption(seg.path, pos, 'frame does not hold an Arrow record batch', (e as Error).message);
            }
            if (!batch || batch.numRows !== h.rowCount) {
              throw corruption(seg.path, pos, 'frame does not hold the record batch its header describes');
            }
            const begin = Number(row - h.firstRow);
            const endIdx = Number((frameEnd < stop ? frameEnd : stop) - h.firstRow);
            if (begin > 0 || endIdx < h.rowCount) batch = batch.slice(begin, endIdx);
            yield { offset: row, batch };
            row = h.firstRow + BigInt(endIdx);
          }
          pos = bodyPos + h.bodyLength;
          expect = frameEnd;
        }
        if (row < stop) {
          const next = this.segments[si + 1];
          if (!next) throw corruption(seg.path, pos, `log ends at row ${expect}, expected ${stop}`);
          if (expect !== next.firstRow) {
            throw corruption(seg.path, pos, `segment ends at row ${expect} but the next one starts at row ${next.firstRow}`);
          }
        }
      } finally {
        await fh.close();
      }
    }
  }

  /**
   * The appends that completed after row `from` (the log's end when the caller looked),
   * with their writer tags, in order. Reads frame headers only.
   */
  async appendsSince(from: bigint): Promise<{ writer: number; start: bigint; end: bigint }[]> {
    if (this.closed) throw closedError();
    const appends: { writer: number; start: bigint; end: bigint }[] = [];
    if (from >= this._end) return appends;
    for (let si = this.segmentIndexFor(from < this.start ? this.start : from); si < this.segments.length; si++) {
      const seg = this.segments[si]!;
      const index = si === this.segments.length - 1 || seg.index ? seg.index! : await this.indexOf(seg, si);
      let pos = SEGMENT_HEADER_SIZE;
      for (let k = 0; k < index.row.length && index.row[k]! <= from; k++) pos = index.pos[k]!;
      const fh = await openForRead(seg.path);
      try {
        const win = new FileWindow(fh, HEADER_SCAN_CHUNK);
        while (pos < seg.size) {
          if (!await win.load(pos, FRAME_HEADER_SIZE, seg.size)) throw corruption(seg.path, pos, 'truncated frame header');
          const [dv, at] = win.view(pos);
          const h = decodeFrameHeader(dv, at);
          if (!h) throw corruption(seg.path, pos, 'bad frame header');
          const end = h.firstRow + BigInt(h.rowCount);
          if ((h.flags & FLAG_COMMIT) !== 0 && end > from) appends.push({ writer: h.writer, start: h.appendStart, end });
          pos += FRAME_HEADER_SIZE + h.bodyLength;
        }
      } finally {
        await fh.close();
      }
    }
    return appends;
  }

  /** Index of the last segment whose first row is <= `row`. */
  private segmentIndexFor(row: bigint): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid]!.firstRow <= row) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /** The sparse index of a segment, built on first use for segments sealed before open. */
  private indexOf(seg: Segment, si: number): Promise<SparseIndex> {
    if (seg.index) return Promise.resolve(seg.index);
    if (!seg.indexing) {
      const endRow = this.segments[si + 1]!.firstRow;
      seg.indexing = indexSealedSegment(seg, endRow).then((index) => {
        seg.index = index;
        return index;
      }, (e) => {
        seg.indexing = undefined;
        throw e;
      });
    }
    return seg.indexing;
  }

  /**
   * Waits for queued appends, then closes the log: later calls fail, pending waitFor()s
   * reject. Reads already running finish (they have their own file handles).
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.closing = (async () => {
        await this.queue;
        await closeQuietly(this.fh);
        const waiters = this.waiters;
        this.waiters = [];
        for (const w of waiters) {
          if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
          w.reject(closedError());
        }
        openDirs.delete(this.dir);
      })();
    }
    return this.closing;
  }
}

async function openForRead(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (e) {
    throw ioError(`cannot read stream log ${path}`, e);
  }
}

/** Walks a sealed segment's frame headers (no checksums) to build its sparse index. */
async function indexSealedSegment(seg: Segment, endRow: bigint): Promise<SparseIndex> {
  const fh = await openForRead(seg.path);
  try {
    const win = new FileWindow(fh, HEADER_SCAN_CHUNK);
    const index: SparseIndex = { pos: [], row: [] };
    let pos = SEGMENT_HEADER_SIZE;
    let row = seg.firstRow;
    while (pos < seg.size) {
      if (!await win.load(pos, FRAME_HEADER_SIZE, seg.size)) throw corruption(seg.path, pos, 'truncated frame header');
      const [dv, at] = win.view(pos);
      const h = decodeFrameHeader(dv, at);
      if (!h) throw corruption(seg.path, pos, 'bad frame header');
      if (h.firstRow !== row) throw corruption(seg.path, pos, `frame starts at row ${h.firstRow}, expected ${row}`);
      if (pos + FRAME_HEADER_SIZE + h.bodyLength > seg.size) throw corruption(seg.path, pos, 'frame runs past the end of the segment');
      addToIndex(index, pos, row);
      row += BigInt(h.rowCount);
      pos += FRAME_HEADER_SIZE + h.bodyLength;
    }
    if (row !== endRow) {
      throw corruption(seg.path, pos, `segment ends at row ${row} but the next one starts at row ${endRow}`);
    }
    return index;
  } finally {
    await fh.close();
  }
}

interface Recovered {
  size: number;
  endRow: bigint;
  index: SparseIndex;
  truncatedBytes: number;
  rewroteHeader: boolean;
}

/**
 * Scans the last segment, checking every frame, and cuts off what follows the last frame
 * of a completed append (see log-format.ts for why that is safe and when damage is
 * reported instead).
 */
async function recoverLastSegment(fh: FileHandle, path: string, firstRow: bigint): Promise<Recovered> {
  const { size: fileSize } = await fh.stat();
  const win = new FileWindow(fh, READ_CHUNK);

  const headOk = await win.load(0, SEGMENT_HEADER_SIZE, fileSize);
  const head = headOk ? decodeSegmentHeader(win.bytes(0, SEGMENT_HEADER_SIZE)) : { error: 'segment header is incomplete' };
  if ('error' in head) {
    // A crash while a segment was being started leaves it without a valid header, and
    // with no frames. Frames after a bad header are damage, not a crash.
    const later = await findFrame(win, 0, fileSize, () => true);
    if (later !== undefined) throw corruption(path, 0, head.error);
    await fh.truncate(0);
    await writevAll(fh, [encodeSegmentHeader(firstRow)], 0);
    await fh.datasync();
    return { size: SEGMENT_HEADER_SIZE, endRow: firstRow, index: { pos: [], row: [] }, truncatedBytes: fileSize, rewroteHeader: true };
  }
  if (head.firstRow !== firstRow) throw corruption(path, 16, `segment header says row ${head.firstRow}, the file name ${firstRow}`);

  const index: SparseIndex = { pos: [], row: [] };
  const pending: Array<[number, bigint]> = []; // frames of the append not yet committed
  let pos = SEGMENT_HEADER_SIZE;
  let row = firstRow;
  let commitPos = pos;
  let commitRow = row;
  let damagedAt: number | undefined;
  while (pos < fileSize) {
    const h = await readCheckedFrame(win, pos, fileSize);
    if (!h) { damagedAt = pos; break; }
    // An intact frame must continue the row sequence and belong to the open append.
    if (h.firstRow !== row) throw corruption(path, pos, `frame starts at row ${h.firstRow}, expected ${row}`);
    if (h.appendStart !== commitRow) {
      throw corruption(path, pos, `frame belongs to the append at row ${h.appendStart}, expected ${commitRow}`);
    }
    pending.push([pos, row]);
    row += BigInt(h.rowCount);
    pos += FRAME_HEADER_SIZE + h.bodyLength;
    if (h.flags & FLAG_COMMIT) {
      for (const [p, r] of pending) addToIndex(index, p, r);
      pending.length = 0;
      commitPos = pos;
      commitRow = row;
    }
  }
  if (damagedAt !== undefined) {
    // Torn tail, or damage with later appends after it?
    const later = await findFrame(win, damagedAt + 8, fileSize, (h) => h.appendStart !== commitRow);
    if (later !== undefined) {
      throw corruption(path, damagedAt, 'damaged frame (bad header, length or checksum) in the middle of the log',
        `an intact frame of a later append follows at byte ${later}`);
    }
  }
  const truncatedBytes = fileSize - commitPos;
  if (truncatedBytes > 0) {
    await fh.truncate(commitPos);
    await fh.datasync();
  }
  return { size: commitPos, endRow: commitRow, index, truncatedBytes, rewroteHeader: false };
}

/** The header of the frame at `pos` if the whole frame is there and its checksum is right. */
async function readCheckedFrame(win: FileWindow, pos: number, limit: number): Promise<FrameHeader | undefined> {
  if (!await win.load(pos, FRAME_HEADER_SIZE, limit)) return undefined;
  const [dv, at] = win.view(pos);
  const h = decodeFrameHeader(dv, at);
  if (!h) return undefined;
  if (!await win.load(pos, FRAME_HEADER_SIZE + h.bodyLength, limit)) return undefined;
  const ok = frameChecksumOk(win.bytes(pos, FRAME_HEADER_SIZE), win.bytes(pos + FRAME_HEADER_SIZE, h.bodyLength), h.crc);
  return ok ? h : undefined;
}

/**
 * The position of the first intact frame (valid header and checksum) at an 8-byte
 * aligned position in [from, limit) for which `wanted` holds, or undefined.
 */
async function findFrame(win: FileWindow, from: number, limit: number,
  wanted: (h: FrameHeader) => boolean): Promise<number | undefined> {
  let pos = Math.ceil(from / 8) * 8;
  while (pos + FRAME_HEADER_SIZE <= limit) {
    if (!await win.load(pos, FRAME_HEADER_SIZE, limit)) return undefined;
    // Look for the frame magic in what is loaded without awaiting at every position.
    const [dv, at] = win.view(pos);
    const last = dv.byteLength - FRAME_HEADER_SIZE;
    let i = at;
    while (i <= last && dv.getUint32(i, true) !== FRAME_MAGIC) i += 8;
    pos += i - at;
    if (i > last) continue; // load the next stretch at `pos`
    const h = await readCheckedFrame(win, pos, limit);
    if (h) {
      if (wanted(h)) return pos;
      pos += FRAME_HEADER_SIZE + h.bodyLength;
    } else {
      pos += 8;
    }
  }
  return undefined;
}
