/**
 * Bid events into Arrow columns: the generator's hot path (46 events in 50 are bids).
 *
 * Per bid, as the reference model:
 * - auction: 1 - 1/HOT_AUCTION_RATIO of bids go to the hot auction of the moment (the
 *   first of the latest group of 100 auction ids), the rest to one of the last
 *   NUM_IN_FLIGHT_AUCTIONS + 1 auctions, uniformly.
 * - bidder: 1 - 1/HOT_BIDDER_RATIO from the hot bidder (the second person of the latest
 *   group of 100, or the latest person while that group has only one), the rest from the
 *   last NUM_ACTIVE_PEOPLE people, uniformly. The reference also draws ids up to 10
 *   beyond the latest auction or person (not yet created); Sabot does not, so every bid
 *   refers to an auction and a person generated earlier in the sequence.
 * - price: round(100 * 10^(6u)) cents.
 * - channel/url: half the bids come from the 4 hot channels (Google, Facebook, Baidu,
 *   Apple), the rest from `channel-0` .. `channel-9999`, each with its fixed url.
 * - extra: random characters bringing the bid to ~100 bytes. The reference draws each
 *   length uniformly from [54, 82); here the bids of a block are paired and the second
 *   of a pair gets 135 - the first's length (same distribution, constant sum per block),
 *   so the extra text of event n is a fixed span of the endless character pool and a
 *   whole batch's extra column is one copy from it, whatever the batch boundaries.
 */
import { Arena, Int64Column, Utf8Writer } from './columns.js';
import type { GeneratorContext, Generated } from './context.js';
import {
  AUCTION_PROPORTION, AVG_BID_BYTES, BID_PROPORTION, FIRST_AUCTION_ID, FIRST_BID_OFFSET, FIRST_PERSON_ID,
  HOT_AUCTION_RATIO, HOT_BIDDER_RATIO, HOT_GROUP, NUM_ACTIVE_PEOPLE, NUM_IN_FLIGHT_AUCTIONS, PROPORTION_DENOMINATOR,
} from './model.js';
import { price } from './prices.js';
import { STEP, draw, eventKey } from './random.js';
import {
  DIGITS_AT, DIGITS_LENGTH_AT, HOT_CHANNELS, NAME_AT, NAME_LENGTH_AT, NAME_OVERRUN, RECORD, SEGMENTS_AT, SEGMENTS_LENGTH_AT,
  URL_HEAD, URL_ID, URL_OVERRUN, URL_TAIL, type ChannelTable,
} from './channels.js';
import { POOL_SIZE, copyPoolSpan } from './text.js';

/** The reference counts a bid's four numbers as 8 bytes each; extra fills up to AVG_BID_BYTES. */
const EXTRA_TARGET = AVG_BID_BYTES - 8 * 4;
const EXTRA_DELTA = Math.round(EXTRA_TARGET * 0.2);
const EXTRA_MIN = EXTRA_TARGET - EXTRA_DELTA;
const EXTRA_MAX = EXTRA_DELTA === 0 ? EXTRA_TARGET : EXTRA_TARGET + EXTRA_DELTA - 1;
const EXTRA_SPAN = EXTRA_MAX - EXTRA_MIN + 1;
/** Extra bytes of a pair of bids and of a block's bids. */
const EXTRA_PAIR = EXTRA_MIN + EXTRA_MAX;
const EXTRA_BLOCK = (BID_PROPORTION / 2) * EXTRA_PAIR;
if (BID_PROPORTION % 2 !== 0) throw new Error('bids are paired for their extra text');

const TWO_32 = 4294967296;
const INV_32 = 1 / TWO_32;
const INV_31 = 2 / TWO_32;
const HOT_CHANNEL_COUNT = HOT_CHANNELS.length;

/*
 * The random numbers of a bid: its event key k itself (top byte: hot auction, next byte:
 * hot bidder, low 16 bits: extra length) and the draws k + i * STEP for these i.
 */
const R_PRICE = 1;
const R_CHANNEL = 2; // bit 0: hot channel; bits 1-31: which channel
const R_AUCTION = 3; // which cold auction (used when the bid is not on the hot one)
const R_BIDDER = 4; // which cold bidder (used when the bidder is not the hot one)

/** Length of the extra text of the first bid of a pair, from that bid's event key. */
function firstExtraLength(k: number): number {
  return EXTRA_MIN + (((k & 0xffff) * EXTRA_SPAN) >>> 16);
}

/**
 * Generates `rows` bids starting at event `start` (a bid event). Returns the columns in
 * schema order, the next event number and the last event time.
 */
