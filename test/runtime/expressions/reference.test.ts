/**
 * Property tests: for many expressions over random batches (seeded) with NULLs, edge
 * values and sliced batches, the compiled kernels give exactly what the row-at-a-time
 * reference evaluator (src/plan/evaluate.ts) gives, errors included.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression } from '../../../src/runtime/expressions/index.js';
import { bind, checkAgainstReference, checkFilterAndProjection, col, ctx, makeBatch, randomRows, Rng, T } from './support.js';

const columns = [
  col('i2', T.int2), col('i4', T.int4), col('i8', T.int8), col('f4', T.float4), col('f8', T.float8),
  col('b', T.bool), col('t', T.text), col('n', T.numeric), col('ts', T.timestamp), col('tz', T.timestamptz),
  col('d', T.date), col('iv', T.interval), col('j', T.jsonb), col('by', T.bytea), col('v', T.varchar),
  col('h2', T.int2), col('h4', T.int4), col('h8', T.int8), col('g4', T.float4), col('g8', T.float8),
  col('c', T.bool), col('u', T.text), col('ts2', T.timestamp), col('tm', T.time),
  // Never NULL: the no-validity paths.
  col('k4', T.int4, false), col('k8', T.int8, false), col('kf', T.float8, false), col('kb', T.bool, false),
  col('kt', T.text, false), col('kc', T.bool, false),
];

/** Expressions and whether they should take the typed-array path all the way. */
const EXPRESSIONS: [string, boolean][] = [
  // arithmetic, every numeric type, column and constant operands
  ['i2 + h2', true], ['i2 - h2', true], ['i2 * h2', true], ['i2 / h2', true], ['i2 % h2', true], ['-i2', true],
  ['i4 + h4', true], ['i4 - h4', true], ['i4 * h4', true], ['i4 / h4', true], ['i4 % h4', true], ['mod(i4, h4)', true],
  ['-i4', true], ['abs(i4)', true], ['i4 + 1', true], ['1 - i4', true], ['i4 * 2', true], ['i4 / 0', true], ['100 / i4', true],
  ['i8 + h8', true], ['i8 - h8', true], ['i8 * h8', true], ['i8 / h8', true], ['i8 % h8', true], ['-i8', true], ['abs(i8)', true],
  ['i8 + 1', true], ['i8 * 3037000500', true], ['9223372036854775807 - i8', true], ['i8 / -1', true], ['i8 % 0', true],
  ['f4 + g4', true], ['f4 - g4', true], ['f4 * g4', true], ['f4 / g4', true], ['-f4', true], ['abs(f4)', true],
  ['f8 + g8', true], ['f8 - g8', true], ['f8 * g8', true], ['f8 / g8', true], ['-f8', true], ['f8 * 1e300', true],
  ['f8 / 0', true], ['f8 ^ 2', true], ['k4 + k8', true], ['k4 * 2 + k8', true], ['kf * k4', true],
  ['i2 + i4', true], ['i4 + i8', true], ['i2 * f8', true], ['i8 + f4', true], ['n + n', false], ['n * i4', false], ['n / n', false],
  ['i4 + n', false], ['f8 + n', false],
  // comparisons, every type
  ['i2 < h2', true], ['i4 = h4', true], ['i4 <> h4', true], ['i4 <= 10', true], ['i4 > -5', true], ['10 >= i4', true],
  ['i8 < h8', true], ['i8 = h8', true], ['i8 >= 0', true], ['i8 > 3037000500', true], ['0 > i8', true],
  ['f4 < g4', true], ['f4 = g4', true], ['f8 < g8', true], ['f8 <= g8', true], ['f8 > g8', true], ['f8 >= g8', true],
  ['f8 = g8', true], ['f8 <> g8', true], ['f8 < 0.5', true], ['f8 = \'NaN\'', true], ['f8 > \'NaN\'::float8', true],
  ['f8 <= \'Infinity\'', true], ['i4 < f8', true], ['i8 = f4', true],
  ['b = c', true], ['b < c', true], ['b <> true', true], ['kb >= kc', true],
  ['t = u', true], ['t <> u', true], ['t < u', true], ['t <= u', true], ['t > u', true], ['t >= u', true],
  ['t = \'abc\'', true], ['t < \'abc\'', true], ['\'abc\' < t', true], ['t > \'\uE000\'', true], ['t < \'😀\'', true],
  ['v = t', true], ['v < \'b\'', true], ['kt >= t', true],
  ['ts < ts2', true], ['ts = ts2', true], ['ts > \'2000-01-01\'', true], ['tz <= \'2020-06-01 12:00:00+02\'', true],
  ['ts < tz', false], ['d < \'2001-01-01\'', true], ['d = d', true], ['tm > \'12:00\'', true],
  ['n < n', false], ['n = 1.5', false], ['iv > \'1 day\'', false], ['j = \'[1, 2]\'', true], ['by = by', false],
  ['i4 = 5 or i4 = 6', true],
  // AND / OR / NOT and short circuits
  ['b and c', true], ['b or c', true], ['not b', true], ['b and c and i4 > 0', true], ['b or c or i4 > 0', true],
  ['b and true', true], ['b and false', true], ['b and null', true], ['b or null', true], ['null and b', true],
  ['not (b or c)', true], ['kb and kc', true], ['kb or kc', true], ['kb and b', true],
  ['h4 <> 0 and i4 / h4 > 1', true], ['h4 = 0 or i4 / h4 > 1', true], ['b and i4 + h4 > 0', true],
  ['i8 > 0 and i8 * h8 > 0', true], ['f8 > 0 and f8 * g8 > 1e300', true],
  // IS NULL, IS TRUE & co
  ['i4 is null', true], ['i4 is not null', true], ['k4 is null', true], ['t is not null', true], ['i4 + h4 is null', true],
  ['b is true', false], ['b is not false', false], ['b is unknown', false], ['i4 is distinct from h4', false],
  // IN lists
  ['i4 in (1, 2, 3)', true], ['i4 not in (1, 2, 3)', true], ['i4 in (1, null)', true], ['i4 not in (1, null)', true],
  ['i4 in (0, 1, -1, 2, 10, 11, -7, 46340, 46341, 65536, 2147483647, -2147483648)', true],
  ['i8 in (0, 1, 2, 10)', true], ['i8 in (0, 1, 2, 10, 11, -1, 3037000500, 2147483648, 4294967296, 9223372036854775807)', true],
  ['f8 in (0, 1.5, \'NaN\')', true], ['f8 in (0, 1, -1, 0.5, 1.5, 2.5, -2.5, \'NaN\', \'Infinity\', 1e300)', true],
  ['f4 in (0.5, 1.5)', true], ['t in (\'a\', \'abc\', \'😀\', \'\')', true], ['t not in (\'a\', null)', true],
  ['b in (true)', true], ['ts in (\'1970-01-01\')', true], ['n in (1, 1.5)', false], ['i4 in (h4, 1)', false],
  ['iv in (\'1 day\', \'24 hours\')', false], ['i2 in (1, 181)', true], ['j in (\'null\', \'"x"\')', true],
  // CASE and COALESCE
  ['case when b then i4 else h4 end', true], ['case when i4 > 0 then \'pos\' when i4 < 0 then \'neg\' end', true],
  ['case when h4 = 0 then 0 else i4 / h4 end', true], ['case i4 when 1 then \'one\' when 2 then \'two\' else t end', true],
  ['case when b then null else f8 end', true], ['case when kb then i8 else k8 end', true],
  ['case when b then n else n * 2 end', false], ['case when true then 1 else i4 / 0 end', true],
  ['case when i4 > 0 then i4 * h4 else 0 end', true], ['case when c then by end', true],
  ['coalesce(i4, h4, 0)', true], ['coalesce(t, u)', true], ['coalesce(i4, i4 / 0)', true], ['coalesce(k4, i4 / 0)', true],
  ['coalesce(null, f8)', true], ['coalesce(i8, h8 * h8)', true], ['coalesce(n, 0)', true], ['nullif(i4, 1)', true],
  ['greatest(i4, h4, 0)', false], ['least(t, u)', false],
  // casts
  ['i2::int4', true], ['i2::int8', true], ['i4::int2', true], ['i4::int8', true], ['i8::int4', true], ['i8::int2', true],
  ['i4::float4', true], ['i4::float8', true], ['i8::float8', true], ['i8::float4', true], ['f4::float8', true],
  ['f8::float4', true], ['f8::int4', true], ['f8::int2', true], ['f8::int8', true], ['f4::int4', true], ['f4::int8', true],
  ['b::int4', true], ['i4::bool', true], ['i4::text', false], ['f8::text', false], ['t::int4', false], ['i8::numeric', false],
  ['n::float8', false], ['n::int4', false], ['ts::date', false], ['d::timestamp', false], ['ts::timestamptz', false],
  ['tz::text', false], ['iv::text', false], ['j::text', false], ['by::text', false],
  // LIKE
  ['t like \'a%\'', true], ['t like \'%c\'', true], ['t like \'%b%\'', true], ['t like \'abc\'', true], ['t like \'%\'', true],
  ['t like \'a%c%\'', true], ['t like \'%日%\'', true], ['t like \'%😀%\'', true], ['t like \'a\\%c\'', true],
  ['t like \'a_c\'', true], ['t like \'_\'', true], ['t like \'__\'', true], ['t not like \'a%\'', true],
  ['t ilike \'a%\'', true], ['t ilike \'%B%\'', true], ['t like \'a%\' escape \'\'', true], ['t like \'a#%%\' escape \'#\'', true],
  ['t like u', false], ['t like \'ab\\\'', true], ['t like \'a%\' escape \'ab\'', true], ['v like \'h%\'', true],
  // math: double precision through typed-array loops, numeric row by row
  ['round(f8)', true], ['round(f4)', true], ['round(i4)', true], ['floor(f8)', true], ['ceil(f8)', true], ['ceiling(g8)', true],
  ['trunc(f8)', true], ['sign(f8)', true], ['sqrt(f8)', true], ['sqrt(abs(f8))', true], ['exp(f8)', true], ['exp(f8 / 100)', true],
  ['ln(f8)', true], ['log(f8)', true], ['log10(g8)', true], ['power(f8, g8)', true], ['f8 ^ 0.5', true], ['power(i4, 2)', true],
  ['round(f8 * 100) / 100', true], ['mod(i8, h8)', true], ['pi() * f8', false],
  ['round(n)', false], ['round(n, 2)', false], ['round(n, i2)', false], ['trunc(n, 1)', false], ['floor(n)', false],
  ['ceil(n)', false], ['sign(n)', false], ['mod(n, 3)', false], ['sqrt(n)', false], ['ln(n)', false], ['exp(n)', false],
  ['log(2, n)', false], ['power(n, 2)', false], ['n ^ 0.5', false],
  // strings: lower, upper and length on UTF-8 bytes, the others row by row
  ['upper(t)', true], ['lower(t)', true], ['upper(v)', true], ['length(t)', true], ['char_length(kt)', true], ['length(upper(t))', true],
  ['initcap(t)', false], ['substring(t, 2)', false], ['substring(t from 2 for 2)', false], ['substring(t, i2, h2)', false],
  ['substring(t from \'(.)c\')', false], ['position(\'b\' in t)', false], ['strpos(t, u)', false], ['starts_with(t, u)', false],
  ['concat(t, i4, null, b)', false], ['concat_ws(\',\', t, u, f8)', false], ['concat_ws(u, t, tz)', false],
  ['trim(t)', false], ['trim(both \'a\' from t)', false], ['trim(leading \'ab\' from t)', false], ['rtrim(t, u)', false],
  ['split_part(t, \' \', i2)', false], ['split_part(t, u, -1)', false], ['regexp_match(t, \'(a)(.)\')', false],
  ['regexp_match(t, \'B\', \'i\')', false], ['replace(t, \'a\', u)', false], ['left(t, i2)', false], ['right(t, 2)', false],
  ['reverse(t)', false], ['repeat(t, 2)', false], ['lpad(t, 5, \'*\')', false], ['rpad(t, 4)', false],
  // dates and times
  ['date_part(\'year\', ts)', false], ['date_part(\'epoch\', d)', false], ['extract(epoch from ts)', false],
  ['extract(second from iv)', false], ['extract(julian from tz)', false], ['date_trunc(\'day\', tz)', false],
  ['date_trunc(\'month\', d)', false], ['date_trunc(\'hour\', iv)', false], ['d - iv', false], ['tm + iv', false],
  ['tm - tm', false], ['to_timestamp(i4)', false], ['make_interval(0, 0, 0, i2)', false],
  // strings and other functions through the generic path
  ['t || u', false], ['t || i4', false], ['t || b', false], ['octet_length(t)', false],
  ['ts + iv', false], ['ts - ts2', false], ['tz + iv', false], ['d + k4 % 100', false], ['d - d', false],
  ['extract(year from ts)', false], ['date_trunc(\'hour\', ts)', false], ['now()', false], ['current_user', false],
  ['iv * 2', false], ['-iv', false], ['current_setting(\'application_name\')', false], ['current_setting(t, true)', false],
  // parameters and constants
  ['1', true], ['null::int4', true], ['\'x\'', true], ['i4 + $1', true], ['$2 || t', false], ['t like $2', true],
  ['i4 in ($1, 2)', true], ['case when $3 then i4 end', true],
  // nested mixes
  ['(i4 + h4) * 2 > i8 and f8 < 0.5', true], ['(k4 + 1) * (k4 - 1) < 100 or kt like \'%a%\'', true],
  ['case when i4 is null then -1 when i4 in (1, 2) then i4 * 100 else coalesce(h4, 0) end', true],
  ['not (i4 > 0 and (f8 < 1 or t = \'a\'))', true], ['abs(i8 - h8) < 1000 and f4 >= 0', true],
];

