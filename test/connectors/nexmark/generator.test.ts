import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Table, tableFromIPC, tableToIPC, type RecordBatch } from 'apache-arrow';
import { SabotError } from '../../../src/errors.js';
import { arrowSchema } from '../../../src/runtime/arrow-types.js';
import {
  DEFAULT_FIRST_EVENT_TIME, NexmarkGenerator, nexmarkArrowSchema, type NexmarkGeneratorOptions,
} from '../../../src/connectors/nexmark/generator.js';
import { countBefore, eventKind, eventTime, lastBase0AuctionId, lastBase0PersonId, nextEventOfKind } from '../../../src/connectors/nexmark/model.js';
import { nexmarkColumns, type NexmarkKind } from '../../../src/connectors/nexmark/schema.js';
import { HOT_CHANNELS } from '../../../src/connectors/nexmark/channels.js';
import { US_CITIES, US_STATES, nexmarkText } from '../../../src/connectors/nexmark/text.js';

const kinds: NexmarkKind[] = ['person', 'auction', 'bid'];

function run(options: NexmarkGeneratorOptions): RecordBatch[] {
  const generator = new NexmarkGenerator(options);
  const batches: RecordBatch[] = [];
  for (let b = generator.nextBatch(); b !== null; b = generator.nextBatch()) batches.push(b);
  return batches;
}

function ipc(batches: RecordBatch[]): Uint8Array {
  return tableToIPC(new Table(batches), 'stream');
}

/** A column of a run as plain values: numbers for int8/timestamp, strings for text. */
function column(batches: RecordBatch[], name: string): (number | string)[] {
  const out: (number | string)[] = [];
  for (const b of batches) {
    const v = b.getChild(name)!;
    for (const x of v.toArray() as Iterable<bigint | string>) out.push(typeof x === 'bigint' ? Number(x) : x);
  }
  return out;
}

function numbers(batches: RecordBatch[], name: string): number[] {
  return column(batches, name) as number[];
}

function strings(batches: RecordBatch[], name: string): string[] {
  return column(batches, name) as string[];
}

function rows(batches: RecordBatch[]): number {
  return batches.reduce((n, b) => n + b.numRows, 0);
}

function invalidOption(options: unknown, message: RegExp): void {
  assert.throws(() => new NexmarkGenerator(options as NexmarkGeneratorOptions), (e: unknown) => {
    assert.ok(e instanceof SabotError, `expected SabotError, got ${String(e)}`);
    assert.equal(e.code, '22023');
    assert.match(e.message, message);
    return true;
  });
}

/** Event number of a generated row, from its date_time (default rate: 100 µs per event). */
const eventOf = (t: number): number => (t - DEFAULT_FIRST_EVENT_TIME) / 100;

describe('nexmark model', () => {
  it('mixes 1 person, 3 auctions, 46 bids per block of 50, by position', () => {
    assert.equal(eventKind(0), 'person');
    for (const n of [1, 2, 3]) assert.equal(eventKind(n), 'auction');
    for (const n of [4, 30, 49]) assert.equal(eventKind(n), 'bid');
    assert.equal(eventKind(50), 'person');
    assert.equal(eventKind(53), 'auction');
    assert.equal(eventKind(54), 'bid');
    const counts = { person: 0, auction: 0, bid: 0 };
    for (let n = 0; n < 5123; n++) counts[eventKind(n)]++;
    assert.deepEqual(counts, { person: countBefore('person', 5123), auction: countBefore('auction', 5123), bid: countBefore('bid', 5123) });
    assert.equal(nextEventOfKind('person', 1), 50);
    assert.equal(nextEventOfKind('auction', 0), 1);
    assert.equal(nextEventOfKind('auction', 4), 51);
    assert.equal(nextEventOfKind('bid', 50), 54);
    assert.equal(nextEventOfKind('bid', 7), 7);
  });

  it('derives the latest person and auction ids from event numbers', () => {
    assert.equal(lastBase0PersonId(0), 0);
    assert.equal(lastBase0PersonId(49), 0);
    assert.equal(lastBase0PersonId(50), 1);
    assert.equal(lastBase0AuctionId(0), -1);
    assert.equal(lastBase0AuctionId(1), 0);
    assert.equal(lastBase0AuctionId(3), 2);
    assert.equal(lastBase0AuctionId(49), 2);
    assert.equal(lastBase0AuctionId(50), 2);
    assert.equal(lastBase0AuctionId(51), 3);
  });

  it('times events exactly at the event-time rate', () => {
    assert.equal(eventTime(0, 10_000, 0), 0);
    assert.equal(eventTime(0, 10_000, 12_345), 1_234_500);
    assert.equal(eventTime(5, 3, 4), 5 + 1_333_333);
    // Exact far beyond where n * 1e6 stops being a safe integer.
    assert.equal(eventTime(0, 7, 7 * 2 ** 40 + 3), 2 ** 40 * 1e6 + 428_571);
    assert.equal(eventTime(-10, 1, 2 ** 33), 2 ** 33 * 1e6 - 10);
    assert.equal(eventTime(0, 1_000_000_000, 3), 0);
  });
});

