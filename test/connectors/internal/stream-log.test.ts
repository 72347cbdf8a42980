import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataType, Int64, RecordBatch, Struct, TimestampMicrosecond, makeData, vectorFromArray,
  type Data, type Schema, type Vector,
} from 'apache-arrow';
import { SabotError } from '../../../src/errors.js';
import { arrowSchema, type ColumnSchema } from '../../../src/runtime/arrow-types.js';
import { Types } from '../../../src/types/sql-type.js';
import { StreamLog } from '../../../src/connectors/internal/stream-log.js';

const root = await mkdtemp(join(tmpdir(), 'sabot-stream-log-'));
after(() => rm(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => join(root, 'streams', `s${++dirs}`);

// ---- building and reading batches (tests only: per-value access is fine here) ----------

type Value = number | bigint | string | boolean | null;

const allTypes: ColumnSchema[] = [
  { name: 'i4', type: Types.int4, nullable: false },
  { name: 'i8', type: Types.int8, nullable: true },
  { name: 'f8', type: Types.float8, nullable: true },
  { name: 'txt', type: Types.text, nullable: true },
  { name: 'ts', type: Types.timestamp, nullable: true },
  { name: 'ok', type: Types.bool, nullable: true },
];

function validity(values: readonly Value[]): { nullBitmap?: Uint8Array; nullCount: number } {
  const nullCount = values.filter((v) => v === null).length;
  if (nullCount === 0) return { nullCount };
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => { if (v !== null) nullBitmap[i >> 3]! |= 1 << (i & 7); });
  return { nullBitmap, nullCount };
}

function columnData(type: DataType, values: readonly Value[]): Data {
  if (type instanceof TimestampMicrosecond || type instanceof Int64) {
    // Raw microseconds / int8 values as they are stored (BigInt64Array).
    const data = new BigInt64Array(values.map((v) => (v === null ? 0n : v as bigint)));
    return makeData({ type: type as Int64, length: values.length, data, ...validity(values) }) as Data;
  }
  return vectorFromArray(values as never[], type).data[0] as Data;
}

function makeBatch(schema: Schema, columns: readonly (readonly Value[])[]): RecordBatch {
  const length = columns[0]!.length;
  const children = schema.fields.map((f, i) => columnData(f.type, columns[i]!));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
}

function columnValues(v: Vector): Value[] {
  const out: Value[] = [];
  for (const d of v.data) {
    // int8 and timestamp: compare the raw BigInt64Array values, not get()'s conversions.
    const raw = DataType.isTimestamp(d.type) || (DataType.isInt(d.type) && d.type.bitWidth === 64);
    for (let i = 0; i < d.length; i++) {
      if (!d.getValid(i)) out.push(null);
      // (A sliced Data's values start at its first value; `offset` applies to the bitmap.)
      else out.push(raw ? (d.values as BigInt64Array)[i]! : v.get(out.length) as Value);
    }
  }
  return out;
}

/** Rows of a batch as arrays of values. */
function rows(batch: RecordBatch): Value[][] {
  const cols = batch.schema.fields.map((_, i) => columnValues(batch.getChildAt(i)!));
  return Array.from({ length: batch.numRows }, (_, r) => cols.map((c) => c[r]!));
}

async function readAll(log: StreamLog, from = 0n, to?: bigint): Promise<{ offsets: bigint[]; rows: Value[][] }> {
  const offsets: bigint[] = [];
  const out: Value[][] = [];
  let expect = from;
  for await (const { offset, batch } of log.read(from, to)) {
    assert.equal(offset, expect, 'batches come in order without gaps');
    assert.deepEqual(batch.schema.fields.map(String), log.schema.fields.map(String));
    offsets.push(offset);
    out.push(...rows(batch));
    expect += BigInt(batch.numRows);
  }
  return { offsets, rows: out };
}

// A one-column int8 log where each row holds its own offset: easy to check anywhere.
const seqSchema = arrowSchema([{ name: 'n', type: Types.int8, nullable: false }]);
function seqBatch(from: number, count: number): RecordBatch {
  return makeBatch(seqSchema, [Array.from({ length: count }, (_, i) => BigInt(from + i))]);
}
async function checkSeq(log: StreamLog, from: bigint, to: bigint): Promise<void> {
  const { rows: got } = await readAll(log, from, to);
  assert.equal(got.length, Number(to - from));
  for (let i = 0; i < got.length; i++) {
    if (got[i]![0] !== from + BigInt(i)) assert.fail(`row ${from + BigInt(i)} holds ${got[i]![0]}`);
  }
}

async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.seg')).sort().map((n) => join(dir, n));
}

