import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ColumnDecoder } from '../../../src/connectors/kafka/column-decoder.js';
import { JsonDecoder } from '../../../src/connectors/kafka/json-decoder.js';
import { keyPartition, murmur2 } from '../../../src/connectors/kafka/murmur2.js';
import { readRecords } from '../../../src/connectors/kafka/record-batch-reader.js';
import { RecordBatchWriter } from '../../../src/connectors/kafka/record-batch-writer.js';
import { isoTimestamp, plainFloat } from '../../../src/connectors/kafka/text-values.js';
import type { ColumnSchema } from '../../../src/runtime/arrow-types.js';
import { Types } from '../../../src/types/sql-type.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('kafka record batches', () => {
  it('a written batch reads back: keys (or none), values, offsets and timestamps, from a given offset on', () => {
    const writer = new RecordBatchWriter();
    writer.reset();
    const key = bytes('k1');
    const values = ['{"a":1}', '', 'x'.repeat(300)].map(bytes);
    writer.add(key, 0, key.length, values[0]!, 0, values[0]!.length, 1_700_000_000_000);
    writer.add(null, -1, -1, values[1]!, 0, 0, 1_700_000_000_005);
    writer.add(key, 0, key.length, values[2]!, 0, values[2]!.length, 1_699_999_999_990);
    const batch = writer.finish().slice();
    // The broker assigns offsets; pretend it gave this batch base offset 40.
    new DataView(batch.buffer).setBigInt64(0, 40n);
    const seen: [string | null, string, number, number][] = [];
    const next = readRecords(batch, 41, (b, ks, ke, vs, ve, offset, ts) => {
      seen.push([ks < 0 ? null : text(b.subarray(ks, ke)), text(b.subarray(vs, ve)), offset, ts]);
    });
    assert.equal(next, 43);
    assert.deepEqual(seen, [[null, '', 41, 1_700_000_000_005], ['k1', 'x'.repeat(300), 42, 1_699_999_999_990]]);
  });

  it('a batch cut short at the end of a fetch is left for the next fetch', () => {
    const writer = new RecordBatchWriter();
    writer.reset();
    const v = bytes('value');
    writer.add(null, -1, -1, v, 0, v.length, 0);
    const batch = writer.finish();
    let records = 0;
    assert.equal(readRecords(batch.subarray(0, batch.length - 1), 0, () => { records++; }), 0);
    assert.equal(records, 0);
  });

  it('keys hash with Kafka\'s murmur2, as the Java client partitions them', () => {
    // Values from Kafka's own tests of Utils.murmur2.
    for (const [key, hash] of [['21', -973932308], ['foobar', -790332482], ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829], ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971], ['abc', 479470107]] as const) {
      const b = bytes(key);
      assert.equal(murmur2(b, 0, b.length), hash, key);
      assert.equal(keyPartition(b, 0, b.length, 7), (hash & 0x7fffffff) % 7);
    }
  });
});