export function generateBids(ctx: GeneratorContext, start: number, rows: number): Generated {
  const { channels, pool } = ctx.text;
  // Numbers and offsets first; the text's exact size is known after the first pass.
  const arena = new Arena(Arena.size([
    Int64Column.bytes(rows), Int64Column.bytes(rows), Int64Column.bytes(rows), Int64Column.bytes(rows),
    (rows + 1) * 4, (rows + 1) * 4, (rows + 1) * 4,
  ]));
  const auctionCol = new Int64Column(arena, rows);
  const bidderCol = new Int64Column(arena, rows);
  const priceCol = new Int64Column(arena, rows);
  const timeCol = new Int64Column(arena, rows);
  const channelOffsets = new Int32Array(arena.buffer, arena.take((rows + 1) * 4), rows + 1);
  const urlOffsets = new Int32Array(arena.buffer, arena.take((rows + 1) * 4), rows + 1);
  const extraOffsets = new Int32Array(arena.buffer, arena.take((rows + 1) * 4), rows + 1);
  if (ctx.scratch.length < rows) ctx.scratch = new Int32Array(rows);
  const channelOf = ctx.scratch;

  const auctionW = auctionCol.words;
  const bidderW = bidderCol.words;
  const priceW = priceCol.words;
  const timeW = timeCol.words;
  const nameLengths = channels.nameLengths;
  const urlLengths = channels.urlLengths;
  const coldChannels = channels.size - HOT_CHANNEL_COUNT;
  const key = ctx.key;
  const rate = ctx.eventsPerSecond;

  let n = start;
  let block = Math.floor(n / PROPORTION_DENOMINATOR);
  let offset = n - block * PROPORTION_DENOMINATOR;
  // Event time, kept as first + q * 1e6 + floor(r * 1e6 / rate) with n = q * rate + r.
  let q = Math.floor(n / rate);
  let r = n - q * rate;
  const first = ctx.firstEventTime;
  let t = 0;

  // Where this batch's extra text starts in the pool stream.
  const i0 = offset - FIRST_BID_OFFSET;
  let secondLength = 0;
  let extraX = ((key >>> 12) + ((block % POOL_SIZE) * EXTRA_BLOCK) % POOL_SIZE + (i0 >> 1) * EXTRA_PAIR) % POOL_SIZE;
  if ((i0 & 1) === 1) {
    const firstLength = firstExtraLength(eventKey(key, n - 1));
    secondLength = EXTRA_PAIR - firstLength;
    extraX = (extraX + firstLength) % POOL_SIZE;
  }

  let chBytes = 0;
  let urlBytes = 0;
  let extraPos = 0;
  extraOffsets[0] = 0;
  // What bids choose from changes once per block: the latest person and auction.
  let hotAuction = 0;
  let minAuction = 0;
  let auctionSpan = 0;
  let hotBidder = 0;
  let minBidder = 0;
  let bidderSpan = 0;

  for (let j = 0; j < rows; j++) {
    if (offset === FIRST_BID_OFFSET || j === 0) {
      const lastPerson = block;
      const lastAuction = block * AUCTION_PROPORTION + AUCTION_PROPORTION - 1;
      hotAuction = lastAuction - (lastAuction % HOT_GROUP) + FIRST_AUCTION_ID;
      minAuction = (lastAuction > NUM_IN_FLIGHT_AUCTIONS ? lastAuction - NUM_IN_FLIGHT_AUCTIONS : 0) + FIRST_AUCTION_ID;
      auctionSpan = lastAuction + FIRST_AUCTION_ID - minAuction + 1;
      // The second person of the group (hot bidders and hot sellers differ), once it exists.
      hotBidder = Math.min(lastPerson - (lastPerson % HOT_GROUP) + 1, lastPerson) + FIRST_PERSON_ID;
      const active = Math.min(lastPerson + 1, NUM_ACTIVE_PEOPLE);
      minBidder = lastPerson + 1 - active + FIRST_PERSON_ID;
      bidderSpan = active;
    }
    const k = eventKey(key, n);
    // Hot or cold is a coin toss the CPU cannot predict, so both values are computed
    // and one is selected arithmetically (h is 0 or 1), without a branch.
    const coldAuction = minAuction + Math.floor(draw((k + R_AUCTION * STEP) | 0) * auctionSpan * INV_32);
    const ha = (((k >>> 24) * HOT_AUCTION_RATIO) >>> 8) > 0 ? 1 : 0;
    const auction = coldAuction + (hotAuction - coldAuction) * ha;
    const coldBidder = minBidder + Math.floor(draw((k + R_BIDDER * STEP) | 0) * bidderSpan * INV_32);
    const hb = (((((k >>> 16) & 0xff) * HOT_BIDDER_RATIO) >>> 8) > 0) ? 1 : 0;
    const bidder = coldBidder + (hotBidder - coldBidder) * hb;
    const p = price(draw((k + R_PRICE * STEP) | 0));
    const c = draw((k + R_CHANNEL * STEP) | 0);
    const hotChannel = Math.floor((c >>> 1) * HOT_CHANNEL_COUNT * INV_31);
    const coldChannel = HOT_CHANNEL_COUNT + Math.floor((c >>> 1) * coldChannels * INV_31);
    const channel = coldChannel + (hotChannel - coldChannel) * (c & 1);
    channelOf[j] = channel;
    chBytes += nameLengths[channel]!;
    urlBytes += urlLengths[channel]!;
    if (((offset - FIRST_BID_OFFSET) & 1) === 0) {
      const length = firstExtraLength(k);
      secondLength = EXTRA_PAIR - length;
      extraPos += length;
    } else {
      extraPos += secondLength;
    }
    extraOffsets[j + 1] = extraPos;
    t = first + q * 1_000_000 + Math.floor((r * 1_000_000) / rate);

    // Int64 values as (low, high) words; ids and prices are non-negative.
    auctionW[2 * j] = auction;
    auctionW[2 * j + 1] = auction * INV_32;
    bidderW[2 * j] = bidder;
    bidderW[2 * j + 1] = bidder * INV_32;
    priceW[2 * j] = p;
    priceW[2 * j + 1] = p * INV_32;
    timeW[2 * j] = t;
    timeW[2 * j + 1] = Math.floor(t * INV_32);

    n++;
    r++;
    if (r === rate) { r = 0; q++; }
    offset++;
    if (offset === PROPORTION_DENOMINATOR) {
      // Skip the next block's person and auctions.
      block++;
      offset = FIRST_BID_OFFSET;
      n += FIRST_BID_OFFSET;
      r += FIRST_BID_OFFSET;
      while (r >= rate) { r -= rate; q++; }
    }
  }

  // The text, sized exactly (plus the copies' overrun).
  const chCapacity = chBytes + NAME_OVERRUN;
  const urlCapacity = urlBytes + URL_OVERRUN;
  const text = new Arena(Arena.size([chCapacity, urlCapacity, extraPos]));
  const chAt = text.take(chCapacity);
  const urlAt = text.take(urlCapacity);
  const extraBytes = new Uint8Array(text.buffer, text.take(extraPos), extraPos);
  copyPoolSpan(pool, extraX, extraPos, extraBytes, 0);
  writeChannels(channels, channelOf, rows, new DataView(text.buffer, chAt, chCapacity), channelOffsets,
    new DataView(text.buffer, urlAt, urlCapacity), urlOffsets);
  const { int64, timestamp, utf8 } = ctx.types;
  return {
    columns: [
      auctionCol.data(int64), bidderCol.data(int64), priceCol.data(int64),
      Utf8Writer.dataOf(utf8, rows, channelOffsets, new Uint8Array(text.buffer, chAt, chBytes)),
      Utf8Writer.dataOf(utf8, rows, urlOffsets, new Uint8Array(text.buffer, urlAt, urlBytes)),
      timeCol.data(timestamp), Utf8Writer.dataOf(utf8, rows, extraOffsets, extraBytes),
    ],
    next: n,
    lastTime: t,
  };
}