async function flipByte(path: string, at: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[at] = bytes[at]! ^ 0x5a;
  await writeFile(path, bytes);
}

async function rejectsSql(p: Promise<unknown>, code: string, message: RegExp): Promise<SabotError> {
  let err: unknown;
  try { await p; } catch (e) { err = e; }
  assert.ok(err instanceof SabotError, `expected a SabotError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.match(err.message, message);
  return err;
}

const SEG_HEADER = 32;
const FRAME_HEADER = 40;

// ---- tests ----------------------------------------------------------------------

describe('StreamLog', () => {
  it('round-trips int4, int8, float8, text with NULLs, timestamp and bool', async () => {
    const schema = arrowSchema(allTypes);
    const dir = freshDir();
    const log = await StreamLog.open(dir, schema);
    assert.equal(log.end, 0n);
    const b1: Value[][] = [
      [1, 2, -3],
      [1n, null, -(2n ** 62n)],
      [1.5, Number.NaN, null],
      ['a', null, 'ünïcødé ✓'],
      [1_700_000_000_123_456n, null, -1n],
      [true, false, null],
    ];
    const b2: Value[][] = [[2147483647], [9007199254740993n], [-0.25], [''], [0n], [true]];
    const n3 = 1000;
    const b3: Value[][] = [
      Array.from({ length: n3 }, (_, i) => i),
      Array.from({ length: n3 }, (_, i) => (i % 7 === 0 ? null : BigInt(i) * 1_000_000_007n)),
      Array.from({ length: n3 }, (_, i) => (i % 5 === 0 ? null : i / 3)),
      Array.from({ length: n3 }, (_, i) => (i % 3 === 0 ? null : `row ${i}`)),
      Array.from({ length: n3 }, (_, i) => (i % 11 === 0 ? null : BigInt(i) * 86_400_000_000n)),
      Array.from({ length: n3 }, (_, i) => (i % 4 === 0 ? null : i % 2 === 0)),
    ];
    const transpose = (cols: Value[][]): Value[][] => cols[0]!.map((_, r) => cols.map((c) => c[r]!));
    const expected = [...transpose(b1), ...transpose(b2), ...transpose(b3)];

    assert.deepEqual(await log.append([makeBatch(schema, b1)]), { start: 0n, end: 3n });
    assert.deepEqual(await log.append([makeBatch(schema, b2), makeBatch(schema, b3)]), { start: 3n, end: 4n + BigInt(n3) });
    assert.equal(log.end, 1004n);

    const got = await readAll(log);
    assert.deepEqual(got.offsets, [0n, 3n, 4n]);
    assert.deepEqual(got.rows, expected);
    // The batches carry the log's schema (names, SQL types in the metadata).
    for await (const { batch } of log.read(0n)) {
      assert.deepEqual(batch.schema.fields.map((f) => f.metadata.get('sabot.sql_type')),
        ['int4', 'int8', 'float8', 'text', 'timestamp', 'bool']);
      assert.deepEqual(batch.schema.fields.map((f) => String(f.type)),
        ['Int32', 'Int64', 'Float64', 'Utf8', 'Timestamp<MICROSECOND>', 'Bool']);
      assert.deepEqual(batch.schema.fields.map((f) => f.nullable), [false, true, true, true, true, true]);
    }
    await log.close();

    const again = await StreamLog.open(dir, schema);
    assert.equal(again.end, 1004n);
    assert.deepEqual((await readAll(again)).rows, expected);
    await again.close();
  });

  it('appends sliced batches (bitmaps at odd offsets) and many batches in one call', async () => {
    const schema = arrowSchema(allTypes);
    const log = await StreamLog.open(freshDir(), schema);
    const n = 50;
    const cols: Value[][] = [
      Array.from({ length: n }, (_, i) => i),
      Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : BigInt(i))),
      Array.from({ length: n }, (_, i) => (i % 4 === 1 ? null : i + 0.5)),
      Array.from({ length: n }, (_, i) => (i % 5 === 2 ? null : 'x'.repeat(i))),
      Array.from({ length: n }, (_, i) => (i % 6 === 3 ? null : BigInt(i) * 1000n)),
      Array.from({ length: n }, (_, i) => (i % 7 === 4 ? null : i % 2 === 1)),
    ];
    const whole = makeBatch(schema, cols);
    const expected = rows(whole);
    assert.deepEqual(await log.append([whole.slice(3, 17), whole.slice(17, 18), whole.slice(18, 50)]), { start: 0n, end: 47n });
    assert.deepEqual((await readAll(log)).rows, expected.slice(3));

    // 600 one-row batches in a single call: more buffers than one writev takes (IOV_MAX).
    const many = Array.from({ length: 600 }, (_, i) => whole.slice(i % n, i % n + 1));
    assert.deepEqual(await log.append(many), { start: 47n, end: 647n });
    const got = await readAll(log, 47n);
    assert.equal(got.offsets.length, 600);
    assert.deepEqual(got.rows, Array.from({ length: 600 }, (_, i) => expected[i % n]!));
    await log.close();
  });

  it('reads up to the end as of the call, not rows appended while reading', async () => {
    const log = await StreamLog.open(freshDir(), seqSchema);
    await log.append([seqBatch(0, 10), seqBatch(10, 10)]);
    let seen = 0;
    for await (const { batch } of log.read(0n)) {
      if (seen === 0) await log.append([seqBatch(20, 10)]);
      seen += batch.numRows;
    }
    assert.equal(seen, 20);
    assert.equal(log.end, 30n);
    await checkSeq(log, 0n, 30n);
    await log.close();
  });

  it('reads from the middle of a batch, slicing the first and last batch', async () => {
    const log = await StreamLog.open(freshDir(), seqSchema);
    await log.append([seqBatch(0, 100)]);
    await log.append([seqBatch(100, 50), seqBatch(150, 50)]);
    const one = await readAll(log, 37n, 61n);
    assert.deepEqual(one.offsets, [37n]);
    await checkSeq(log, 37n, 61n);
    const three = await readAll(log, 99n, 151n);
    assert.deepEqual(three.offsets, [99n, 100n, 150n]);
    await checkSeq(log, 99n, 151n);
    await checkSeq(log, 199n, 200n);
    await checkSeq(log, 0n, 200n);
    assert.deepEqual((await readAll(log, 200n)).rows, []);
    assert.deepEqual((await readAll(log, 150n, 150n)).rows, []);
    assert.throws(() => log.read(10n, 201n), /cannot read rows \[10, 201\)/);
    assert.throws(() => log.read(20n, 10n), SabotError);
    await log.close();
  });

  it('keeps offsets right across many appends and segment rolls, before and after reopening', async () => {
    const dir = freshDir();
    const opts = { segmentBytes: 4096 };
    let log = await StreamLog.open(dir, seqSchema, opts);
    let next = 0;
    // Deterministic pseudo-random batch sizes, 1..120 rows, 1..3 batches per append.
    let seed = 12345;
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    for (let a = 0; a < 150; a++) {
      const batches = [];
      const start = next;
      for (let k = rnd(3) + 1; k > 0; k--) {
        const count = rnd(120) + 1;
        batches.push(seqBatch(next, count));
        next += count;
      }
      assert.deepEqual(await log.append(batches), { start: BigInt(start), end: BigInt(next) });
    }
    const end = BigInt(next);
    assert.equal(log.end, end);
    const files = await segmentFiles(dir);
    assert.ok(files.length > 10, `expected many segments, got ${files.length}`);
    // Each segment is named by its first row offset.
    assert.match(files[0]!, /00000000000000000000\.seg$/);

    const check = async (l: StreamLog): Promise<void> => {
      await checkSeq(l, 0n, end);
      for (let i = 0; i < 40; i++) {
        const a = BigInt(rnd(next + 1));
        const b = BigInt(rnd(next + 1));
        await checkSeq(l, a < b ? a : b, a < b ? b : a);
      }
    };
    await check(log);
    await log.close();
    log = await StreamLog.open(dir, seqSchema, opts);
    assert.equal(log.end, end);
    assert.deepEqual(log.recovery, { truncatedBytes: 0, rewroteSegmentHeader: false });
    await check(log);
    // Appends continue where the log ended.
    assert.deepEqual(await log.append([seqBatch(next, 10)]), { start: end, end: end + 10n });
    await checkSeq(log, end - 5n, end + 10n);
    await log.close();
  });

  it('gives an append larger than the segment size a segment of its own', async () => {
    const dir = freshDir();
    const log = await StreamLog.open(dir, seqSchema, { segmentBytes: 1024 });
    await log.append([seqBatch(0, 10)]);
    await log.append([seqBatch(10, 1000)]);
    await log.append([seqBatch(1010, 10)]);
    assert.equal((await segmentFiles(dir)).length, 3);
    await checkSeq(log, 0n, 1020n);
    await log.close();
  });

  it('keeps concurrent appends in call order', async () => {
    const log = await StreamLog.open(freshDir(), seqSchema, { segmentBytes: 2048 });
    const sizes = Array.from({ length: 60 }, (_, i) => (i * 7) % 13 + 1);
    const promises = [];
    let next = 0;
    for (const size of sizes) {
      promises.push(log.append([seqBatch(next, size)]));
      next += size;
    }
    const results = await Promise.all(promises);
    let expect = 0n;
    results.forEach((r, i) => {
      assert.deepEqual(r, { start: expect, end: expect + BigInt(sizes[i]!) });
      expect = r.end;
    });
    await checkSeq(log, 0n, BigInt(next));
    await log.close();
  });

  it('tells which appends completed after a row and who wrote them, across segments and a reopen', async () => {
    const dir = freshDir();
    let log = await StreamLog.open(dir, seqSchema, { segmentBytes: 1024 });
    await log.append([seqBatch(0, 10)], 7);
    const mark = log.end;
    await log.append([seqBatch(10, 40), seqBatch(50, 30)], 9);
    await log.append([seqBatch(80, 5)]);
    await log.append([seqBatch(85, 100)], 7);
    const expected = [
      { writer: 9, start: 10n, end: 80n }, { writer: 0, start: 80n, end: 85n }, { writer: 7, start: 85n, end: 185n },
    ];
    assert.deepEqual(await log.appendsSince(mark), expected);
    assert.deepEqual(await log.appendsSince(log.end), []);
    await log.close();
    log = await StreamLog.open(dir, seqSchema, { segmentBytes: 1024 });
    assert.deepEqual(await log.appendsSince(mark), expected, 'the tags are on disk');
    assert.deepEqual((await log.appendsSince(0n))[0], { writer: 7, start: 0n, end: 10n });
    await checkSeq(log, 0n, 185n);
    await log.close();
  });

  it('resolves waitFor when the rows arrive, and rejects on abort and on close', async () => {
    const log = await StreamLog.open(freshDir(), seqSchema);
    await log.waitFor(0n);
    let resolved = false;
    const waiting = log.waitFor(15n).then(() => { resolved = true; });
    await log.append([seqBatch(0, 10)]);
    await new Promise((r) => setImmediate(r));
    assert.equal(resolved, false);
    await log.append([seqBatch(10, 10)]);
    await waiting;
    assert.equal(resolved, true);
    assert.ok(log.end >= 15n);

    const ac = new AbortController();
    const aborted = log.waitFor(100n, ac.signal);
    ac.abort(new Error('stop waiting'));
    await assert.rejects(aborted, /stop waiting/);

    const pending = log.waitFor(100n);
    await log.close();
    await rejectsSql(pending, '55000', /closed/);
    await rejectsSql(log.append([seqBatch(20, 1)]), '55000', /closed/);
  });

  it('lets a reader tail the log with waitFor and read', async () => {
    const log = await StreamLog.open(freshDir(), seqSchema);
    const total = 500n;
    const reader = (async () => {
      let pos = 0n;
      while (pos < total) {
        await log.waitFor(pos + 1n);
        for await (const { offset, batch } of log.read(pos)) {
          assert.equal(offset, pos);
          assert.equal(batch.getChildAt(0)!.get(0), pos);
          pos += BigInt(batch.numRows);
        }
      }
      return pos;
    })();
    for (let i = 0; i < 50; i++) await log.append([seqBatch(i * 10, 10)]);
    assert.equal(await reader, total);
    await log.close();
  });

  it('cuts a torn tail off on reopen, and later appends continue after it', async () => {
    const dir = freshDir();
    let log = await StreamLog.open(dir, seqSchema);
    await log.append([seqBatch(0, 100)]);
    await log.append([seqBatch(100, 100)]);
    await log.close();
    const [file] = await segmentFiles(dir);
    const full = (await stat(file!)).size;

    // A crash in the middle of writing the second append: a few bytes short.
    await truncate(file!, full - 5);
    log = await StreamLog.open(dir, seqSchema);
    assert.equal(log.end, 100n);
    assert.ok(log.recovery.truncatedBytes > 0);
    const afterTear = (await stat(file!)).size;
    assert.ok(afterTear < full - 5);
    assert.deepEqual(await log.append([seqBatch(100, 30)]), { start: 100n, end: 130n });
    await checkSeq(log, 0n, 130n);
    await log.close();

    // Garbage after the last frame.
    await appendFile(file!, Buffer.from('this is not a frame, just junk left by a crash'));
    log = await StreamLog.open(dir, seqSchema);
    assert.equal(log.end, 130n);
    assert.equal(log.recovery.truncatedBytes, 46);
    await checkSeq(log, 0n, 130n);
    await log.close();

    // Zeros (a file extended but never written), and only a partial frame header.
    await appendFile(file!, Buffer.alloc(8192));
    log = await StreamLog.open(dir, seqSchema);
    assert.equal(log.end, 130n);
    await log.close();
    await appendFile(file!, Buffer.from([0x53, 0x42, 0x46, 0x52, 1, 0]));
    log = await StreamLog.open(dir, seqSchema);
    assert.equal(log.end, 130n);
    assert.deepEqual(await log.append([seqBatch(130, 1)]), { start: 130n, end: 131n });
    await checkSeq(log, 0n, 131n);
    await log.close();
  });

  it('drops every frame of an append that did not complete, even intact ones', async () => {
    const dir = freshDir();
    let log = await StreamLog.open(dir, seqSchema);
    await log.append([seqBatch(0, 10)]);
    const before = (await stat((await segmentFiles(dir))[0]!)).size;
    await log.append([seqBatch(10, 10), seqBatch(20, 10), seqBatch(30, 10)]);
    await log.close();
    const [file] = await segmentFiles(dir);
    const size = (await stat(file!)).size;
    const frame = (size - before) / 3; // three frames of the same size

    // The last frame (the one that commits the append) never reached the disk.
    await truncate(file!, size - frame);
    log = await StreamLog.open(dir, seqSchema);
    assert.equal(log.end, 10n);
    assert.equal((await stat(file!)).size, before);
    await log.close();

    // The first frame of an append is damaged but later frames of the same append are
    // intact: still a torn write (unsynced pages), not corruption.
    log = await StreamLog.open(dir, seqSchema);
    await log.append([seqBatch(10, 10), seqBatch(20, 10), seqBatch(30, 10)]);
    await log.close();
    await flipByte(file!, before + FRAME_HEADER + 16);
    log = await StreamLog.open(dir, seqSchema);
    assert.equal(log.end, 10n);
    await checkSeq(log, 0n, 10n);
    await log.close();
  });

  it('reports corruption in the middle of the last segment on open, naming file and position', async () => {
    const dir = freshDir();
    const log = await StreamLog.open(dir, seqSchema);
    await log.append([seqBatch(0, 100)]);
    await log.append([seqBatch(100, 100)]);
    await log.append([seqBatch(200, 100)]);
    await log.close();
    const [file] = await segmentFiles(dir);
    await flipByte(file!, SEG_HEADER + FRAME_HEADER + 100); // inside the first frame's body
    const err = await rejectsSql(StreamLog.open(dir, seqSchema), 'XX001', /damaged frame/);
    assert.ok(err.message.includes(file!), err.message);
    assert.match(err.message, new RegExp(`at byte ${SEG_HEADER}\\b`));
    // Nothing was truncated.
    const sizeAfter = (await stat(file!)).size;
    await rejectsSql(StreamLog.open(dir, seqSchema), 'XX001', /damaged frame/);
    assert.equal((await stat(file!)).size, sizeAfter);
  });

  it('reports corruption in a sealed segment when it is read', async () => {
    const dir = freshDir();
    let log = await StreamLog.open(dir, seqSchema, { segmentBytes: 1024 });
    for (let i = 0; i < 10; i++) await log.append([seqBatch(i * 50, 50)]);
    await log.close();
    const files = await segmentFiles(dir);
    assert.ok(files.length >= 3);
    await flipByte(files[1]!, SEG_HEADER + FRAME_HEADER + 64);
    log = await StreamLog.open(dir, seqSchema, { segmentBytes: 1024 });
    assert.equal(log.end, 500n);
    await rejectsSql(readAll(log), 'XX001', new RegExp(`${files[1]!.replace(/[.]/g, '\\.')}: frame checksum mismatch at byte ${SEG_HEADER}`));
    // Rows before the damage are still readable.
    const firstSegmentEnd = BigInt(/(\d{20})\.seg$/.exec(files[1]!)![1]!);
    await checkSeq(log, 0n, firstSegmentEnd);
    await log.close();

    // A damaged frame header in a sealed segment is found when seeking into it.
    await flipByte(files[1]!, SEG_HEADER + FRAME_HEADER + 64); // undo
    await flipByte(files[1]!, SEG_HEADER + 8); // the first frame's row offset
    log = await StreamLog.open(dir, seqSchema, { segmentBytes: 1024 });
    await rejectsSql(readAll(log, firstSegmentEnd + 1n), 'XX001', /frame starts at row .* at byte 32|checksum/);
    await log.close();
  });

  it('recovers from a crash while a new segment was being started', async () => {
    const dir = freshDir();
    let log = await StreamLog.open(dir, seqSchema, { segmentBytes: 1024 });
    await log.append([seqBatch(0, 40)]);
    await log.close();
    // The next segment's file exists, but its header never made it to disk.
    await writeFile(join(dir, '00000000000000000040.seg'), Buffer.alloc(0));
    log = await StreamLog.open(dir, seqSchema, { segmentBytes: 1024 });
    assert.equal(log.end, 40n);
    assert.equal(log.recovery.rewroteSegmentHeader, true);
    assert.deepEqual(await log.append([seqBatch(40, 40)]), { start: 40n, end: 80n });
    await checkSeq(log, 0n, 80n);
    await log.close();
    log = await StreamLog.open(dir, seqSchema, { segmentBytes: 1024 });
    await checkSeq(log, 0n, 80n);
    await log.close();
  });

  it('refuses to open a log with a different schema', async () => {
    const dir = freshDir();
    const schema = arrowSchema(allTypes);
    const log = await StreamLog.open(dir, schema);
    await log.close();
    const changed = arrowSchema([...allTypes.slice(0, 5), { name: 'ok', type: Types.text, nullable: true }]);
    const err = await rejectsSql(StreamLog.open(dir, changed), '42804', /different schema/);
    assert.match(err.detail ?? '', /column 6: log has "ok" Bool .* stream has "ok" Utf8/);
    await rejectsSql(StreamLog.open(dir, arrowSchema(allTypes.slice(0, 2))), '42804', /different schema/);
    const renamed = arrowSchema([{ ...allTypes[0]!, name: 'other' }, ...allTypes.slice(1)]);
    await rejectsSql(StreamLog.open(dir, renamed), '42804', /different schema/);
    const nullability = arrowSchema([{ ...allTypes[0]!, nullable: true }, ...allTypes.slice(1)]);
    await rejectsSql(StreamLog.open(dir, nullability), '42804', /different schema/);
    // The same schema still opens.
    await (await StreamLog.open(dir, arrowSchema(allTypes))).close();
  });

  it('refuses batches that do not fit the schema, and a second open of the same log', async () => {
    const dir = freshDir();
    const log = await StreamLog.open(dir, seqSchema);
    const wrongType = makeBatch(arrowSchema([{ name: 'n', type: Types.int4, nullable: false }]), [[1]]);
    await rejectsSql(log.append([wrongType]), '42804', /Int64 in the stream but Int32/);
    const withNull = makeBatch(arrowSchema([{ name: 'n', type: Types.int8, nullable: true }]), [[1n, null]]);
    await rejectsSql(log.append([withNull]), '23502', /NOT NULL/);
    // Names are not checked: columns match by position.
    const otherName = makeBatch(arrowSchema([{ name: 'x', type: Types.int8, nullable: false }]), [[7n]]);
    assert.deepEqual(await log.append([otherName, seqBatch(1, 0)]), { start: 0n, end: 1n });
    assert.deepEqual(await log.append([]), { start: 1n, end: 1n });
    assert.equal((await readAll(log)).rows[0]![0], 7n);
    await rejectsSql(StreamLog.open(dir, seqSchema), '55000', /already open/);
    await log.close();
  });

  it('removes a log (DROP STREAM), after which the name starts empty', async () => {
    const dir = freshDir();
    let log = await StreamLog.open(dir, seqSchema);
    await log.append([seqBatch(0, 10)]);
    await rejectsSql(StreamLog.remove(dir), '55000', /close it/);
    await log.close();
    await StreamLog.remove(dir);
    await assert.rejects(stat(dir), { code: 'ENOENT' });
    const parent = join(dir, '..');
    assert.deepEqual((await readdir(parent)).filter((n) => n.includes(`${dir.split('/').pop()}.dropped`)), []);
    await StreamLog.remove(dir); // already gone: fine
    log = await StreamLog.open(dir, arrowSchema(allTypes));
    assert.equal(log.end, 0n);
    await log.close();
  });
});
