/**
 * TIMESTAMP, TIMESTAMPTZ, DATE and TIME: calendar arithmetic, time zones, Postgres text
 * input and output (DateStyle ISO), AT TIME ZONE, date_trunc, extract, and arithmetic
 * with intervals, all with Postgres's semantics.
 *
 * Values (see sql-type.ts): timestamp and timestamptz are microseconds since 1970-01-01
 * 00:00:00 (UTC for timestamptz, the wall clock read as UTC for timestamp); date is days
 * since 1970-01-01; time is microseconds since midnight. `infinity` and `-infinity`
 * timestamps and dates are `Infinity` and `-Infinity`.
 *
 * Microsecond precision is exact within ±2^53 µs of 1970 (years 1685 to 2255); beyond,
 * whole milliseconds stay exact up to year 4253 and whole seconds up to about year 20000.
 *
 * A time zone is an IANA name (`UTC`, `Europe/Paris`, `America/New_York`) or a fixed
 * offset `±HH[:MM[:SS]]` / `±HHMM` with the ISO sign (east of Greenwich is positive).
 * Wall-clock times in a DST gap or overlap resolve as Postgres does: in a gap the offset
 * from before the transition applies, in an overlap the one from after it.
 */
import { SabotError, SqlState } from '../errors.js';
import { Interval, USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC, rint } from './interval.js';

/** Days from 1970-01-01 to 2000-01-01, the epoch of Postgres's binary formats. */
export const PG_EPOCH_DAYS = 10957;
/** Microseconds from 1970-01-01 to 2000-01-01. */
export const PG_EPOCH_MICROS = 946_684_800_000_000;

const TIME_ZONE_DISPLACEMENT = SqlState.invalidTimeZoneDisplacementValue;

export type DateTimeKind = 'timestamp' | 'timestamptz' | 'date' | 'time';

const TYPE_NAMES: Record<DateTimeKind | 'interval', string> = {
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  date: 'date',
  time: 'time without time zone',
  interval: 'interval',
};

// ---------------------------------------------------------------------------------------
// Calendar (proleptic Gregorian; year 0 is 1 BC)

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1]!;
}

/** Days since 1970-01-01 of a calendar date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** First valid date and timestamp: 4714-11-24 BC (Julian day 0). */
export const MIN_DATE = daysFromCivil(-4713, 11, 24);
export const MIN_TIMESTAMP = MIN_DATE * 86_400_000_000;
/** First timestamp past the valid range: 294277-01-01 00:00:00. */
export const END_TIMESTAMP = daysFromCivil(294277, 1, 1) * 86_400_000_000;
/** First date past the valid range: 5874898-01-01. */
export const END_DATE = daysFromCivil(5874898, 1, 1);

/** Scratch result of civilFromDays: [year, month, day]. */
const civil: [number, number, number] = [0, 0, 0];

/** Calendar date of days since 1970-01-01, written into the shared `civil` triple. */
function toCivil(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  civil[0] = yoe + era * 400 + (m <= 2 ? 1 : 0);
  civil[1] = m;
  civil[2] = d;
  return civil;
}

/** Calendar date of days since 1970-01-01 (year 0 is 1 BC). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const c = toCivil(days);
  return { year: c[0], month: c[1], day: c[2] };
}

/** Day of the week, 0 = Sunday. */
function dayOfWeek(days: number): number {
  const r = (days + 4) % 7;
  return r < 0 ? r + 7 : r;
}

/** ISO 8601 week number and week-numbering year of a date. */
function isoWeek(days: number): [week: number, isoYear: number] {
  const monday0 = (dayOfWeek(days) + 6) % 7; // 0 = Monday
  const thursday = days - monday0 + 3;
  const y = toCivil(thursday)[0];
  return [Math.floor((thursday - daysFromCivil(y, 1, 1)) / 7) + 1, y];
}

const floorDiv = (a: number, b: number): number => Math.floor(a / b);

/** Splits microseconds since 1970 into days and microseconds within the day. */
function splitDay(us: number): [number, number] {
  const days = floorDiv(us, USECS_PER_DAY);
  return [days, us - days * USECS_PER_DAY];
}

/** Scratch results of splitForDisplay: whole days and microseconds within the day. */
let dispDays = 0;
let dispTime = 0;

/**
 * Splits µs since 1970 into dispDays and dispTime. Beyond 2^53 µs a double cannot hold
 * every microsecond, so the time of day is rounded to the power of ten just above the
 * spacing of doubles there (a value read from text then prints as it was written).
 */
function splitForDisplay(us: number): void {
  let days = Math.floor(us / USECS_PER_DAY);
  let t = us - days * USECS_PER_DAY;
  const a = us < 0 ? -us : us;
  if (a > 9007199254740992) {
    const ulp = 2 ** (Math.floor(Math.log2(a)) - 52);
    const p = 10 ** Math.ceil(Math.log10(ulp));
    t = Math.round(t / p) * p;
    if (t >= USECS_PER_DAY) {
      t -= USECS_PER_DAY;
      days++;
    }
  }
  dispDays = days;
  dispTime = t;
}

// ---------------------------------------------------------------------------------------
// Time zones

export interface TimeZone {
  /** The name as given (or canonical for IANA zones). */
  readonly name: string;
  /** Offset east of UTC in seconds for a fixed-offset zone, else null. */
  readonly fixedOffset: number | null;
  /** Offset east of UTC, in seconds, in effect at an instant (µs since 1970 UTC). */
  offsetAt(utcMicros: number): number;
}

class FixedZone implements TimeZone {
  constructor(readonly name: string, readonly fixedOffset: number) {}
  offsetAt(): number {
    return this.fixedOffset;
  }
}

/** Intl can format 1800..275000 AD; before and after, the offsets at the ends apply. */
const MIN_INTL_MS = -5_364_662_400_000;
const MAX_INTL_MS = 8_639_000_000_000_000;
/** Offsets are tabulated per span of 2^35 ms (about 398 days)... */
const SPAN_MS = 2 ** 35;
/** ...sampled every 6 days, each change located to the millisecond by bisection. */
const SAMPLE_MS = 6 * 86_400_000;
const MAX_SPANS = 4096;

/** Offset changes within one span: offsets[i] applies from starts[i] (ms) on. */
interface SpanTable {
  starts: number[];
  offsets: number[];
}

