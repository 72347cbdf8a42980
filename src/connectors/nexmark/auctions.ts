/**
 * Auction events into Arrow columns. Per auction, as the reference model:
 * - id: 1000 + the auction's number (3 per block of 50 events).
 * - seller: 1 - 1/HOT_SELLER_RATIO from the hot seller (the first person of the latest
 *   group of 100), the rest one of the last NUM_ACTIVE_PEOPLE people (never one not yet
 *   created, unlike the reference's lead of 10).
 * - category: 10 .. 10 + NUM_CATEGORIES - 1, uniformly.
 * - initial_bid: a price (prices.ts); reserve: initial_bid + another price.
 * - expires: date_time + 1 .. 2 * horizon ms, uniformly, where the horizon is the event
 *   time the next NUM_IN_FLIGHT_AUCTIONS auctions take to open (about 167 ms at 10,000
 *   events/s), in whole milliseconds.
 * - item_name: 3 .. 19 random characters, description 3 .. 99, both trimmed of spaces;
 *   extra: random characters bringing the auction to ~500 bytes, +-20%.
 */
import { Arena, Int64Column, Utf8Writer, setInt64 } from './columns.js';
import type { GeneratorContext, Generated } from './context.js';
import {
  AUCTION_PROPORTION, AVG_AUCTION_BYTES, FIRST_AUCTION_ID, FIRST_CATEGORY_ID, FIRST_PERSON_ID, HOT_GROUP,
  HOT_SELLER_RATIO, NUM_ACTIVE_PEOPLE, NUM_CATEGORIES, NUM_IN_FLIGHT_AUCTIONS, PROPORTION_DENOMINATOR, eventTime,
} from './model.js';
import { price } from './prices.js';
import { STEP, below, draw, eventKey } from './random.js';
import { appendRandomString, extraLength, maxExtraLength } from './text.js';

/** The reference counts id, initial_bid, reserve, date_time, expires (8 bytes each) and 8 more. */
const FIXED_BYTES = 8 + 8 * 5;
const ITEM_NAME_MAX = 20;
const DESCRIPTION_MAX = 100;
/** Events over which the in-flight auctions are spread: the horizon of an auction's length. */
const EVENTS_FOR_AUCTIONS = Math.floor((NUM_IN_FLIGHT_AUCTIONS * PROPORTION_DENOMINATOR) / AUCTION_PROPORTION);

/** Generates `rows` auctions starting at event `start` (an auction event). */
export function generateAuctions(ctx: GeneratorContext, start: number, rows: number): Generated {
  const { pool, poolView } = ctx.text;
  const maxExtra = maxExtraLength(FIXED_BYTES, AVG_AUCTION_BYTES);
  const arena = new Arena(Arena.size([
    ...Utf8Writer.bytes(rows, ITEM_NAME_MAX), ...Utf8Writer.bytes(rows, DESCRIPTION_MAX), ...Utf8Writer.bytes(rows, maxExtra),
    ...Array<number>(7).fill(Int64Column.bytes(rows)),
  ]));
  const idCol = new Int64Column(arena, rows);
  const nameCol = new Utf8Writer(arena, rows, ITEM_NAME_MAX);
  const descCol = new Utf8Writer(arena, rows, DESCRIPTION_MAX);
  const initialCol = new Int64Column(arena, rows);
  const reserveCol = new Int64Column(arena, rows);
  const timeCol = new Int64Column(arena, rows);
  const expiresCol = new Int64Column(arena, rows);
  const sellerCol = new Int64Column(arena, rows);
  const categoryCol = new Int64Column(arena, rows);
  const extraCol = new Utf8Writer(arena, rows, maxExtra);
  const { key, firstEventTime, eventsPerSecond } = ctx;

  let n = start;
  let t = 0;
  for (let j = 0; j < rows; j++) {
    const block = Math.floor(n / PROPORTION_DENOMINATOR);
    const offset = n - block * PROPORTION_DENOMINATOR; // 1 .. AUCTION_PROPORTION
    const lastPerson = block;
    t = eventTime(firstEventTime, eventsPerSecond, n);
    let a = eventKey(key, n);

    let seller: number;
    a = (a + STEP) | 0;
    if (below(draw(a), HOT_SELLER_RATIO) > 0) {
      seller = lastPerson - (lastPerson % HOT_GROUP);
    } else {
      const people = lastPerson + 1;
      const active = people < NUM_ACTIVE_PEOPLE ? people : NUM_ACTIVE_PEOPLE;
      a = (a + STEP) | 0;
      seller = people - active + below(draw(a), active);
    }
    a = (a + STEP) | 0;
    const category = FIRST_CATEGORY_ID + below(draw(a), NUM_CATEGORIES);
    a = (a + STEP) | 0;
    const initialBid = price(draw(a));
    const horizonMs = Math.floor((eventTime(firstEventTime, eventsPerSecond, n + EVENTS_FOR_AUCTIONS) - t) / 1000);
    a = (a + STEP) | 0;
    const lengthMs = 1 + below(draw(a), Math.max(horizonMs * 2, 1));
    a = (a + STEP) | 0;
    const nameLength = appendRandomString(nameCol, a, ITEM_NAME_MAX, pool, poolView);
    a = (a + 2 * STEP) | 0;
    const descLength = appendRandomString(descCol, a, DESCRIPTION_MAX, pool, poolView);
    a = (a + 2 * STEP) | 0;
    const reserve = initialBid + price(draw(a));
    a = (a + STEP) | 0;
    const extra = extraLength(FIXED_BYTES + nameLength + descLength, AVG_AUCTION_BYTES, draw(a));
    a = (a + STEP) | 0;
    extraCol.copy(poolView, draw(a) >>> 12, extra);

    setInt64(idCol.words, j, block * AUCTION_PROPORTION + offset - 1 + FIRST_AUCTION_ID);
    nameCol.end(j);
    descCol.end(j);
    setInt64(initialCol.words, j, initialBid);
    setInt64(reserveCol.words, j, reserve);
    setInt64(timeCol.words, j, t);
    setInt64(expiresCol.words, j, t + lengthMs * 1000);
    setInt64(sellerCol.words, j, seller + FIRST_PERSON_ID);
    setInt64(categoryCol.words, j, category);
    extraCol.end(j);

    n++;
    // After the block's last auction, on to the next block's first.
    if (offset === AUCTION_PROPORTION) n += PROPORTION_DENOMINATOR - AUCTION_PROPORTION;
  }
  const { int64, timestamp, utf8 } = ctx.types;
  return {
    columns: [idCol.data(int64), nameCol.data(utf8), descCol.data(utf8), initialCol.data(int64), reserveCol.data(int64),
      timeCol.data(timestamp), expiresCol.data(timestamp), sellerCol.data(int64), categoryCol.data(int64), extraCol.data(utf8)],
    next: n,
    lastTime: t,
  };
}
