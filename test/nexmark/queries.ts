/**
 * Nexmark q0-q8: each as Sabot SQL (the body of CREATE DATAFLOW over the streams person,
 * auction and bid) and as its batch equivalent in PostgreSQL over tables of the same
 * events, where windows are computed arithmetically: a tumbling window starts at
 * date_bin(size, date_time), and a row falls in the hopping windows that start at the
 * slides from date_bin(slide, date_time) - (size - slide) to date_bin(slide, date_time).
 *
 * q3, q5, q7 and q8 follow the RisingWave / Arroyo forms of the benchmark.
 * q6 (average price of a seller's last 10 closed auctions) has no standard streaming form
 * (Flink and RisingWave leave it out: their window over an updating join does not
 * stream); here it is a top-n of each seller's auctions by closing time, averaged, which
 * both engines can express: in Sabot an updating top-n and an average over it.
 * In q4 and q6 an auction's highest bid is grouped by its expiry too (the same groups:
 * an auction has one expiry): the join's `BETWEEN a.date_time AND a.expires` bounds the
 * bids, so Sabot closes each auction once the watermark is past its expiry.
 */

export interface NexmarkQuery {
  name: string;
  /** What the query computes, in a line. */
  title: string;
  sabot: string;
  postgres: string;
  /**
   * A small summary of the result, `q` standing for it: what the .slt files compare
   * (PostgreSQL runs it over its own result, Sabot over the kept result).
   */
  summary: string;
}

/** PostgreSQL: the 10 s tumbling window of date_time. */
const tumbleStart = "date_bin(interval '10 seconds', date_time, timestamp '1970-01-01')";

/** PostgreSQL: `alias`(window_start, window_end) for each 10 s window sliding by 2 s that a row's date_time falls in. */
function hopWindows(alias: string): string {
  const last = "date_bin(interval '2 seconds', date_time, timestamp '1970-01-01')";
  return `CROSS JOIN LATERAL (SELECT s AS window_start, s + interval '10 seconds' AS window_end
      FROM generate_series(${last} - interval '8 seconds', ${last}, interval '2 seconds') AS s) AS ${alias}`;
}

/** PostgreSQL: the auctions with the highest bid made while each was open (q4, q6). */
const closedAuctions = `SELECT a.id, a.seller, a.category, a.expires, max(b.price) AS final
    FROM auction AS a JOIN bid AS b ON a.id = b.auction AND b.date_time BETWEEN a.date_time AND a.expires
    GROUP BY a.id, a.seller, a.category, a.expires`;