class IanaZone implements TimeZone {
  readonly fixedOffset = null;
  private readonly fmt: Intl.DateTimeFormat;
  private spans = new Map<number, SpanTable>();
  // The segment of the last lookup, for runs of nearby instants.
  private segStart = 1;
  private segEnd = 0;
  private segOffset = 0;

  constructor(readonly name: string, fmt: Intl.DateTimeFormat) {
    this.fmt = fmt;
  }

  offsetAt(utcMicros: number): number {
    let ms = Math.floor(utcMicros / 1000);
    if (!(ms >= MIN_INTL_MS)) ms = MIN_INTL_MS;
    else if (ms > MAX_INTL_MS) ms = MAX_INTL_MS;
    if (ms >= this.segStart && ms < this.segEnd) return this.segOffset;
    const k = Math.floor(ms / SPAN_MS);
    let table = this.spans.get(k);
    if (table === undefined) {
      if (this.spans.size >= MAX_SPANS) this.spans = new Map();
      table = this.tabulate(k * SPAN_MS);
      this.spans.set(k, table);
    }
    const { starts, offsets } = table;
    let i = starts.length - 1;
    while (i > 0 && starts[i]! > ms) i--;
    this.segStart = starts[i]!;
    this.segEnd = i + 1 < starts.length ? starts[i + 1]! : (k + 1) * SPAN_MS;
    this.segOffset = offsets[i]!;
    return this.segOffset;
  }

  private tabulate(start: number): SpanTable {
    const end = start + SPAN_MS;
    let prev = this.exact(start);
    const table: SpanTable = { starts: [start], offsets: [prev] };
    let t0 = start;
    for (let t = start + SAMPLE_MS; t0 < end - 1; t += SAMPLE_MS) {
      const t1 = Math.min(t, end - 1);
      const o = this.exact(t1);
      // Locate every change between t0 and t1 (usually none, rarely one).
      while (o !== prev) {
        let lo = t0;
        let hi = t1;
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (this.exact(mid) === prev) lo = mid;
          else hi = mid;
        }
        prev = this.exact(hi);
        table.starts.push(hi);
        table.offsets.push(prev);
        t0 = hi;
      }
      t0 = t1;
    }
    return table;
  }

  /** The offset at an instant, from Intl (slow: only to build the tables). */
  private exact(ms: number): number {
    const parts = this.fmt.formatToParts(ms);
    let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    for (const p of parts) {
      switch (p.type) {
        case 'year': y = Number(p.value); break;
        case 'month': mo = Number(p.value); break;
        case 'day': d = Number(p.value); break;
        case 'hour': h = Number(p.value); break;
        case 'minute': mi = Number(p.value); break;
        case 'second': s = Number(p.value); break;
        default: break;
      }
    }
    const localSec = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return localSec - Math.floor(ms / 1000);
  }
}

const zoneCache = new Map<string, TimeZone>();
const UTC_ZONE = new FixedZone('UTC', 0);

function unknownZone(name: string): SabotError {
  return new SabotError(SqlState.invalidParameterValue, `time zone "${name}" not recognized`);
}

/**
 * Parses `±HH[:MM[:SS]]` / `±HHMM` (ISO sign) into seconds east of UTC; returns
 * undefined if `s` is not of that shape, or throws 22009 if a field is out of range.
 */
function parseNumericOffset(s: string, full: string): number | undefined {
  const c0 = s.charCodeAt(0);
  if (c0 !== 43 && c0 !== 45) return undefined;
  let i = 1;
  const n = s.length;
  const readNum = (): number => {
    const st = i;
    let v = 0;
    while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
      v = v * 10 + (s.charCodeAt(i) - 48);
      i++;
    }
    return i === st ? -1 : v;
  };
  const hStart = i;
  let hr = readNum();
  if (hr < 0) return undefined;
  let min = 0;
  let sec = 0;
  if (i < n && s.charCodeAt(i) === 58) {
    i++;
    min = readNum();
    if (min < 0) return undefined;
    if (i < n && s.charCodeAt(i) === 58) {
      i++;
      sec = readNum();
      if (sec < 0) return undefined;
    }
  } else if (i === n && i - hStart > 2) {
    min = hr % 100;
    hr = Math.floor(hr / 100);
  }
  if (i !== n) return undefined;
  if (hr > 15 || min >= 60 || sec >= 60) {
    throw new SabotError(TIME_ZONE_DISPLACEMENT, `time zone displacement out of range: "${full}"`);
  }
  const off = hr * 3600 + min * 60 + sec;
  return c0 === 45 ? -off : off;
}

/**
 * The zone a TimeZone setting (or a zone name in input) names: an IANA name or a
 * numeric `±HH[:MM]` offset with the ISO sign. Cached per name. Unknown: 22023.
 */
export function resolveTimeZone(name: string | TimeZone): TimeZone {
  if (typeof name !== 'string') return name;
  const hit = zoneCache.get(name);
  if (hit !== undefined) return hit;
  let zone: TimeZone;
  const trimmed = name.trim();
  const lower = trimmed.toLowerCase();
  if (lower === 'utc' || lower === 'gmt' || lower === 'z' || lower === 'zulu' || lower === 'etc/utc'
    || lower === 'universal' || lower === 'etc/universal' || lower === 'uct' || lower === 'etc/gmt') {
    zone = lower === 'utc' ? UTC_ZONE : new FixedZone(trimmed, 0);
  } else {
    let off: number | undefined;
    try {
      off = parseNumericOffset(trimmed, trimmed);
    } catch {
      throw unknownZone(name);
    }
    if (off !== undefined) {
      zone = new FixedZone(trimmed, off);
    } else {
      let fmt: Intl.DateTimeFormat;
      try {
        fmt = new Intl.DateTimeFormat('en-US', {
          timeZone: trimmed, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
          hour: 'numeric', minute: 'numeric', second: 'numeric',
        });
      } catch {
        throw unknownZone(name);
      }
      zone = new IanaZone(fmt.resolvedOptions().timeZone, fmt);
    }
  }
  if (zoneCache.size > 1000) zoneCache.clear();
  zoneCache.set(name, zone);
  return zone;
}

