/**
 * The Nexmark model: which event of the sequence is which kind, which ids events carry
 * and when they happen. Every function here depends on event numbers only, so every
 * generator (of any kind, with any batch size) agrees on the world it describes.
 *
 * Events are numbered 0, 1, 2, ... In each block of 50 events the first is a person,
 * the next 3 are auctions and the last 46 are bids (the 1:3:46 mix of the benchmark,
 * decided by position in the block as the reference generator does).
 */
import type { NexmarkKind } from './schema.js';

export const PERSON_PROPORTION = 1;
export const AUCTION_PROPORTION = 3;
export const BID_PROPORTION = 46;
export const PROPORTION_DENOMINATOR = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION;
/** Position in a block of the first auction and of the first bid. */
export const FIRST_AUCTION_OFFSET = PERSON_PROPORTION;
export const FIRST_BID_OFFSET = PERSON_PROPORTION + AUCTION_PROPORTION;

export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
export const NUM_CATEGORIES = 5;

/** People recently joined that bidders and sellers are drawn from. */
export const NUM_ACTIVE_PEOPLE = 1000;
/** Auctions recently opened that bids are drawn from. */
export const NUM_IN_FLIGHT_AUCTIONS = 100;

/** 1 - 1/ratio of bids go to a hot auction, come from a hot bidder; same for hot sellers. */
export const HOT_AUCTION_RATIO = 2;
export const HOT_BIDDER_RATIO = 4;
export const HOT_SELLER_RATIO = 4;
/** Hot items are the first (or second) of each group of this many ids. */
export const HOT_GROUP = 100;

/** Average sizes in bytes the `extra` padding fills each event up to. */
export const AVG_PERSON_BYTES = 200;
export const AVG_AUCTION_BYTES = 500;
export const AVG_BID_BYTES = 100;

/** The kind of event `n`. */
export function eventKind(n: number): NexmarkKind {
  const offset = n % PROPORTION_DENOMINATOR;
  return offset < FIRST_AUCTION_OFFSET ? 'person' : offset < FIRST_BID_OFFSET ? 'auction' : 'bid';
}

/** How many events of `kind` there are among events 0 .. n-1. */
export function countBefore(kind: NexmarkKind, n: number): number {
  const blocks = Math.floor(n / PROPORTION_DENOMINATOR);
  const offset = n - blocks * PROPORTION_DENOMINATOR;
  switch (kind) {
    case 'person': return blocks * PERSON_PROPORTION + Math.min(offset, PERSON_PROPORTION);
    case 'auction': return blocks * AUCTION_PROPORTION + clamp(offset - FIRST_AUCTION_OFFSET, 0, AUCTION_PROPORTION);
    case 'bid': return blocks * BID_PROPORTION + clamp(offset - FIRST_BID_OFFSET, 0, BID_PROPORTION);
  }
}

/** The first event number >= n that is of `kind`. */
export function nextEventOfKind(kind: NexmarkKind, n: number): number {
  const offset = n % PROPORTION_DENOMINATOR;
  const blockStart = n - offset;
  switch (kind) {
    case 'person': return offset < FIRST_AUCTION_OFFSET ? n : blockStart + PROPORTION_DENOMINATOR;
    case 'auction':
      return offset < FIRST_AUCTION_OFFSET ? blockStart + FIRST_AUCTION_OFFSET
        : offset < FIRST_BID_OFFSET ? n : blockStart + PROPORTION_DENOMINATOR + FIRST_AUCTION_OFFSET;
    case 'bid': return offset < FIRST_BID_OFFSET ? blockStart + FIRST_BID_OFFSET : n;
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** 0-based id of the last person that exists at event n (event n itself included). */
export function lastBase0PersonId(n: number): number {
  const epoch = Math.floor(n / PROPORTION_DENOMINATOR);
  let offset = n - epoch * PROPORTION_DENOMINATOR;
  if (offset >= PERSON_PROPORTION) offset = PERSON_PROPORTION - 1;
  return epoch * PERSON_PROPORTION + offset;
}

/**
 * 0-based id of the last auction that exists at event n (event n itself included), -1
 * before the first auction.
 */
export function lastBase0AuctionId(n: number): number {
  let epoch = Math.floor(n / PROPORTION_DENOMINATOR);
  let offset = n - epoch * PROPORTION_DENOMINATOR;
  if (offset < PERSON_PROPORTION) {
    epoch--;
    offset = AUCTION_PROPORTION - 1;
  } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) {
    offset = AUCTION_PROPORTION - 1;
  } else {
    offset -= PERSON_PROPORTION;
  }
  return epoch * AUCTION_PROPORTION + offset;
}

/**
 * Event time of event n: firstEventTime + floor(n * 1e6 / eventsPerSecond) µs, exact for
 * every event number below 2^53 (eventsPerSecond is a positive integer).
 */
export function eventTime(firstEventTime: number, eventsPerSecond: number, n: number): number {
  const q = Math.floor(n / eventsPerSecond);
  const r = n - q * eventsPerSecond;
  return firstEventTime + q * 1_000_000 + Math.floor((r * 1_000_000) / eventsPerSecond);
}