const params = [7, 'ab%', true];
const paramTypes = [T.int4, T.text, T.bool];

describe('compiled expressions equal the reference evaluator', () => {
  const rng = new Rng(20250611);
  // Sizes around byte and word boundaries of the bitmaps, and a full batch.
  const sizes = [0, 1, 7, 8, 9, 63, 64, 65, 200, 1000];
  const batches = sizes.map((n) => {
    const rows = randomRows(rng, columns, n);
    return { rows, batch: makeBatch(columns, rows) };
  });
  // A batch slice at an odd offset: bitmaps that do not start at bit 0.
  {
    const rows = randomRows(rng, columns, 300);
    const batch = makeBatch(columns, rows).slice(13, 250);
    batches.push({ rows: rows.slice(13, 250), batch });
  }
  // Many NULLs.
  {
    const rows = randomRows(rng, columns, 150, 0.6);
    batches.push({ rows, batch: makeBatch(columns, rows) });
  }

  for (const [sql, vectorized] of EXPRESSIONS) {
    it(sql, () => {
      const expr = bind(sql, columns, paramTypes);
      // Fused loops and one kernel per operation must both agree with the reference.
      for (const fuse of [true, false]) {
        for (const { rows, batch } of batches) {
          checkAgainstReference(sql, expr, columns, rows, batch, params, { fuse });
          checkFilterAndProjection(sql, expr, columns, rows, batch, params, { fuse });
        }
      }
      assert.equal(compileExpression(expr, columns, ctx).vectorized, vectorized, `${sql}: vectorized`);
    });
  }
});