/** Whether `name` is a time zone resolveTimeZone accepts. */
export function isValidTimeZone(name: string): boolean {
  try {
    resolveTimeZone(name);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock (as µs "read as UTC") in `zone` at the instant `utcMicros`. */
export function utcToLocal(utcMicros: number, zone: string | TimeZone): number {
  if (!Number.isFinite(utcMicros)) return utcMicros;
  const z = resolveTimeZone(zone);
  return utcMicros + z.offsetAt(utcMicros) * USECS_PER_SEC;
}

/**
 * The instant at which the wall clock in `zone` reads `localMicros`. In a DST gap the
 * offset before the transition applies, in an overlap the offset after it (Postgres).
 */
export function localToUtc(localMicros: number, zone: string | TimeZone): number {
  if (!Number.isFinite(localMicros)) return localMicros;
  const z = resolveTimeZone(zone);
  if (z.fixedOffset !== null) return localMicros - z.fixedOffset * USECS_PER_SEC;
  const before = z.offsetAt(localMicros - USECS_PER_DAY);
  const after = z.offsetAt(localMicros + USECS_PER_DAY);
  const c1 = localMicros - before * USECS_PER_SEC;
  if (before === after && z.offsetAt(c1) === before) return c1;
  const c2 = localMicros - after * USECS_PER_SEC;
  const ok1 = z.offsetAt(c1) === before;
  const ok2 = z.offsetAt(c2) === after;
  if (ok2) return c2;
  if (ok1) return c1;
  if (before !== after) return c1; // a gap: the offset from before it
  // Two transitions within two days cancelling each other: search the offset in use.
  const o = z.offsetAt(c1);
  return localMicros - o * USECS_PER_SEC;
}

/** `timestamp AT TIME ZONE zone`: the instant at which the wall clock in zone shows ts. */
export function timestampToTimestamptz(ts: number, zone: string | TimeZone): number {
  const r = localToUtc(ts, zone);
  checkTimestamp(r);
  return r;
}

/** `timestamptz AT TIME ZONE zone`: the wall clock in zone at that instant. */
export function timestamptzToTimestamp(tstz: number, zone: string | TimeZone): number {
  const r = utcToLocal(tstz, zone);
  checkTimestamp(r);
  return r;
}

export function dateToTimestamp(days: number): number {
  if (!Number.isFinite(days)) return days;
  return days * USECS_PER_DAY;
}

/** Midnight of the date in `zone`, as an instant. */
export function dateToTimestamptz(days: number, zone: string | TimeZone): number {
  if (!Number.isFinite(days)) return days;
  return localToUtc(days * USECS_PER_DAY, zone);
}

export function timestampToDate(ts: number): number {
  if (!Number.isFinite(ts)) return ts > 0 ? Infinity : -Infinity;
  return floorDiv(ts, USECS_PER_DAY);
}

export function timestamptzToDate(tstz: number, zone: string | TimeZone): number {
  return timestampToDate(utcToLocal(tstz, zone));
}

export function timestampToTime(ts: number): number {
  return splitDay(ts)[1];
}

// ---------------------------------------------------------------------------------------
// Range checks and errors

function timestampOutOfRange(text?: string): SabotError {
  return new SabotError(SqlState.datetimeFieldOverflow,
    text === undefined ? 'timestamp out of range' : `timestamp out of range: "${text}"`);
}

function dateOutOfRange(text?: string): SabotError {
  return new SabotError(SqlState.datetimeFieldOverflow,
    text === undefined ? 'date out of range' : `date out of range: "${text}"`);
}

function checkTimestamp(us: number, text?: string): void {
  if (us === Infinity || us === -Infinity) return;
  if (!(us >= MIN_TIMESTAMP && us < END_TIMESTAMP)) throw timestampOutOfRange(text);
}

function checkDate(days: number, text?: string): void {
  if (days === Infinity || days === -Infinity) return;
  if (!(days >= MIN_DATE && days < END_DATE)) throw dateOutOfRange(text);
}

// ---------------------------------------------------------------------------------------
// Output (DateStyle ISO)

const TWO_DIGITS: string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);

function pad4(n: number): string {
  if (n >= 1000) return String(n);
  if (n >= 100) return '0' + n;
  if (n >= 10) return '00' + n;
  return '000' + n;
}

/** `.ffffff` with trailing zeros trimmed, or '' for a whole second. */
function fraction(us: number): string {
  if (us === 0) return '';
  let s = String(us);
  if (s.length < 6) s = '000000'.slice(s.length) + s;
  let end = 6;
  while (s.charCodeAt(end - 1) === 48) end--;
  return '.' + s.slice(0, end);
}

/** `YYYY-MM-DD` of a day number (the year without sign; see isBC). */
function formatDatePart(days: number): string {
  const c = toCivil(days);
  const y = c[0];
  return pad4(y <= 0 ? 1 - y : y) + '-' + TWO_DIGITS[c[1]] + '-' + TWO_DIGITS[c[2]];
}

/** Whether the date of the last formatDatePart call is BC. */
const lastWasBC = (): boolean => civil[0] <= 0;

function formatTimeOfDay(t: number): string {
  const h = Math.floor(t / USECS_PER_HOUR);
  t -= h * USECS_PER_HOUR;
  const m = Math.floor(t / USECS_PER_MINUTE);
  t -= m * USECS_PER_MINUTE;
  const s = Math.floor(t / USECS_PER_SEC);
  t -= s * USECS_PER_SEC;
  return (h < 100 ? TWO_DIGITS[h]! : String(h)) + ':' + TWO_DIGITS[m] + ':' + TWO_DIGITS[s] + fraction(t);
}

/** `2024-01-02 03:04:05[.ffffff]`, `infinity`, `-infinity`; BC years end with ` BC`. */
export function formatTimestamp(us: number): string {
  if (us === Infinity) return 'infinity';
  if (us === -Infinity) return '-infinity';
  splitForDisplay(us);
  const s = formatDatePart(dispDays) + ' ' + formatTimeOfDay(dispTime);
  return lastWasBC() ? s + ' BC' : s;
}

/** `+HH`, `+HH:MM` or `+HH:MM:SS` for an offset in seconds east of UTC. */
export function formatOffset(offsetSec: number): string {
  const sign = offsetSec < 0 ? '-' : '+';
  let a = Math.abs(offsetSec);
  const h = Math.floor(a / 3600);
  a -= h * 3600;
  const m = Math.floor(a / 60);
  const s = a - m * 60;
  let out = sign + (h < 100 ? TWO_DIGITS[h]! : String(h));
  if (m !== 0 || s !== 0) out += ':' + TWO_DIGITS[m];
  if (s !== 0) out += ':' + TWO_DIGITS[s];
  return out;
}

/** `2024-01-02 03:04:05[.ffffff]+00` in the given session time zone. */
export function formatTimestamptz(us: number, zone: string | TimeZone): string {
  if (us === Infinity) return 'infinity';
  if (us === -Infinity) return '-infinity';
  const z = typeof zone === 'string' ? resolveTimeZone(zone) : zone;
  const off = z.offsetAt(us);
  splitForDisplay(us + off * USECS_PER_SEC);
  const s = formatDatePart(dispDays) + ' ' + formatTimeOfDay(dispTime) + formatOffset(off);
  return lastWasBC() ? s + ' BC' : s;
}

/** `2024-01-02`, `infinity`, `-infinity`. */
export function formatDate(days: number): string {
  if (days === Infinity) return 'infinity';
  if (days === -Infinity) return '-infinity';
  const d = formatDatePart(days);
  return lastWasBC() ? d + ' BC' : d;
}

/** `03:04:05[.ffffff]` (24:00:00 is a valid time). */
export function formatTime(us: number): string {
  return formatTimeOfDay(us);
}

// ---------------------------------------------------------------------------------------
// Input

const ERR_BAD = 1;
const ERR_FIELD = 2;
const ERR_MONTH = 3;

interface Fields {
  special: string;
  hasDate: boolean;
  year: number;
  month: number;
  day: number;
  hasTime: boolean;
  hour: number;
  minute: number;
  second: number;
  fsec: number;
  /** Offset (seconds east) given in the text, or NaN. */
  offset: number;
  /** Zone name given in the text, or ''. */
  zoneName: string;
  bc: boolean;
}

/** Abbreviations Postgres knows by default (a common subset), in seconds east of UTC. */
const ZONE_ABBREVIATIONS = new Map<string, number>([
  ['utc', 0], ['ut', 0], ['gmt', 0], ['z', 0], ['zulu', 0],
  ['est', -5 * 3600], ['edt', -4 * 3600], ['cst', -6 * 3600], ['cdt', -5 * 3600],
  ['mst', -7 * 3600], ['mdt', -6 * 3600], ['pst', -8 * 3600], ['pdt', -7 * 3600],
  ['akst', -9 * 3600], ['akdt', -8 * 3600], ['hst', -10 * 3600],
  ['ast', -4 * 3600], ['adt', -3 * 3600], ['nst', -12600], ['ndt', -9000],
  ['wet', 0], ['west', 3600], ['bst', 3600], ['cet', 3600], ['cest', 7200], ['met', 3600],
  ['mest', 7200], ['eet', 7200], ['eest', 10800], ['msk', 10800], ['ist', 7200],
  ['jst', 9 * 3600], ['kst', 9 * 3600], ['hkt', 8 * 3600], ['sgt', 8 * 3600], ['awst', 8 * 3600],
  ['acst', 34200], ['acdt', 37800], ['aest', 10 * 3600], ['aedt', 11 * 3600],
  ['nzst', 12 * 3600], ['nzdt', 13 * 3600],
]);

const SPECIALS = new Set(['epoch', 'infinity', '+infinity', '-infinity', 'now', 'today', 'tomorrow',
  'yesterday', 'allballs']);

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/**
 * Scans ISO-style date/time text: `[Y-M-D | YYYYMMDD][(T| )H:M[:S[.f]]][ zone][ BC|AD]`,
 * or a special word. Returns 0 or an error code; throws for an unknown zone.
 */
function scan(text: string, f: Fields, allowTimeOnly: boolean): number {
  let i = 0;
  let n = text.length;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  while (n > i && isSpace(text.charCodeAt(n - 1))) n--;
  if (i === n) return ERR_BAD;
  const c0 = text.charCodeAt(i);
  if (!isDigit(c0)) {
    const word = text.slice(i, n).toLowerCase();
    if (SPECIALS.has(word)) {
      f.special = word;
      return 0;
    }
    return ERR_BAD;
  }
  const readDigits = (): number => {
    const st = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    return i - st;
  };
  const num = (st: number, end: number): number => {
    let v = 0;
    for (let k = st; k < end; k++) v = v * 10 + (text.charCodeAt(k) - 48);
    return v;
  };
  // Date
  let st = i;
  let len = readDigits();
  let c = i < n ? text.charCodeAt(i) : 0;
  if (c === 45 || c === 47) {
    f.hasDate = true;
    f.year = num(st, i);
    const sep = c;
    i++;
    st = i;
    len = readDigits();
    if (len === 0 || len > 2 || i >= n || text.charCodeAt(i) !== sep) return ERR_BAD;
    f.month = num(st, i);
    i++;
    st = i;
    len = readDigits();
    if (len === 0 || len > 2) return ERR_BAD;
    f.day = num(st, i);
  } else if (c === 58) {
    if (!allowTimeOnly) return ERR_BAD;
    i = st;
  } else if (len === 8) {
    f.hasDate = true;
    f.year = num(st, st + 4);
    f.month = num(st + 4, st + 6);
    f.day = num(st + 6, st + 8);
  } else {
    return ERR_BAD;
  }
  // Separator and time
  c = i < n ? text.charCodeAt(i) : 0;
  if (f.hasDate) {
    if ((c === 84 || c === 116) && i + 1 < n && isDigit(text.charCodeAt(i + 1))) {
      i++;
    } else {
      while (i < n && isSpace(text.charCodeAt(i))) i++;
    }
  }
  if (i < n && isDigit(text.charCodeAt(i))) {
    f.hasTime = true;
    st = i;
    len = readDigits();
    if (len > 2 || i >= n || text.charCodeAt(i) !== 58) return ERR_BAD;
    f.hour = num(st, i);
    i++;
    st = i;
    len = readDigits();
    if (len === 0 || len > 2) return ERR_BAD;
    f.minute = num(st, i);
    if (i < n && text.charCodeAt(i) === 58) {
      i++;
      st = i;
      len = readDigits();
      if (len === 0 || len > 2) return ERR_BAD;
      f.second = num(st, i);
      if (i < n && text.charCodeAt(i) === 46) {
        i++;
        st = i;
        len = readDigits();
        if (len > 0) f.fsec = rint(Number('0.' + text.slice(st, i)) * 1e6);
      }
    }
  }
  // Zone
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  c = i < n ? text.charCodeAt(i) : 0;
  if ((c === 43 || c === 45) && (f.hasTime || f.hasDate)) {
    st = i;
    i++;
    while (i < n && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 58)) i++;
    const off = parseNumericOffset(text.slice(st, i), text);
    if (off === undefined) return ERR_BAD;
    f.offset = off;
    while (i < n && isSpace(text.charCodeAt(i))) i++;
  } else if (isAlpha(c)) {
    st = i;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (!(isAlpha(d) || isDigit(d) || d === 47 || d === 95 || d === 43 || d === 45)) break;
      i++;
    }
    const word = text.slice(st, i).toLowerCase();
    if (word === 'bc' || word === 'ad') {
      i = st;
    } else {
      const abbrev = ZONE_ABBREVIATIONS.get(word);
      if (abbrev !== undefined) {
        f.offset = abbrev;
      } else {
        f.zoneName = text.slice(st, i);
        if (!isValidTimeZone(f.zoneName)) {
          // Postgres reads a bare word as a keyword (bad syntax if unknown), a word
          // with a slash as a zone name.
          if (word.indexOf('/') < 0) return ERR_BAD;
          throw unknownZone(word);
        }
      }
      while (i < n && isSpace(text.charCodeAt(i))) i++;
    }
  }
  // Era
  if (i + 1 < n) {
    const era = text.slice(i, i + 2).toLowerCase();
    if ((era === 'bc' || era === 'ad') && (i + 2 === n || isSpace(text.charCodeAt(i + 2)))) {
      f.bc = era === 'bc';
      i += 2;
      while (i < n && isSpace(text.charCodeAt(i))) i++;
    }
  }
  if (i !== n) return ERR_BAD;
  return validate(f);
}

