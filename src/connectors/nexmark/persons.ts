/**
 * Person events into Arrow columns. Per person, as the reference model:
 * - id: 1000 + the person's number (the first event of each block of 50).
 * - name: "<first> <last>" from the reference's 11 first and 9 last names.
 * - email_address: <3-6 random chars>@<3-4 random chars>.com (each part trimmed of spaces).
 * - credit_card: four groups of 4 random digits separated by spaces.
 * - city, state: one of the reference's 10 US cities, 6 states (independently).
 * - extra: random characters bringing the person to ~200 bytes, +-20%.
 */
import { Arena, Int64Column, Utf8Writer, setInt64 } from './columns.js';
import type { GeneratorContext, Generated } from './context.js';
import { AVG_PERSON_BYTES, FIRST_PERSON_ID, PROPORTION_DENOMINATOR, eventTime } from './model.js';
import { STEP, below, draw, eventKey } from './random.js';
import { appendRandomString, extraLength, maxExtraLength } from './text.js';

const CREDIT_CARD_BYTES = 19;
const EMAIL_MAX_BYTES = 6 + 1 + 4 + 4;
/** The reference counts the id as 8 bytes. */
const ID_BYTES = 8;

/** Generates `rows` persons starting at event `start` (a person event). */
export function generatePersons(ctx: GeneratorContext, start: number, rows: number): Generated {
  const { names, cities, states, pool, poolView } = ctx.text;
  const maxExtra = maxExtraLength(ID_BYTES + CREDIT_CARD_BYTES, AVG_PERSON_BYTES);
  const arena = new Arena(Arena.size([
    Int64Column.bytes(rows), Int64Column.bytes(rows),
    ...Utf8Writer.bytes(rows, names.maxLength), ...Utf8Writer.bytes(rows, EMAIL_MAX_BYTES),
    ...Utf8Writer.bytes(rows, CREDIT_CARD_BYTES), ...Utf8Writer.bytes(rows, cities.maxLength),
    ...Utf8Writer.bytes(rows, states.maxLength), ...Utf8Writer.bytes(rows, maxExtra),
  ]));
  const idCol = new Int64Column(arena, rows);
  const nameCol = new Utf8Writer(arena, rows, names.maxLength);
  const emailCol = new Utf8Writer(arena, rows, EMAIL_MAX_BYTES);
  const cardCol = new Utf8Writer(arena, rows, CREDIT_CARD_BYTES);
  const cityCol = new Utf8Writer(arena, rows, cities.maxLength);
  const stateCol = new Utf8Writer(arena, rows, states.maxLength);
  const timeCol = new Int64Column(arena, rows);
  const extraCol = new Utf8Writer(arena, rows, maxExtra);
  const { key, firstEventTime, eventsPerSecond } = ctx;

  let n = start;
  let t = 0;
  for (let j = 0; j < rows; j++) {
    const person = n / PROPORTION_DENOMINATOR; // persons are the first event of each block
    t = eventTime(firstEventTime, eventsPerSecond, n);
    let a = eventKey(key, n);

    a = (a + STEP) | 0;
    const name = below(draw(a), names.size);
    nameCol.copy(names.view, names.start[name]!, names.length[name]!);
    nameCol.end(j);

    const emailStart = emailCol.pos;
    a = (a + STEP) | 0;
    appendRandomString(emailCol, a, 7, pool, poolView);
    a = (a + 2 * STEP) | 0;
    emailCol.byte(0x40); // @
    appendRandomString(emailCol, a, 5, pool, poolView);
    a = (a + 2 * STEP) | 0;
    emailCol.byte(0x2e); emailCol.byte(0x63); emailCol.byte(0x6f); emailCol.byte(0x6d); // .com
    emailCol.end(j);
    const emailLength = emailCol.pos - emailStart;

    for (let g = 0; g < 4; g++) {
      if (g > 0) cardCol.byte(0x20);
      a = (a + STEP) | 0;
      cardCol.digits(below(draw(a), 10_000), 4);
    }
    cardCol.end(j);

    a = (a + STEP) | 0;
    const city = below(draw(a), cities.size);
    cityCol.copy(cities.view, cities.start[city]!, cities.length[city]!);
    cityCol.end(j);
    a = (a + STEP) | 0;
    const state = below(draw(a), states.size);
    stateCol.copy(states.view, states.start[state]!, states.length[state]!);
    stateCol.end(j);

    const current = ID_BYTES + names.length[name]! + emailLength + CREDIT_CARD_BYTES + cities.length[city]! + states.length[state]!;
    a = (a + STEP) | 0;
    const extra = extraLength(current, AVG_PERSON_BYTES, draw(a));
    a = (a + STEP) | 0;
    extraCol.copy(poolView, draw(a) >>> 12, extra);
    extraCol.end(j);

    setInt64(idCol.words, j, person + FIRST_PERSON_ID);
    setInt64(timeCol.words, j, t);
    n += PROPORTION_DENOMINATOR;
  }
  const { int64, timestamp, utf8 } = ctx.types;
  return {
    columns: [idCol.data(int64), nameCol.data(utf8), emailCol.data(utf8), cardCol.data(utf8), cityCol.data(utf8),
      stateCol.data(utf8), timeCol.data(timestamp), extraCol.data(utf8)],
    next: n,
    lastTime: t,
  };
}