export const nexmarkQueries: NexmarkQuery[] = [
  {
    name: 'q0',
    title: 'pass-through',
    sabot: 'SELECT auction, bidder, price, date_time FROM bid',
    postgres: 'SELECT auction, bidder, price, date_time FROM bid',
    summary: 'SELECT count(*), sum(auction), sum(bidder), sum(price), min(date_time), max(date_time) FROM q',
  },
  {
    name: 'q1',
    title: 'currency conversion',
    sabot: 'SELECT auction, bidder, price * 908 / 1000 AS price, date_time FROM bid',
    postgres: 'SELECT auction, bidder, price * 908 / 1000 AS price, date_time FROM bid',
    summary: 'SELECT count(*), sum(price), min(price), max(price) FROM q',
  },
  {
    name: 'q2',
    title: 'selection',
    sabot: 'SELECT auction, price FROM bid WHERE auction % 123 = 0',
    postgres: 'SELECT auction, price FROM bid WHERE auction % 123 = 0',
    summary: 'SELECT count(*), count(DISTINCT auction), sum(price) FROM q',
  },
  {
    name: 'q3',
    title: 'local item suggestion: a regular join',
    sabot: `SELECT p.name, p.city, p.state, a.id
  FROM auction AS a JOIN person AS p ON a.seller = p.id
  WHERE a.category = 10 AND (p.state = 'OR' OR p.state = 'ID' OR p.state = 'CA')`,
    postgres: `SELECT p.name, p.city, p.state, a.id
  FROM auction AS a JOIN person AS p ON a.seller = p.id
  WHERE a.category = 10 AND (p.state = 'OR' OR p.state = 'ID' OR p.state = 'CA')`,
    summary: 'SELECT count(*), count(DISTINCT name), sum(id), min(state), max(state) FROM q',
  },
  {
    name: 'q4',
    title: 'average closing price per category: each auction closes at its expiry (a.expires, which bounds its bids), then an updating average',
    sabot: `SELECT c.category, avg(c.final) AS avg_final
  FROM (
    SELECT a.id, a.category, max(b.price) AS final
    FROM auction AS a JOIN bid AS b ON a.id = b.auction AND b.date_time BETWEEN a.date_time AND a.expires
    GROUP BY a.id, a.category, a.expires
  ) AS c
  GROUP BY c.category`,
    postgres: `SELECT c.category, avg(c.final) AS avg_final FROM (${closedAuctions}) AS c GROUP BY c.category`,
    summary: 'SELECT count(*), sum(category), min(avg_final), max(avg_final) FROM q',
  },
  {
    name: 'q5',
    title: 'hot items: the auctions with the most bids per 10 s window sliding by 2 s',
    sabot: `SELECT b.auction, b.num, b.window_start, b.window_end
  FROM (
    SELECT auction, count(*) AS num, window_start, window_end
    FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
    GROUP BY window_start, window_end, auction
  ) AS b
  JOIN (
    SELECT max(c.num) AS maxn, c.window_start, c.window_end
    FROM (
      SELECT count(*) AS num, window_start, window_end
      FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
      GROUP BY window_start, window_end, auction
    ) AS c
    GROUP BY c.window_start, c.window_end
  ) AS m
  ON b.window_start = m.window_start AND b.window_end = m.window_end AND b.num >= m.maxn`,
    postgres: `WITH counts AS (
    SELECT auction, count(*) AS num, w.window_start, w.window_end
    FROM bid ${hopWindows('w')}
    GROUP BY w.window_start, w.window_end, auction
  )
  SELECT b.auction, b.num, b.window_start, b.window_end
  FROM counts AS b
  JOIN (SELECT max(num) AS maxn, window_start, window_end FROM counts GROUP BY window_start, window_end) AS m
  ON b.window_start = m.window_start AND b.window_end = m.window_end AND b.num >= m.maxn`,
    summary: 'SELECT count(*), count(DISTINCT window_start), sum(auction), sum(num), min(window_start), max(window_end) FROM q',
  },
  {
    name: 'q6',
    title: "average selling price per seller over the seller's last 10 closed auctions",
    sabot: `SELECT t.seller, avg(t.final) AS avg_final
  FROM (
    SELECT seller, final, ROW_NUMBER() OVER (PARTITION BY seller ORDER BY expires DESC, id DESC) AS rn
    FROM (
      SELECT a.id, a.seller, a.expires, max(b.price) AS final
      FROM auction AS a JOIN bid AS b ON a.id = b.auction AND b.date_time BETWEEN a.date_time AND a.expires
      GROUP BY a.id, a.seller, a.expires
    ) AS c
  ) AS t
  WHERE t.rn <= 10
  GROUP BY t.seller`,
    postgres: `SELECT t.seller, avg(t.final) AS avg_final
  FROM (
    SELECT seller, final, ROW_NUMBER() OVER (PARTITION BY seller ORDER BY expires DESC, id DESC) AS rn
    FROM (${closedAuctions}) AS c
  ) AS t
  WHERE t.rn <= 10
  GROUP BY t.seller`,
    summary: 'SELECT count(*), sum(seller), min(avg_final), max(avg_final) FROM q',
  },
  {
    name: 'q7',
    title: 'highest bid per 10 s tumbling window, joined back to the bids',
    sabot: `SELECT b.auction, b.price, b.bidder, b.date_time
  FROM bid AS b
  JOIN (
    SELECT max(price) AS maxprice, window_end AS date_time
    FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND)
    GROUP BY window_start, window_end
  ) AS m
  ON b.price = m.maxprice AND b.date_time BETWEEN m.date_time - INTERVAL '10' SECOND AND m.date_time`,
    postgres: `SELECT b.auction, b.price, b.bidder, b.date_time
  FROM bid AS b
  JOIN (
    SELECT max(price) AS maxprice, ${tumbleStart} + interval '10 seconds' AS date_time
    FROM bid
    GROUP BY ${tumbleStart}
  ) AS m
  ON b.price = m.maxprice AND b.date_time BETWEEN m.date_time - interval '10 seconds' AND m.date_time`,
    summary: 'SELECT count(*), sum(auction), sum(price), sum(bidder), min(date_time), max(date_time) FROM q',
  },
  {
    name: 'q8',
    title: 'new users who opened an auction in the same 10 s tumbling window: a window join',
    sabot: `SELECT p.id, p.name, p.window_start AS starttime
  FROM (
    SELECT id, name, window_start, window_end
    FROM TUMBLE(person, date_time, INTERVAL '10' SECOND)
    GROUP BY id, name, window_start, window_end
  ) AS p
  JOIN (
    SELECT seller, window_start, window_end
    FROM TUMBLE(auction, date_time, INTERVAL '10' SECOND)
    GROUP BY seller, window_start, window_end
  ) AS a
  ON p.id = a.seller AND p.window_start = a.window_start AND p.window_end = a.window_end`,
    postgres: `SELECT p.id, p.name, p.window_start AS starttime
  FROM (SELECT DISTINCT id, name, ${tumbleStart} AS window_start FROM person) AS p
  JOIN (SELECT DISTINCT seller, ${tumbleStart} AS window_start FROM auction) AS a
  ON p.id = a.seller AND p.window_start = a.window_start`,
    summary: 'SELECT count(*), sum(id), count(DISTINCT starttime), min(starttime), max(starttime) FROM q',
  },
];

/** CREATE STREAM statements for the three Nexmark streams of one bounded run (the same event sequence). */
export function createStreams(run: NexmarkRun): string[] {
  return (['person', 'auction', 'bid'] as const).map((kind) =>
    `CREATE STREAM ${kind} WITH (connector = 'nexmark', kind = '${kind}', events = ${run.events}, seed = ${run.seed}, event_rate = ${run.eventRate})`);
}

export interface NexmarkRun {
  events: number;
  seed: number;
  /** Events per second of event time: at 1,000, 100,000 events span 100 s, ten 10 s windows. */
  eventRate: number;
}

/** The reference test's run. */
export const referenceRun: NexmarkRun = { events: 100_000, seed: 1, eventRate: 1000 };
/** The .slt files' run: smaller, so they stay quick. */
export const sltRun: NexmarkRun = { events: 20_000, seed: 1, eventRate: 500 };