function validate(f: Fields): number {
  if (f.hasDate) {
    if (f.bc) {
      if (f.year === 0) return ERR_FIELD;
      f.year = 1 - f.year;
    } else if (f.year === 0) {
      return ERR_FIELD;
    }
    if (f.month < 1 || f.month > 12) return ERR_MONTH;
    if (f.day < 1 || f.day > daysInMonth(f.year, f.month)) return ERR_FIELD;
  }
  if (f.hasTime) {
    if (f.minute > 59 || f.second > 60 || f.fsec > USECS_PER_SEC || f.hour > 24
      || (f.hour === 24 && (f.minute > 0 || f.second > 0 || f.fsec > 0))) {
      return ERR_FIELD;
    }
  }
  return 0;
}

function newFields(): Fields {
  return {
    special: '', hasDate: false, year: 0, month: 0, day: 0, hasTime: false, hour: 0, minute: 0,
    second: 0, fsec: 0, offset: NaN, zoneName: '', bc: false,
  };
}

function raise(code: number, text: string, typeName: string): never {
  if (code === ERR_BAD) {
    throw new SabotError(SqlState.invalidDatetimeFormat, `invalid input syntax for type ${typeName}: "${text}"`);
  }
  throw new SabotError(SqlState.datetimeFieldOverflow, `date/time field value out of range: "${text}"`,
    code === ERR_MONTH ? { hint: 'Perhaps you need a different "datestyle" setting.' } : {});
}