/**
 * Writes the channel names and urls of channels `which[0..rows)` (see channels.ts) with
 * their offsets. Every value is written as whole 8-byte words (see text.ts): what lies
 * past its end is overwritten by the next value, or lies past the column's data. A url
 * without channel_id still writes the words of one, then does not count them.
 */
function writeChannels(channels: ChannelTable, which: Int32Array, rows: number, names: DataView, nameOffsets: Int32Array,
  urls: DataView, urlOffsets: Int32Array): void {
  const src = channels.view;
  const records = channels.records;
  const c = channels.constants;
  const head0 = c[0]!, head1 = c[1]!, head2 = c[2]!;
  const tail0 = c[3]!, tail1 = c[4]!, tail2 = c[5]!;
  const id0 = c[6]!, id1 = c[7]!;
  const headLength = URL_HEAD.length;
  const tailLength = URL_TAIL.length;
  const idLength = URL_ID.length;
  let namePos = 0;
  let urlPos = 0;
  nameOffsets[0] = 0;
  urlOffsets[0] = 0;
  for (let j = 0; j < rows; j++) {
    const at = which[j]! * RECORD;
    names.setFloat64(namePos, src.getFloat64(at + NAME_AT, true), true);
    names.setFloat64(namePos + 8, src.getFloat64(at + NAME_AT + 8, true), true);
    namePos += records[at + NAME_LENGTH_AT]!;
    nameOffsets[j + 1] = namePos;

    urls.setFloat64(urlPos, head0, true);
    urls.setFloat64(urlPos + 8, head1, true);
    urls.setFloat64(urlPos + 16, head2, true);
    urlPos += headLength;
    urls.setFloat64(urlPos, src.getFloat64(at + SEGMENTS_AT, true), true);
    urls.setFloat64(urlPos + 8, src.getFloat64(at + SEGMENTS_AT + 8, true), true);
    urlPos += records[at + SEGMENTS_LENGTH_AT]!;
    urls.setFloat64(urlPos, tail0, true);
    urls.setFloat64(urlPos + 8, tail1, true);
    urls.setFloat64(urlPos + 16, tail2, true);
    urlPos += tailLength;
    const digits = records[at + DIGITS_LENGTH_AT]!;
    urls.setFloat64(urlPos, id0, true);
    urls.setFloat64(urlPos + 8, id1, true);
    urls.setFloat64(urlPos + idLength, src.getFloat64(at + DIGITS_AT, true), true);
    urls.setFloat64(urlPos + idLength + 8, src.getFloat64(at + DIGITS_AT + 8, true), true);
    urlPos += (idLength + digits) * ((digits + 15) >> 4); // nothing without digits (0 .. 10 of them)
    urlOffsets[j + 1] = urlPos;
  }
}