describe('kafka JSON decoding', () => {
  const columns: ColumnSchema[] = [{ name: 'a', type: Types.int4, nullable: true }, { name: 'é "b"', type: Types.text, nullable: true }];
  const decode = (json: string): unknown[] => {
    const decoders = columns.map((c) => new ColumnDecoder(c));
    const b = bytes(json);
    new JsonDecoder(decoders).decode(b, 0, b.length);
    return decoders.map((d) => {
      const data = d.finish();
      if (data.nullCount > 0) return null;
      return d.column.type === Types.int4 ? (data.values as Int32Array)[0] : text((data.values as Uint8Array).subarray(0, data.valueOffsets[1]));
    });
  };

  it('skips unknown fields of any shape, reads escaped names and values, keeps the first of repeated fields', () => {
    assert.deepEqual(decode(' { "x" : {"y": [1, {"z": null}, "]}"], "w": -1.5e3},\n"\\u00e9 \\"b\\"": "\\ud83d\\ude00\\t", "a": 7, "a": 8 } '),
      [7, '\u{1F600}\t']);
    assert.deepEqual(decode('{}'), [null, null]);
    assert.deepEqual(decode('{"a": null, "é \\"b\\"": null}'), [null, null]);
  });

  it('reads records whose fields change order, names and number forms from one record to the next', () => {
    const decoders = [{ name: 'auction', type: Types.int8 }, { name: 'ts', type: Types.timestamp }, { name: 'name', type: Types.text }]
      .map((c) => new ColumnDecoder({ ...c, nullable: true }));
    const json = new JsonDecoder(decoders);
    for (const record of [
      '{"auction":1,"ts":"2024-01-01T00:00:00.5","skipped":"x","name":"a"}',
      '{"auction":-2,"ts":"2024-01-01T00:00:01.0000005","skipped":"x","name":"b"}',
      '{"name":"c","auction":1234567890123456789,"ts":"2024-03-01 10:00:00"}',
      '{"auctions":5e-1,"auction":300,"t\u0073":1704067200000,"nam":"x","name":"d"}',
      '{"ts":"2024-01-01T00:00:00Z","auction":0}',
    ]) {
      const b = bytes(record);
      json.decode(b, 0, b.length);
    }
    const [auction, ts, name] = decoders.map((d) => d.finish());
    assert.deepEqual([...(auction!.values as BigInt64Array)], [1n, -2n, 1234567890123456789n, 300n, 0n]);
    const t0 = BigInt(Date.UTC(2024, 0, 1)) * 1000n;
    assert.deepEqual([...(ts!.values as BigInt64Array)], [t0 + 500_000n, t0 + 1_000_001n, BigInt(Date.UTC(2024, 2, 1, 10)) * 1000n, t0, t0]);
    assert.equal(text((name!.values as Uint8Array).subarray(0, name!.valueOffsets[4])), 'abcd');
    assert.equal(name!.nullCount, 1);
  });

  it('rejects what is not JSON, with where', () => {
    for (const [json, reason] of [
      ['{"a": 1} x', 'invalid JSON at byte 9: expected the end of the record'],
      ['{"a": 01}', 'invalid JSON at byte 7: expected "," or "}"'],
      ['{"a": 1,}', 'invalid JSON at byte 8: expected a field name'],
      ['{"x": [1 2]}', 'invalid JSON at byte 9: expected "," or "]"'],
      ['{"x": tru}', 'invalid JSON at byte 6: expected a JSON value'],
      ['{"x": "a\nb"}', 'invalid JSON at byte 8: a control character in a string'],
      ['{"x": "\\q"}', 'invalid JSON at byte 8: a bad escape in a string'],
      ['', 'not a JSON object'],
    ]) {
      assert.throws(() => decode(json!), { message: reason }, json);
    }
  });
});

describe('kafka fast value paths', () => {
  it('plain decimals read exactly as Number() reads them (or are left to it)', () => {
    let seed = 1;
    let fast = 0;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 20_000; i++) {
      const digits = String(Math.floor(random() * 1e15)).slice(0, 1 + Math.floor(random() * 15));
      const point = Math.floor(random() * (digits.length + 1));
      const s = `${random() < 0.5 ? '-' : ''}${digits.slice(0, point) || '0'}.${digits.slice(point) || '0'}${random() < 0.3 ? `e${Math.floor(random() * 10) - 5}` : ''}`;
      const b = bytes(s);
      const v = plainFloat(b, 0, b.length);
      if (Number.isNaN(v)) continue; // more than 15 significant digits: Number() reads it
      fast++;
      assert.equal(v, Number(s), s);
    }
    assert.ok(fast > 15_000, `${fast} of 20000 on the fast path`);
  });

  it('ISO timestamps, with T or a space, a fraction and Z', () => {
    const us = (s: string) => { const b = bytes(s); return isoTimestamp(b, 0, b.length); };
    assert.equal(us('2024-02-29T23:59:59.1234565Z'), Date.UTC(2024, 1, 29, 23, 59, 59) * 1000 + 123457);
    assert.equal(us('1969-12-31 23:59:59'), -1_000_000);
    assert.ok(Number.isNaN(us('2023-02-29T00:00:00')));
    assert.ok(Number.isNaN(us('2024-01-01T00:00:00+02:00'))); // left to the Postgres input function
  });
});