export interface DateTimeInputOptions {
  /** Session TimeZone: how text without an offset is read as timestamptz, and what `now`/`today` mean. */
  timeZone?: string | TimeZone;
  /** The current instant (µs since 1970 UTC), for `now`, `today`, `tomorrow`, `yesterday`. */
  now?: number;
}

const nowMicros = (o?: DateTimeInputOptions): number => o?.now ?? Date.now() * 1000;

function timeOfFields(f: Fields): number {
  return f.hour * USECS_PER_HOUR + f.minute * USECS_PER_MINUTE + f.second * USECS_PER_SEC + f.fsec;
}

/** Wall-clock value of a special word (`now`, `today`, ...), or undefined for the others. */
function specialLocal(word: string, o: DateTimeInputOptions | undefined): number | undefined {
  const zone = o?.timeZone ?? UTC_ZONE;
  switch (word) {
    case 'now': return utcToLocal(nowMicros(o), zone);
    case 'today':
    case 'tomorrow':
    case 'yesterday': {
      const local = utcToLocal(nowMicros(o), zone);
      const day = floorDiv(local, USECS_PER_DAY) + (word === 'tomorrow' ? 1 : word === 'yesterday' ? -1 : 0);
      return day * USECS_PER_DAY;
    }
    default: return undefined;
  }
}

/**
 * timestamp input: `2024-01-02 03:04:05[.f]`, `2024-01-02T03:04:05`, a date alone
 * (midnight), `epoch`, `infinity`, `-infinity`, `now`, `today`, ... A zone in the text is
 * ignored, as Postgres does for timestamp without time zone.
 */
export function parseTimestamp(text: string, options?: DateTimeInputOptions): number {
  const f = newFields();
  const err = scan(text, f, false);
  if (err) raise(err, text, 'timestamp');
  if (f.special) {
    switch (f.special) {
      case 'epoch': return 0;
      case 'infinity':
      case '+infinity': return Infinity;
      case '-infinity': return -Infinity;
      case 'allballs': return raise(ERR_BAD, text, 'timestamp');
      default: return specialLocal(f.special, options)!;
    }
  }
  const us = daysFromCivil(f.year, f.month, f.day) * USECS_PER_DAY + timeOfFields(f);
  checkTimestamp(us, text);
  return us;
}

/**
 * timestamptz input: like parseTimestamp, with the zone in the text (`Z`, `+02`,
 * `-08:00`, `+0530`, `UTC`, `Europe/Paris`, `PST`) or else the session zone.
 */
export function parseTimestamptz(text: string, options?: DateTimeInputOptions): number {
  const f = newFields();
  const err = scan(text, f, false);
  if (err) raise(err, text, 'timestamp with time zone');
  const zone = options?.timeZone ?? UTC_ZONE;
  if (f.special) {
    switch (f.special) {
      case 'epoch': return 0;
      case 'infinity':
      case '+infinity': return Infinity;
      case '-infinity': return -Infinity;
      case 'now': return nowMicros(options);
      case 'allballs': return raise(ERR_BAD, text, 'timestamp with time zone');
      default: return localToUtc(specialLocal(f.special, options)!, zone);
    }
  }
  const local = daysFromCivil(f.year, f.month, f.day) * USECS_PER_DAY + timeOfFields(f);
  let us: number;
  if (f.offset === f.offset) us = local - f.offset * USECS_PER_SEC;
  else if (f.zoneName) us = localToUtc(local, f.zoneName);
  else us = localToUtc(local, zone);
  checkTimestamp(us, text);
  return us;
}

