/**
 * The text of Nexmark events: fixed tables (names, cities, states, channels) and a
 * pool of random characters that random strings are slices of, all ASCII and built once
 * per process from a fixed seed; plus the writer that fills a Utf8 column from them.
 *
 * Strings are copied 8 bytes at a time through DataView getFloat64/setFloat64, 3x faster
 * than 4-byte copies and 5x faster than byte loops in V8. That is exact only because every
 * byte copied is ASCII (< 0x7f): a little-endian double whose top byte is below 0x7f is
 * never a NaN, so no NaN canonicalization can change its bits. Every source keeps 8
 * readable bytes past its last string, and every column 8 writable bytes past its
 * capacity, for the overrun of the last word (bytes past a value's end are overwritten by
 * the next value, or lie outside the column's data).
 */
import type { Utf8Writer } from './columns.js';
import { ChannelTable } from './channels.js';
import { STEP, TableRandom, below, draw } from './random.js';

/** The copy overruns a string's end by at most this many bytes. */
export const SLACK = 8;

/** Copies `len` ASCII bytes from src at s to dst at d, 8 at a time (see the file comment). */
export function copyAscii(src: DataView, s: number, dst: DataView, d: number, len: number): void {
  for (let k = 0; k < len; k += 8) dst.setFloat64(d + k, src.getFloat64(s + k, true), true);
}

/** A table of strings, each starting at a multiple of 8 bytes, padded with spaces. */
export class StringTable {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly start: Int32Array;
  readonly length: Int32Array;
  readonly maxLength: number;
  readonly minLength: number;
  readonly size: number;

  constructor(readonly strings: readonly string[]) {
    this.size = strings.length;
    this.start = new Int32Array(strings.length);
    this.length = new Int32Array(strings.length);
    let total = 0;
    let max = 0;
    let min = Infinity;
    for (let i = 0; i < strings.length; i++) {
      const s = strings[i]!;
      this.start[i] = total;
      this.length[i] = s.length;
      total += (s.length + 7) & ~7;
      max = Math.max(max, s.length);
      min = Math.min(min, s.length);
    }
    this.maxLength = max;
    this.minLength = strings.length === 0 ? 0 : min;
    this.bytes = new Uint8Array(total + SLACK).fill(0x20);
    for (let i = 0; i < strings.length; i++) {
      const s = strings[i]!;
      for (let k = 0; k < s.length; k++) this.bytes[this.start[i]! + k] = asciiCode(s, k);
    }
    this.view = new DataView(this.bytes.buffer);
  }
}

function asciiCode(s: string, k: number): number {
  const c = s.charCodeAt(k);
  if (c >= 0x7f) throw new Error(`nexmark text must be ASCII: ${JSON.stringify(s)}`);
  return c;
}

// The reference model's word lists.
export const FIRST_NAMES = ['peter', 'paul', 'luke', 'john', 'saul', 'vicky', 'kate', 'julie', 'sarah', 'deiter', 'walter'];
export const LAST_NAMES = ['shultz', 'abrams', 'spencer', 'white', 'bartels', 'walton', 'smith', 'jones', 'noris'];
export const US_CITIES = ['phoenix', 'los angeles', 'san francisco', 'boise', 'portland', 'bend', 'redmond', 'seattle',
  'kent', 'cheyenne'];
export const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];

/**
 * The character pool: POOL_SIZE random characters, 'a'..'z' with a space (the
 * reference's "special" char) 1 time in 13, followed by a copy of its first POOL_TAIL
 * bytes, so the pool reads as an endless periodic stream (byte x is pool[x % POOL_SIZE])
 * and any span of up to POOL_TAIL bytes starting below POOL_SIZE is contiguous.
 */
export const POOL_SIZE = 1 << 20;
export const POOL_TAIL = 1 << 20;
/** Random strings taken at random places of the pool are at most this long. */
export const POOL_MAX_STRING = 1024;

export interface NexmarkText {
  /** "first last" for every pair of the name lists. */
  names: StringTable;
  cities: StringTable;
  states: StringTable;
  /** Bid channels and their urls. */
  channels: ChannelTable;
  pool: Uint8Array;
  poolView: DataView;
}

let text: NexmarkText | undefined;

/** The tables, built on first use (about 20 ms) and shared by every generator. */
export function nexmarkText(): NexmarkText {
  if (text) return text;
  const random = new TableRandom(0x4e65786d); // "Nexm": fixed, so every seed sees the same channels
  const names: string[] = [];
  for (const first of FIRST_NAMES) for (const last of LAST_NAMES) names.push(`${first} ${last}`);
  const channels = new ChannelTable(random);
  const pool = new Uint8Array(POOL_SIZE + POOL_TAIL);
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = randomChar(random);
  pool.copyWithin(POOL_SIZE, 0, POOL_TAIL);
  text = {
    names: new StringTable(names),
    cities: new StringTable(US_CITIES),
    states: new StringTable(US_STATES),
    channels,
    pool,
    poolView: new DataView(pool.buffer),
  };
  return text;
}

/** One random number per character: its top 16 bits pick space (1 in 13), its low 16 the letter. */
function randomChar(random: TableRandom): number {
  const u = random.u32();
  return (((u >>> 16) * 13) >>> 16) === 0 ? 0x20 : 0x61 + (((u & 0xffff) * 26) >>> 16);
}

/**
 * Size of the `extra` padding as the reference computes it: what brings an event of
 * `current` bytes to `average` bytes, +-20% uniformly; empty when the event is already
 * bigger. `u` is a uniform u32.
 */
export function extraLength(current: number, average: number, u: number): number {
  if (current > average) return 0;
  const d = average - current;
  const delta = Math.round(d * 0.2);
  return d - delta + (delta === 0 ? 0 : Math.floor(u * 2 * delta * 2.3283064365386963e-10));
}

/** The longest `extra` for events of at least `minCurrent` bytes. */
export function maxExtraLength(minCurrent: number, average: number): number {
  if (minCurrent > average) return 0;
  const d = average - minCurrent;
  const delta = Math.round(d * 0.2);
  return d + Math.max(delta - 1, 0);
}

/** Copies bytes x .. x+len-1 of the endless pool stream (0 <= x < POOL_SIZE) to dst at `at`. */
export function copyPoolSpan(pool: Uint8Array, x: number, len: number, dst: Uint8Array, at: number): void {
  while (len > 0) {
    const n = Math.min(len, POOL_SIZE + POOL_TAIL - x);
    dst.set(pool.subarray(x, x + n), at);
    at += n;
    len -= n;
    x = (x + n) % POOL_SIZE;
  }
}

/**
 * Appends the reference's nextString(max): 3 .. max-1 random characters, trimmed of
 * spaces at both ends, taken from a random place of the pool. Uses the random numbers of
 * states a and a + STEP; returns the length appended.
 */
export function appendRandomString(col: Utf8Writer, a: number, max: number, pool: Uint8Array, poolView: DataView): number {
  const len = 3 + below(draw(a), max - 3);
  let s = draw((a + STEP) | 0) >>> 12;
  let e = s + len;
  while (s < e && pool[s] === 0x20) s++;
  while (e > s && pool[e - 1] === 0x20) e--;
  col.copy(poolView, s, e - s);
  return e - s;
}