describe('nexmark generator', () => {
  it('produces byte-identical batches for identical options, different ones for other seeds', () => {
    for (const kind of kinds) {
      const a = ipc(run({ kind, events: 20_000, seed: 7 }));
      const b = ipc(run({ kind, events: 20_000, seed: 7 }));
      assert.ok(Buffer.from(a).equals(Buffer.from(b)), `${kind}: two runs differ`);
      const c = ipc(run({ kind, events: 20_000, seed: 8 }));
      assert.ok(!Buffer.from(a).equals(Buffer.from(c)), `${kind}: seeds 7 and 8 give the same events`);
    }
  });

  it('gives every event the same values whatever the batch size or starting point', () => {
    for (const kind of kinds) {
      const whole = run({ kind, events: 12_345, seed: 3 });
      const small = run({ kind, events: 12_345, seed: 3, batchSize: 7 });
      const tiny = run({ kind, events: 12_345, seed: 3, batchSize: 1 });
      assert.ok(small.every((b) => b.numRows <= 7));
      for (const f of nexmarkColumns[kind]) {
        assert.deepEqual(column(small, f.name), column(whole, f.name), `${kind}.${f.name} with batch size 7`);
        assert.deepEqual(column(tiny, f.name), column(whole, f.name), `${kind}.${f.name} with batch size 1`);
      }
      // Resuming where a run stopped continues it exactly.
      const first = new NexmarkGenerator({ kind, events: 12_345, seed: 3, batchSize: 100 });
      const head = [first.nextBatch()!, first.nextBatch()!];
      const tail = run({ kind, events: 12_345, seed: 3, startEvent: first.nextEvent, batchSize: 333 });
      for (const f of nexmarkColumns[kind]) {
        assert.deepEqual([...column(head, f.name), ...column(tail, f.name)], column(whole, f.name), `${kind}.${f.name} resumed`);
      }
    }
  });

  it('emits the 1:3:46 mix: 100 persons, 300 auctions, 4600 bids in 5000 events', () => {
    assert.equal(rows(run({ kind: 'person', events: 5000 })), 100);
    assert.equal(rows(run({ kind: 'auction', events: 5000 })), 300);
    assert.equal(rows(run({ kind: 'bid', events: 5000 })), 4600);
    // Partial blocks: events 0 .. 52 hold persons 0, 50; auctions 1-3, 51, 52; bids 4-49.
    assert.equal(rows(run({ kind: 'person', events: 53 })), 2);
    assert.equal(rows(run({ kind: 'auction', events: 53 })), 5);
    assert.equal(rows(run({ kind: 'bid', events: 53 })), 46);
    assert.equal(rows(run({ kind: 'bid', events: 4 })), 0);
  });

  it('ends bounded runs exactly, in batches of batchSize', () => {
    const generator = new NexmarkGenerator({ kind: 'bid', events: 10_000, batchSize: 4096 });
    assert.equal(generator.done, false);
    assert.equal(generator.remaining, 9200);
    const sizes: number[] = [];
    for (let b = generator.nextBatch(); b !== null; b = generator.nextBatch()) sizes.push(b.numRows);
    assert.deepEqual(sizes, [4096, 4096, 1008]);
    assert.equal(generator.done, true);
    assert.equal(generator.remaining, 0);
    assert.equal(generator.nextBatch(), null);
    assert.equal(generator.nextEvent, 10_000);
    const empty = new NexmarkGenerator({ kind: 'person', events: 0 });
    assert.equal(empty.done, true);
    assert.equal(empty.nextBatch(), null);
    // The last bid of a bounded run is the last event of the sequence's bids.
    const last = run({ kind: 'bid', events: 10_000 }).at(-1)!;
    assert.equal(eventOf(numbers([last], 'date_time').at(-1)!), 9_999);
  });

  it('keeps generating when unbounded', () => {
    const generator = new NexmarkGenerator({ kind: 'auction', batchSize: 1000 });
    for (let i = 0; i < 5; i++) assert.equal(generator.nextBatch()!.numRows, 1000);
    assert.equal(generator.done, false);
    assert.equal(generator.remaining > 1e12, true);
  });

  it('iterates asynchronously until a bounded run ends', async () => {
    const generator = new NexmarkGenerator({ kind: 'person', events: 50_000, batchSize: 300 });
    let n = 0;
    let batches = 0;
    for await (const batch of generator) {
      n += batch.numRows;
      batches++;
    }
    assert.equal(n, 1000);
    assert.equal(batches, 4);
    assert.equal(generator.done, true);
  });

  it('has exactly the Arrow schema of the kind\'s columns', () => {
    for (const kind of kinds) {
      const expected = arrowSchema(nexmarkColumns[kind].map((c) => ({ ...c, nullable: true })));
      const generator = new NexmarkGenerator({ kind, events: 1000 });
      const batch = generator.nextBatch()!;
      assert.equal(generator.schema, nexmarkArrowSchema(kind));
      assert.deepEqual(batch.schema.fields.map((f) => f.toString()), expected.fields.map((f) => f.toString()));
      assert.deepEqual(batch.schema.fields.map((f) => [...f.metadata]), expected.fields.map((f) => [...f.metadata]));
      assert.deepEqual(batch.schema.fields.map((f) => f.type.typeId), expected.fields.map((f) => f.type.typeId));
      assert.deepEqual(batch.schema.fields.map((f) => f.nullable), expected.fields.map((f) => f.nullable));
      for (let i = 0; i < expected.fields.length; i++) {
        const data = batch.data.children[i]!;
        assert.equal(data.nullCount, 0);
        assert.equal(data.length, batch.numRows);
        assert.equal(String(data.type), String(expected.fields[i]!.type));
        if (data.valueOffsets) {
          // Well-formed Utf8: offsets from 0, non-decreasing, ending at the data's length.
          const offsets = data.valueOffsets as Int32Array;
          assert.equal(offsets[0], 0);
          for (let j = 0; j < data.length; j++) assert.ok(offsets[j]! <= offsets[j + 1]!);
          assert.equal(offsets[data.length], data.values.length);
        } else {
          assert.ok(data.values instanceof BigInt64Array);
        }
      }
    }
  });

  it('survives an IPC round trip with the same values', () => {
    for (const kind of kinds) {
      const batches = run({ kind, events: 3000, batchSize: 64 });
      const table = tableFromIPC(ipc(batches));
      assert.equal(table.numRows, rows(batches));
      for (const f of nexmarkColumns[kind]) {
        const back = [...(table.getChild(f.name)!.toArray() as Iterable<bigint | string>)].map((x) => typeof x === 'bigint' ? Number(x) : x);
        assert.deepEqual(back, column(batches, f.name), `${kind}.${f.name}`);
      }
    }
  });

  it('refers only to people and auctions that exist earlier in the same sequence', () => {
    const options = { events: 60_000, seed: 11, batchSize: 1000 };
    const persons = run({ kind: 'person', ...options });
    const auctions = run({ kind: 'auction', ...options });
    const bids = run({ kind: 'bid', ...options });
    const personTime = new Map<number, number>();
    const personIds = numbers(persons, 'id');
    const personTimes = numbers(persons, 'date_time');
    personIds.forEach((id, i) => personTime.set(id, personTimes[i]!));
    assert.deepEqual(personIds, Array.from({ length: 1200 }, (_, i) => 1000 + i));
    const auctionTime = new Map<number, number>();
    const auctionIds = numbers(auctions, 'id');
    const auctionTimes = numbers(auctions, 'date_time');
    auctionIds.forEach((id, i) => auctionTime.set(id, auctionTimes[i]!));
    assert.deepEqual(auctionIds, Array.from({ length: 3600 }, (_, i) => 1000 + i));

    const sellers = numbers(auctions, 'seller');
    sellers.forEach((seller, i) => {
      const t = personTime.get(seller);
      assert.ok(t !== undefined && t < auctionTimes[i]!, `auction ${auctionIds[i]} sold by person ${seller} who does not exist yet`);
    });
    const bidAuctions = numbers(bids, 'auction');
    const bidders = numbers(bids, 'bidder');
    const bidTimes = numbers(bids, 'date_time');
    for (let i = 0; i < bidTimes.length; i++) {
      const a = auctionTime.get(bidAuctions[i]!);
      assert.ok(a !== undefined && a < bidTimes[i]!, `bid at ${bidTimes[i]} on auction ${bidAuctions[i]} that does not exist yet`);
      const p = personTime.get(bidders[i]!);
      assert.ok(p !== undefined && p < bidTimes[i]!, `bid at ${bidTimes[i]} by person ${bidders[i]} who does not exist yet`);
      // ... and recent ones: the last 101 auctions, the last 1000 people.
      const n = eventOf(bidTimes[i]!);
      assert.ok(bidAuctions[i]! - 1000 >= lastBase0AuctionId(n) - 100);
      assert.ok(bidders[i]! - 1000 >= lastBase0PersonId(n) - 999);
    }
  });

  it('sends about half the bids to the hot auction and most from hot bidders; most auctions from hot sellers', () => {
    const bids = run({ kind: 'bid', events: 100_000, seed: 5 });
    const auctionIds = numbers(bids, 'auction');
    const bidders = numbers(bids, 'bidder');
    const times = numbers(bids, 'date_time');
    let hotAuction = 0;
    let hotBidder = 0;
    for (let i = 0; i < times.length; i++) {
      const n = eventOf(times[i]!);
      const lastAuction = lastBase0AuctionId(n);
      const lastPerson = lastBase0PersonId(n);
      if (auctionIds[i] === 1000 + lastAuction - (lastAuction % 100)) hotAuction++;
      if (bidders[i] === 1000 + Math.min(lastPerson - (lastPerson % 100) + 1, lastPerson)) hotBidder++;
    }
    // 1/2 hot, plus the cold half's 1-in-101 chance of picking it: ~0.505.
    const auctionShare = hotAuction / times.length;
    assert.ok(auctionShare > 0.48 && auctionShare < 0.53, `hot auction share ${auctionShare}`);
    // 3/4 hot, plus a little.
    const bidderShare = hotBidder / times.length;
    assert.ok(bidderShare > 0.73 && bidderShare < 0.78, `hot bidder share ${bidderShare}`);

    const auctions = run({ kind: 'auction', events: 200_000, seed: 5 });
    const sellers = numbers(auctions, 'seller');
    const atimes = numbers(auctions, 'date_time');
    let hotSeller = 0;
    for (let i = 0; i < sellers.length; i++) {
      const lastPerson = lastBase0PersonId(eventOf(atimes[i]!));
      if (sellers[i] === 1000 + lastPerson - (lastPerson % 100)) hotSeller++;
    }
    const sellerShare = hotSeller / sellers.length;
    assert.ok(sellerShare > 0.72 && sellerShare < 0.79, `hot seller share ${sellerShare}`);
  });

  it('increases event times at the event-time rate, with the watermark 4 s behind', () => {
    for (const kind of kinds) {
      const generator = new NexmarkGenerator({ kind, events: 30_000, batchSize: 500 });
      assert.equal(generator.watermark(), DEFAULT_FIRST_EVENT_TIME - 4_000_000);
      let previous = -Infinity;
      for (let b = generator.nextBatch(); b !== null; b = generator.nextBatch()) {
        const times = numbers([b], 'date_time');
        for (const t of times) {
          assert.ok(t > previous, `${kind}: ${t} after ${previous}`);
          assert.equal(eventKind(eventOf(t)), kind);
          previous = t;
        }
        assert.equal(generator.watermark(), times.at(-1)! - 4_000_000);
      }
    }
    // Odd rates: every kind times event n at first + floor(n * 1e6 / rate).
    for (const kind of kinds) {
      const odd = run({ kind, events: 3000, eventsPerSecond: 7, firstEventTime: -123, batchSize: 97 });
      const expected: number[] = [];
      for (let n = 0; n < 3000; n++) if (eventKind(n) === kind) expected.push(-123 + Math.floor((n * 1e6) / 7));
      assert.deepEqual(numbers(odd, 'date_time'), expected, kind);
    }
    const slow = run({ kind: 'person', events: 500, eventsPerSecond: 10, firstEventTime: 0 });
    assert.deepEqual(numbers(slow, 'date_time'), Array.from({ length: 10 }, (_, i) => i * 5_000_000));
    const resumed = new NexmarkGenerator({ kind: 'bid', startEvent: 1000, eventsPerSecond: 1000, firstEventTime: 0 });
    assert.equal(resumed.watermark(), 1_000_000 - 4_000_000);
    assert.equal(numbers([resumed.nextBatch()!], 'date_time')[0], 1_004_000);
  });

  it('fills persons as the Nexmark model does', () => {
    const persons = run({ kind: 'person', events: 200_000 });
    const names = strings(persons, 'name');
    assert.ok(names.every((n) => /^[a-z]+ [a-z]+$/.test(n)));
    assert.ok(new Set(names).size > 50);
    assert.ok(strings(persons, 'email_address').every((e) => /^[a-z ]*@[a-z ]*\.com$/.test(e)));
    assert.ok(strings(persons, 'credit_card').every((c) => /^\d{4} \d{4} \d{4} \d{4}$/.test(c)));
    assert.deepEqual(new Set(strings(persons, 'city')), new Set(US_CITIES));
    assert.deepEqual(new Set(strings(persons, 'state')), new Set(US_STATES));
    const sizes = persons.flatMap((b) => Array.from({ length: b.numRows }, (_, i) => {
      let size = 8;
      for (const c of ['name', 'email_address', 'credit_card', 'city', 'state', 'extra']) size += (b.getChild(c)!.get(i) as string).length;
      return size;
    }));
    const average = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    assert.ok(average > 190 && average < 210, `average person size ${average}`);
  });

  it('fills auctions as the Nexmark model does', () => {
    const auctions = run({ kind: 'auction', events: 100_000 });
    const initial = numbers(auctions, 'initial_bid');
    const reserve = numbers(auctions, 'reserve');
    const times = numbers(auctions, 'date_time');
    const expires = numbers(auctions, 'expires');
    const categories = numbers(auctions, 'category');
    for (let i = 0; i < initial.length; i++) {
      assert.ok(initial[i]! >= 100 && initial[i]! <= 100_000_000);
      assert.ok(reserve[i]! >= initial[i]! + 100);
      assert.ok(expires[i]! > times[i]!);
      // Up to twice the ~166 ms the next 100 auctions take to open.
      assert.ok(expires[i]! - times[i]! <= 334_000);
      assert.equal((expires[i]! - times[i]!) % 1000, 0);
    }
    assert.deepEqual([...new Set(categories)].sort(), [10, 11, 12, 13, 14]);
    const names = strings(auctions, 'item_name');
    const descriptions = strings(auctions, 'description');
    assert.ok(names.every((s) => s.length <= 19 && s === s.trim()));
    assert.ok(descriptions.every((s) => s.length <= 99 && s === s.trim()));
    const extra = strings(auctions, 'extra');
    const average = names.reduce((sum, n, i) => sum + 48 + n.length + descriptions[i]!.length + extra[i]!.length, 0) / names.length;
    assert.ok(average > 490 && average < 510, `average auction size ${average}`);
    // Prices spread over six decades (log-uniform): about a sixth in each.
    const decade = initial.filter((p) => p >= 10_000 && p < 100_000).length / initial.length;
    assert.ok(decade > 0.14 && decade < 0.19, `share of prices in [100, 1000) dollars: ${decade}`);
  });

  it('fills bids as the Nexmark model does', () => {
    const bids = run({ kind: 'bid', events: 50_000 });
    const channels = strings(bids, 'channel');
    const urls = strings(bids, 'url');
    const extra = strings(bids, 'extra');
    let hot = 0;
    const urlOf = new Map<string, string>();
    const table = nexmarkText().channels;
    for (let i = 0; i < channels.length; i++) {
      const c = channels[i]!;
      if (HOT_CHANNELS.includes(c)) hot++;
      else assert.match(c, /^channel-\d{1,4}$/);
      assert.match(urls[i]!, /^https:\/\/www\.nexmark\.com\/[a-z_]{3,4}\/[a-z_]{3,4}\/[a-z_]{3,4}\/item\.htm\?query=1(&channel_id=\d+)?$/);
      // A channel always has the same url.
      assert.equal(urlOf.get(c) ?? urls[i], urls[i]);
      assert.equal(urls[i], table.urls[table.names.indexOf(c)]);
      urlOf.set(c, urls[i]!);
      assert.ok(extra[i]!.length >= 54 && extra[i]!.length <= 81);
      assert.match(extra[i]!, /^[a-z ]*$/);
    }
    const hotShare = hot / channels.length;
    assert.ok(hotShare > 0.48 && hotShare < 0.52, `hot channel share ${hotShare}`);
    const withId = [...urlOf].filter(([c, u]) => !HOT_CHANNELS.includes(c) && u.includes('&channel_id=')).length;
    const cold = [...urlOf.keys()].filter((c) => !HOT_CHANNELS.includes(c)).length;
    assert.ok(withId / cold > 0.85 && withId / cold < 0.95);
    const averageExtra = extra.reduce((s, e) => s + e.length, 0) / extra.length;
    assert.ok(Math.abs(averageExtra - 67.5) < 0.5, `average bid extra ${averageExtra}`);
    const prices = numbers(bids, 'price');
    assert.ok(prices.every((p) => p >= 100 && p <= 100_000_000));
  });

  it('checks its options', () => {
    invalidOption({ kind: 'bids' }, /kind must be bid, auction or person/);
    invalidOption({}, /kind must be/);
    invalidOption(null, /must be an object/);
    invalidOption({ kind: 'bid', events: -1 }, /"events" must be an integer/);
    invalidOption({ kind: 'bid', events: 1.5 }, /"events"/);
    invalidOption({ kind: 'bid', events: '100' }, /"events"/);
    invalidOption({ kind: 'bid', events: Number.POSITIVE_INFINITY }, /"events"/);
    invalidOption({ kind: 'bid', seed: 0.5 }, /"seed"/);
    invalidOption({ kind: 'bid', batchSize: 0 }, /"batchSize"/);
    invalidOption({ kind: 'bid', batchSize: 2 ** 21 }, /"batchSize"/);
    invalidOption({ kind: 'bid', eventsPerSecond: 0 }, /"eventsPerSecond"/);
    invalidOption({ kind: 'bid', eventsPerSecond: 2.5 }, /"eventsPerSecond"/);
    invalidOption({ kind: 'bid', firstEventTime: Number.NaN }, /"firstEventTime"/);
    invalidOption({ kind: 'bid', events: 10, startEvent: 11 }, /"startEvent"/);
    invalidOption({ kind: 'bid', startEvent: -5 }, /"startEvent"/);
    invalidOption({ kind: 'bid', events: 2 ** 53 - 1, eventsPerSecond: 1 }, /"events" must be at most/);
    assert.doesNotThrow(() => new NexmarkGenerator({ kind: 'person', events: 0, seed: -3, firstEventTime: -1e15, eventsPerSecond: 1 }));
  });
});