/** date input: `2024-01-02` (a time after it is ignored), `epoch`, `infinity`, `today`, ... */
export function parseDate(text: string, options?: DateTimeInputOptions): number {
  const f = newFields();
  const err = scan(text, f, false);
  if (err) raise(err, text, 'date');
  if (f.special) {
    switch (f.special) {
      case 'epoch': return 0;
      case 'infinity':
      case '+infinity': return Infinity;
      case '-infinity': return -Infinity;
      case 'allballs': return raise(ERR_BAD, text, 'date');
      default: return floorDiv(specialLocal(f.special, options)!, USECS_PER_DAY);
    }
  }
  const days = daysFromCivil(f.year, f.month, f.day);
  checkDate(days, text);
  return days;
}

/** time input: `03:04[:05[.f]]`, a timestamp (its time of day), `allballs`; zones ignored. */
export function parseTime(text: string, options?: DateTimeInputOptions): number {
  const f = newFields();
  const err = scan(text, f, true);
  if (err) raise(err, text, 'time');
  if (f.special) {
    if (f.special === 'allballs') return 0;
    if (f.special === 'now') return splitDay(specialLocal('now', options)!)[1];
    raise(ERR_BAD, text, 'time');
  }
  if (!f.hasTime) raise(ERR_BAD, text, 'time');
  const t = timeOfFields(f);
  if (t > USECS_PER_DAY) raise(ERR_FIELD, text, 'time');
  return t;
}

// ---------------------------------------------------------------------------------------
// Arithmetic

/** Adds months to a wall-clock time, clamping the day to the month's end. */
function addMonths(local: number, months: number): number {
  const [days, t] = splitDay(local);
  const c = toCivil(days);
  let y = c[0];
  let m = c[1] + months;
  let d = c[2];
  y += floorDiv(m - 1, 12);
  m = ((((m - 1) % 12) + 12) % 12) + 1;
  const dim = daysInMonth(y, m);
  if (d > dim) d = dim;
  return daysFromCivil(y, m, d) * USECS_PER_DAY + t;
}

/** timestamp + interval: months (clamped to the month's end), then days, then time. */
export function timestampAddInterval(ts: number, iv: Interval): number {
  if (!Number.isFinite(ts)) return ts;
  let r = ts;
  if (iv.months !== 0) r = addMonths(r, iv.months);
  r += iv.days * USECS_PER_DAY + iv.micros;
  checkTimestamp(r);
  return r;
}

export function timestampSubInterval(ts: number, iv: Interval): number {
  return timestampAddInterval(ts, new Interval(-iv.months, -iv.days, -iv.micros));
}

/**
 * timestamptz + interval: months and days move the wall clock in `zone` (so a day across
 * a DST change is 23 or 25 hours), then the time part is added to the instant.
 */
export function timestamptzAddInterval(tstz: number, iv: Interval, zone: string | TimeZone): number {
  if (!Number.isFinite(tstz)) return tstz;
  let r = tstz;
  if (iv.months !== 0 || iv.days !== 0) {
    const z = resolveTimeZone(zone);
    if (iv.months !== 0) r = localToUtc(addMonths(utcToLocal(r, z), iv.months), z);
    if (iv.days !== 0) r = localToUtc(utcToLocal(r, z) + iv.days * USECS_PER_DAY, z);
  }
  r += iv.micros;
  checkTimestamp(r);
  return r;
}

export function timestamptzSubInterval(tstz: number, iv: Interval, zone: string | TimeZone): number {
  return timestamptzAddInterval(tstz, new Interval(-iv.months, -iv.days, -iv.micros), zone);
}

/** timestamp - timestamp (either kind): days and time, never months (justify_hours). */
export function timestampDiff(a: number, b: number): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new SabotError(SqlState.datetimeFieldOverflow, 'cannot subtract infinite timestamps');
  }
  const diff = a - b;
  const days = Math.trunc(diff / USECS_PER_DAY);
  return Interval.checked(0, days || 0, diff - days * USECS_PER_DAY || 0);
}

/** date + integer. */
export function dateAddDays(d: number, n: number): number {
  if (!Number.isFinite(d)) return d;
  const r = d + n;
  checkDate(r);
  return r;
}

/** date - date, in days. */
export function dateDiff(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new SabotError(SqlState.datetimeFieldOverflow, 'cannot subtract infinite dates');
  }
  return a - b;
}

/** date + interval → timestamp. */
export function dateAddInterval(d: number, iv: Interval): number {
  return timestampAddInterval(dateToTimestamp(d), iv);
}

/** time + interval: the time part only, wrapping around midnight. */
export function timeAddInterval(t: number, iv: Interval): number {
  let r = (t + iv.micros) % USECS_PER_DAY;
  if (r < 0) r += USECS_PER_DAY;
  return r;
}

/** time - time → interval. */
export function timeDiff(a: number, b: number): Interval {
  return new Interval(0, 0, a - b);
}

// ---------------------------------------------------------------------------------------
// date_trunc and extract

const enum Unit {
  Microseconds, Milliseconds, Second, Minute, Hour, Day, Week, Month, Quarter, Year, Decade,
  Century, Millennium, Epoch, Dow, Isodow, Doy, Isoyear, Julian, Timezone, TimezoneHour,
  TimezoneMinute, Unknown,
}

/** Unit words of date_trunc and extract (looked up by their first 10 characters). */
const UNIT_WORDS = new Map<string, Unit>([
  ['microsecon', Unit.Microseconds], ['us', Unit.Microseconds], ['usec', Unit.Microseconds],
  ['usecond', Unit.Microseconds], ['useconds', Unit.Microseconds], ['usecs', Unit.Microseconds],
  ['millisecon', Unit.Milliseconds], ['ms', Unit.Milliseconds], ['msec', Unit.Milliseconds],
  ['msecond', Unit.Milliseconds], ['mseconds', Unit.Milliseconds], ['msecs', Unit.Milliseconds],
  ['second', Unit.Second], ['seconds', Unit.Second], ['s', Unit.Second], ['sec', Unit.Second],
  ['secs', Unit.Second],
  ['minute', Unit.Minute], ['minutes', Unit.Minute], ['m', Unit.Minute], ['min', Unit.Minute],
  ['mins', Unit.Minute],
  ['hour', Unit.Hour], ['hours', Unit.Hour], ['h', Unit.Hour], ['hr', Unit.Hour], ['hrs', Unit.Hour],
  ['day', Unit.Day], ['days', Unit.Day], ['d', Unit.Day],
  ['week', Unit.Week], ['weeks', Unit.Week], ['w', Unit.Week],
  ['month', Unit.Month], ['months', Unit.Month], ['mon', Unit.Month], ['mons', Unit.Month],
  ['quarter', Unit.Quarter], ['qtr', Unit.Quarter],
  ['year', Unit.Year], ['years', Unit.Year], ['y', Unit.Year], ['yr', Unit.Year], ['yrs', Unit.Year],
  ['decade', Unit.Decade], ['decades', Unit.Decade], ['dec', Unit.Decade], ['decs', Unit.Decade],
  ['century', Unit.Century], ['centuries', Unit.Century], ['c', Unit.Century], ['cent', Unit.Century],
  ['millennium', Unit.Millennium], ['millennia', Unit.Millennium], ['mil', Unit.Millennium],
  ['mils', Unit.Millennium],
  ['epoch', Unit.Epoch], ['dow', Unit.Dow], ['isodow', Unit.Isodow], ['doy', Unit.Doy],
  ['isoyear', Unit.Isoyear], ['julian', Unit.Julian], ['j', Unit.Julian], ['jd', Unit.Julian],
  ['timezone', Unit.Timezone], ['timezone_h', Unit.TimezoneHour], ['timezone_m', Unit.TimezoneMinute],
]);

