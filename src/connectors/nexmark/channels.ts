/**
 * Bid channels and their urls, laid out for the bid generator's hot loop.
 *
 * As the reference model: 4 hot channels (Google, Facebook, Baidu, Apple) and
 * `channel-0` .. `channel-9999`, each with a fixed url
 * `https://www.nexmark.com/<seg>/<seg>/<seg>/item.htm?query=1`, segments of 3-4 chars
 * ('a'-'z', sometimes '_'), to which 9 cold channels in 10 append
 * `&channel_id=<abs(Integer.reverse(n))>`.
 *
 * Each channel is one 64-byte record (one cache line, the only one a bid's text touches
 * besides constants): its name (16 bytes), its url's path segments "/seg/seg/seg" (16),
 * the digits of its channel_id (16), then the three lengths. The url's constant parts
 * are written from constants, so every url costs 12 eight-byte stores whatever it holds.
 */
import type { TableRandom } from './random.js';

export const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];
/** Channels besides the hot ones: `channel-0` .. `channel-9999`. */
export const CHANNELS_NUMBER = 10_000;

export const RECORD = 64;
export const NAME_AT = 0;
export const SEGMENTS_AT = 16;
export const DIGITS_AT = 32;
export const NAME_LENGTH_AT = 48;
export const SEGMENTS_LENGTH_AT = 49;
export const DIGITS_LENGTH_AT = 50;

export const URL_HEAD = 'https://www.nexmark.com';
export const URL_TAIL = '/item.htm?query=1';
export const URL_ID = '&channel_id=';
/** The constants, each padded to whole 8-byte words. */
export const URL_HEAD_WORDS = 3;
export const URL_TAIL_WORDS = 3;
export const URL_ID_WORDS = 2;
/** Bytes a url's copy may write past its end; a name's. */
export const URL_OVERRUN = 64;
export const NAME_OVERRUN = 16;

export class ChannelTable {
  /** Channel names: the hot channels first, then `channel-0` .. `channel-9999`. */
  readonly names: string[] = [];
  /** The url of each channel, same indexing. */
  readonly urls: string[] = [];
  readonly records: Uint8Array;
  readonly view: DataView;
  /** URL_HEAD, URL_TAIL and URL_ID as 8-byte words (doubles standing for ASCII bytes, see text.ts). */
  readonly constants: Float64Array;
  readonly size: number;
  /** Lengths of each channel's name and url: small, so sizing a batch's text stays in cache. */
  readonly nameLengths: Uint8Array;
  readonly urlLengths: Uint8Array;

  constructor(random: TableRandom) {
    const segments: string[] = [];
    const digits: string[] = [];
    const add = (name: string, channelId: string): void => {
      const s = `/${segment(random)}/${segment(random)}/${segment(random)}`;
      this.names.push(name);
      segments.push(s);
      digits.push(channelId);
      this.urls.push(URL_HEAD + s + URL_TAIL + (channelId === '' ? '' : URL_ID + channelId));
    };
    for (const name of HOT_CHANNELS) add(name, '');
    for (let n = 0; n < CHANNELS_NUMBER; n++) {
      // As the reference: 9 channels in 10 name themselves in a query parameter.
      const id = random.int(10) > 0 ? String(Math.abs(reverseBits32(n))) : '';
      add(`channel-${n}`, id);
    }
    this.size = this.names.length;
    this.records = new Uint8Array(this.size * RECORD).fill(0x20);
    for (let i = 0; i < this.size; i++) {
      const at = i * RECORD;
      put(this.records, at + NAME_AT, this.names[i]!, 16);
      put(this.records, at + SEGMENTS_AT, segments[i]!, 16);
      put(this.records, at + DIGITS_AT, digits[i]!, 16);
      this.records[at + NAME_LENGTH_AT] = this.names[i]!.length;
      this.records[at + SEGMENTS_LENGTH_AT] = segments[i]!.length;
      this.records[at + DIGITS_LENGTH_AT] = digits[i]!.length;
    }
    this.view = new DataView(this.records.buffer);
    this.nameLengths = Uint8Array.from(this.names, (n) => n.length);
    this.urlLengths = Uint8Array.from(this.urls, (u) => u.length);
    const constants = new Uint8Array(8 * (URL_HEAD_WORDS + URL_TAIL_WORDS + URL_ID_WORDS)).fill(0x20);
    put(constants, 0, URL_HEAD, 8 * URL_HEAD_WORDS);
    put(constants, 8 * URL_HEAD_WORDS, URL_TAIL, 8 * URL_TAIL_WORDS);
    put(constants, 8 * (URL_HEAD_WORDS + URL_TAIL_WORDS), URL_ID, 8 * URL_ID_WORDS);
    const words = new DataView(constants.buffer);
    this.constants = new Float64Array(URL_HEAD_WORDS + URL_TAIL_WORDS + URL_ID_WORDS);
    for (let w = 0; w < this.constants.length; w++) this.constants[w] = words.getFloat64(8 * w, true);
  }

}

function put(bytes: Uint8Array, at: number, s: string, room: number): void {
  if (s.length > room) throw new Error(`nexmark channel text too long: ${s}`);
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0x7f) throw new Error(`nexmark text must be ASCII: ${JSON.stringify(s)}`);
    bytes[at + k] = c;
  }
}

/** A url path segment: 3-4 chars 'a'..'z', '_' 1 time in 13 (the reference's nextString(5, '_')). */
function segment(random: TableRandom): string {
  const len = 3 + random.int(2);
  let s = '';
  for (let i = 0; i < len; i++) s += random.int(13) === 0 ? '_' : String.fromCharCode(0x61 + random.int(26));
  return s;
}

/** Java's Integer.reverse: the 32 bits of n in reverse order, as a signed int. */
export function reverseBits32(n: number): number {
  n = ((n >>> 1) & 0x55555555) | ((n & 0x55555555) << 1);
  n = ((n >>> 2) & 0x33333333) | ((n & 0x33333333) << 2);
  n = ((n >>> 4) & 0x0f0f0f0f) | ((n & 0x0f0f0f0f) << 4);
  n = ((n >>> 8) & 0x00ff00ff) | ((n & 0x00ff00ff) << 8);
  return (n >>> 16) | (n << 16);
}