function lookupUnit(unit: string): Unit {
  const w = unit.toLowerCase();
  return UNIT_WORDS.get(w.length > 10 ? w.slice(0, 10) : w) ?? Unit.Unknown;
}

/** Units of date_trunc: extract's special fields (epoch, dow, ...) are unknown words there. */
function truncUnit(unit: string): Unit {
  const u = lookupUnit(unit);
  switch (u) {
    case Unit.Epoch:
    case Unit.Dow:
    case Unit.Isodow:
    case Unit.Doy:
    case Unit.Isoyear:
    case Unit.Julian:
      return Unit.Unknown;
    default:
      return u;
  }
}

function unitNotRecognized(unit: string, kind: DateTimeKind | 'interval'): SabotError {
  return new SabotError(SqlState.invalidParameterValue,
    `unit "${unit.toLowerCase()}" not recognized for type ${TYPE_NAMES[kind]}`);
}

function unitNotSupported(unit: string, kind: DateTimeKind | 'interval'): SabotError {
  return new SabotError(SqlState.featureNotSupported,
    `unit "${unit.toLowerCase()}" not supported for type ${TYPE_NAMES[kind]}`);
}

/** Truncates a wall-clock time to a unit; returns [result, whether the unit is >= day]. */
function truncLocal(local: number, u: Unit, unit: string, kind: DateTimeKind): number {
  const [days, t] = splitDay(local);
  switch (u) {
    case Unit.Microseconds: return local;
    case Unit.Milliseconds: return days * USECS_PER_DAY + Math.floor(t / 1000) * 1000;
    case Unit.Second: return days * USECS_PER_DAY + Math.floor(t / USECS_PER_SEC) * USECS_PER_SEC;
    case Unit.Minute: return days * USECS_PER_DAY + Math.floor(t / USECS_PER_MINUTE) * USECS_PER_MINUTE;
    case Unit.Hour: return days * USECS_PER_DAY + Math.floor(t / USECS_PER_HOUR) * USECS_PER_HOUR;
    case Unit.Day: return days * USECS_PER_DAY;
    case Unit.Week: return (days - ((dayOfWeek(days) + 6) % 7)) * USECS_PER_DAY;
    default: break;
  }
  const c = toCivil(days);
  let y = c[0];
  let m = c[1];
  switch (u) {
    case Unit.Month: break;
    case Unit.Quarter: m = 3 * Math.floor((m - 1) / 3) + 1; break;
    case Unit.Year: m = 1; break;
    case Unit.Decade:
      y = y > 0 ? Math.trunc(y / 10) * 10 : -Math.trunc((8 - (y - 1)) / 10) * 10;
      m = 1;
      break;
    case Unit.Century:
      y = y > 0 ? Math.trunc((y + 99) / 100) * 100 - 99 : -Math.trunc((99 - (y - 1)) / 100) * 100 + 1;
      m = 1;
      break;
    case Unit.Millennium:
      y = y > 0 ? Math.trunc((y + 999) / 1000) * 1000 - 999 : -Math.trunc((999 - (y - 1)) / 1000) * 1000 + 1;
      m = 1;
      break;
    case Unit.Unknown: throw unitNotRecognized(unit, kind);
    default: throw unitNotSupported(unit, kind);
  }
  return daysFromCivil(y, m, 1) * USECS_PER_DAY;
}

/**
 * date_trunc(unit, ts): without a zone, ts is a timestamp; with one, a timestamptz
 * truncated in that zone (units of a day or more land on local midnight; smaller
 * units keep the original offset, as Postgres does).
 */
export function dateTrunc(unit: string, ts: number, zone?: string | TimeZone): number {
  const u = truncUnit(unit);
  const kind: DateTimeKind = zone === undefined ? 'timestamp' : 'timestamptz';
  if (!Number.isFinite(ts)) {
    if (u === Unit.Unknown) throw unitNotRecognized(unit, kind);
    return ts;
  }
  if (zone === undefined) return truncLocal(ts, u, unit, kind);
  const z = resolveTimeZone(zone);
  const off = z.offsetAt(ts) * USECS_PER_SEC;
  const local = truncLocal(ts + off, u, unit, kind);
  if (u >= Unit.Day) return localToUtc(local, z);
  return local - off;
}

/** date_trunc(unit, interval). */
export function dateTruncInterval(unit: string, iv: Interval): Interval {
  const u = truncUnit(unit);
  let { months, days, micros } = iv;
  switch (u) {
    case Unit.Millennium: months = Math.trunc(months / 12000) * 12000; days = 0; micros = 0; break;
    case Unit.Century: months = Math.trunc(months / 1200) * 1200; days = 0; micros = 0; break;
    case Unit.Decade: months = Math.trunc(months / 120) * 120; days = 0; micros = 0; break;
    case Unit.Year: months = Math.trunc(months / 12) * 12; days = 0; micros = 0; break;
    case Unit.Quarter: months = Math.trunc(months / 12) * 12 + Math.trunc((months % 12) / 3) * 3; days = 0; micros = 0; break;
    case Unit.Month: days = 0; micros = 0; break;
    case Unit.Day: micros = 0; break;
    case Unit.Hour: micros = Math.trunc(micros / USECS_PER_HOUR) * USECS_PER_HOUR; break;
    case Unit.Minute: micros = Math.trunc(micros / USECS_PER_MINUTE) * USECS_PER_MINUTE; break;
    case Unit.Second: micros = Math.trunc(micros / USECS_PER_SEC) * USECS_PER_SEC; break;
    case Unit.Milliseconds: micros = Math.trunc(micros / 1000) * 1000; break;
    case Unit.Microseconds: break;
    case Unit.Unknown: throw unitNotRecognized(unit, 'interval');
    default: throw unitNotSupported(unit, 'interval');
  }
  return new Interval(months || 0, days || 0, micros || 0);
}

/** Fields of a calendar date for extract (year may be <= 0 for BC). */
function extractDateField(u: Unit, days: number): number | undefined {
  const c = toCivil(days);
  const y = c[0];
  switch (u) {
    case Unit.Day: return c[2];
    case Unit.Month: return c[1];
    case Unit.Quarter: return Math.floor((c[1] - 1) / 3) + 1;
    case Unit.Year: return y > 0 ? y : y - 1;
    case Unit.Decade: return y >= 0 ? Math.trunc(y / 10) : -Math.trunc((8 - (y - 1)) / 10);
    case Unit.Century: return y > 0 ? Math.trunc((y + 99) / 100) : -Math.trunc((99 - (y - 1)) / 100);
    case Unit.Millennium: return y > 0 ? Math.trunc((y + 999) / 1000) : -Math.trunc((999 - (y - 1)) / 1000);
    case Unit.Week: return isoWeek(days)[0];
    case Unit.Isoyear: {
      const iy = isoWeek(days)[1];
      return iy > 0 ? iy : iy - 1;
    }
    case Unit.Dow: return dayOfWeek(days);
    case Unit.Isodow: return dayOfWeek(days) || 7;
    case Unit.Doy: {
      const yy = toCivil(days)[0];
      return days - daysFromCivil(yy, 1, 1) + 1;
    }
    default: return undefined;
  }
}

function extractTimeField(u: Unit, t: number): number | undefined {
  switch (u) {
    case Unit.Microseconds: return t % USECS_PER_MINUTE;
    case Unit.Milliseconds: return (t % USECS_PER_MINUTE) / 1000;
    case Unit.Second: return (t % USECS_PER_MINUTE) / USECS_PER_SEC;
    case Unit.Minute: return Math.floor(t / USECS_PER_MINUTE) % 60;
    case Unit.Hour: return Math.floor(t / USECS_PER_HOUR);
    default: return undefined;
  }
}

/** Fields whose value for ±infinity is ±Infinity (the others are NULL). */
function isMonotonic(u: Unit): boolean {
  return u === Unit.Year || u === Unit.Decade || u === Unit.Century || u === Unit.Millennium
    || u === Unit.Epoch || u === Unit.Julian || u === Unit.Isoyear;
}

/**
 * extract(field FROM value) as a number; null where Postgres returns NULL (most fields
 * of infinite timestamps). `zone` is the session TimeZone, used for timestamptz.
 */
export function extract(field: string, kind: DateTimeKind | 'interval', value: number | Interval,
  zone?: string | TimeZone): number | null {
  const u = lookupUnit(field);
  if (u === Unit.Unknown) throw unitNotRecognized(field, kind);
  if (kind === 'interval') return extractInterval(u, field, value as Interval);
  const v = value as number;
  switch (kind) {
    case 'time': {
      if (u === Unit.Epoch) return v / USECS_PER_SEC;
      const r = extractTimeField(u, v);
      if (r === undefined) throw unitNotSupported(field, kind);
      return r;
    }
    case 'date': {
      if (!Number.isFinite(v)) {
        if (isMonotonic(u)) return v;
        if (extractDateField(u, 0) === undefined && u !== Unit.Epoch && u !== Unit.Julian) {
          throw unitNotSupported(field, kind);
        }
        return null;
      }
      if (u === Unit.Epoch) return v * 86400;
      if (u === Unit.Julian) return v + 2440588;
      const r = extractDateField(u, v);
      if (r === undefined) throw unitNotSupported(field, kind);
      return r;
    }
    default: {
      const tz = kind === 'timestamptz';
      if (!Number.isFinite(v)) {
        if (isMonotonic(u)) return v;
        return null;
      }
      let local = v;
      let off = 0;
      if (tz) {
        off = resolveTimeZone(zone ?? UTC_ZONE).offsetAt(v);
        local = v + off * USECS_PER_SEC;
      }
      switch (u) {
        case Unit.Epoch: return v / USECS_PER_SEC;
        case Unit.Timezone:
          if (!tz) throw unitNotSupported(field, kind);
          return off;
        case Unit.TimezoneHour:
          if (!tz) throw unitNotSupported(field, kind);
          return Math.trunc(off / 3600);
        case Unit.TimezoneMinute:
          if (!tz) throw unitNotSupported(field, kind);
          return Math.trunc((off % 3600) / 60);
        default: break;
      }
      const [days, t] = splitDay(local);
      if (u === Unit.Julian) return days + 2440588 + t / USECS_PER_DAY;
      const r = extractTimeField(u, t) ?? extractDateField(u, days);
      if (r === undefined) throw unitNotSupported(field, kind);
      return r;
    }
  }
}

function extractInterval(u: Unit, field: string, iv: Interval): number {
  const year = Math.trunc(iv.months / 12);
  const mon = iv.months % 12;
  const t = iv.micros;
  const hour = Math.trunc(t / USECS_PER_HOUR);
  const min = Math.trunc((t - hour * USECS_PER_HOUR) / USECS_PER_MINUTE);
  const secMicros = t - hour * USECS_PER_HOUR - min * USECS_PER_MINUTE;
  let r: number;
  switch (u) {
    case Unit.Microseconds: r = secMicros; break;
    case Unit.Milliseconds: r = secMicros / 1000; break;
    case Unit.Second: r = secMicros / USECS_PER_SEC; break;
    case Unit.Minute: r = min; break;
    case Unit.Hour: r = hour; break;
    case Unit.Day: r = iv.days; break;
    case Unit.Month: r = mon; break;
    case Unit.Quarter: r = Math.trunc(mon / 3) + 1; break;
    case Unit.Year: r = year; break;
    case Unit.Decade: r = Math.trunc(year / 10); break;
    case Unit.Century: r = Math.trunc(year / 100); break;
    case Unit.Millennium: r = Math.trunc(year / 1000); break;
    case Unit.Epoch: r = iv.epochSeconds(); break;
    default: throw unitNotSupported(field, 'interval');
  }
  return r || 0;
}
