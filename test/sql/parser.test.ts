import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseScript, parseScriptUncached, parseStatement, clearParseCache } from '../../src/sql/parser.js';
import { SabotError } from '../../src/errors.js';
import type {
  Expression, FromItem, Query, Select, SelectItem, Statement, TypeName,
} from '../../src/sql/ast.js';

// ---------------------------------------------------------------------------------
// Helpers

function statements(sql: string): Statement[] {
  return parseScriptUncached(sql).map((s) => s.statement);
}

function statement(sql: string): Statement {
  const all = statements(sql);
  assert.equal(all.length, 1, `expected one statement in ${sql}`);
  return all[0]!;
}

function query(sql: string): Query {
  const s = statement(sql);
  assert.equal(s.kind, 'query-statement');
  return (s as Extract<Statement, { kind: 'query-statement' }>).query;
}

function select(sql: string): Select {
  const body = query(sql).body;
  assert.equal(body.kind, 'select');
  return body as Select;
}

function items(sql: string): SelectItem[] {
  return select(sql).items;
}

/** The expressions of `SELECT <list>`. */
function exprs(list: string): Expression[] {
  return items(`SELECT ${list}`).map((i) => {
    assert.equal(i.kind, 'item');
    return (i as Extract<SelectItem, { kind: 'item' }>).expr;
  });
}

function expr(e: string): Expression {
  const all = exprs(e);
  assert.equal(all.length, 1);
  return all[0]!;
}

function typeText(t: TypeName): string {
  return t.name + (t.modifiers.length > 0 ? `(${t.modifiers.join(',')})` : '') + (t.array ? '[]' : '');
}

/** A compact, fully parenthesised rendering of an expression, to check structure. */
function show(e: Expression | null): string {
  if (e === null) return 'null';
  switch (e.kind) {
    case 'literal':
      return e.type === 'string' ? `'${e.value}'` : String(e.value);
    case 'typed-literal':
      return `${typeText(e.type)} '${e.value}'`;
    case 'interval-literal':
      return `interval '${e.value}'${e.unit === null ? '' : ' ' + e.unit}${e.toUnit === null ? '' : ' to ' + e.toUnit}`;
    case 'parameter':
      return `$${e.index}`;
    case 'column':
      return (e.table === null ? '' : e.table + '.') + e.name;
    case 'unary':
      return `(${e.op} ${show(e.operand)})`;
    case 'binary':
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'like':
      return `(${show(e.expr)} ${e.negated ? 'not ' : ''}${e.caseInsensitive ? 'ilike' : 'like'} ${show(e.pattern)}`
        + `${e.escape === null ? '' : ' escape ' + show(e.escape)})`;
    case 'is':
      return `(${show(e.expr)} is ${e.negated ? 'not ' : ''}${e.test})`;
    case 'is-distinct':
      return `(${show(e.left)} is ${e.negated ? 'not ' : ''}distinct from ${show(e.right)})`;
    case 'between':
      return `(${show(e.expr)} ${e.negated ? 'not ' : ''}between ${e.symmetric ? 'symmetric ' : ''}${show(e.low)} and ${show(e.high)})`;
    case 'in-list':
      return `(${show(e.expr)} ${e.negated ? 'not ' : ''}in [${e.list.map(show).join(', ')}])`;
    case 'in-subquery':
      return `(${show(e.expr)} ${e.negated ? 'not ' : ''}in (query))`;
    case 'exists':
      return 'exists(query)';
    case 'scalar-subquery':
      return '(query)';
    case 'cast':
      return `(${show(e.expr)}::${typeText(e.type)})`;
    case 'case':
      return `case${e.operand === null ? '' : ' ' + show(e.operand)}`
        + e.whens.map((w) => ` when ${show(w.when)} then ${show(w.then)}`).join('')
        + (e.else === null ? '' : ` else ${show(e.else)}`) + ' end';
    case 'function': {
      let args = e.star ? '*' : e.args.map(show).join(', ');
      if (e.distinct) args = 'distinct ' + args;
      if (e.orderBy.length > 0) {
        args += ' order by ' + e.orderBy.map((o) => show(o.expr) + (o.descending ? ' desc' : '')).join(', ');
      }
      let out = `${e.name.join('.')}(${args})`;
      if (e.filter !== null) out += ` filter ${show(e.filter)}`;
      if (e.over !== null) {
        out += ` over(partition [${e.over.partitionBy.map(show).join(', ')}] order [${e.over.orderBy.map((o) => show(o.expr)).join(', ')}])`;
      }
      return out;
    }
  }
}

function syntaxError(sql: string, message: string | RegExp, position?: number): void {
  assert.throws(() => parseScriptUncached(sql), (err: unknown) => {
    assert.ok(err instanceof SabotError, `expected a SabotError for ${sql}, got ${String(err)}`);
    assert.equal(err.code, '42601');
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    if (position !== undefined) assert.equal(err.position, position, `position for ${sql}`);
    return true;
  });
}

// ---------------------------------------------------------------------------------

describe('scripts', () => {
  it('returns no statements for empty, blank and comment-only text', () => {
    assert.deepEqual(parseScriptUncached(''), []);
    assert.deepEqual(parseScriptUncached('   \n\t '), []);
    assert.deepEqual(parseScriptUncached('-- just a comment'), []);
    assert.deepEqual(parseScriptUncached('/* a /* nested */ comment */ ; ;; -- x\n'), []);
  });

  it('splits statements and reports their spans without the semicolon', () => {
    const sql = "/* lead */ SELECT 1 -- c\n; SELECT ';' /* ; */ ;  ;SELECT 'a;b'--x";
    const parsed = parseScriptUncached(sql);
    assert.deepEqual(parsed.map((p) => sql.slice(p.start, p.end)), ['SELECT 1', "SELECT ';'", "SELECT 'a;b'"]);
    assert.deepEqual(parsed.map((p) => [p.start, p.end]), [[11, 19], [27, 37], [50, 62]]);
  });

  it('keeps semicolons inside strings, identifiers, dollar quotes and comments', () => {
    const sql = `SELECT 'a;b', "c;d", $$e;f$$, $t$g;h$t$, E'i\\';j' /* ; */ -- ;\n; SELECT 2`;
    const parsed = parseScriptUncached(sql);
    assert.equal(parsed.length, 2);
    const values = exprs(sql.slice(parsed[0]!.start, parsed[0]!.end).slice('SELECT '.length));
    assert.deepEqual(values.map(show), ["'a;b'", 'c;d', "'e;f'", "'g;h'", "'i';j'"]);
  });

  it('skips strings and comments in unsupported statements', () => {
    const sql = `DELETE FROM t WHERE a IN (';', $$;$$, E'\\';', "a;b") /* ; */ -- ;\n; UPDATE t SET a = 'x;y'`;
    const parsed = parseScriptUncached(sql);
    assert.deepEqual(parsed.map((p) => p.statement), [
      { kind: 'unsupported', command: 'DELETE', pos: 0 },
      { kind: 'unsupported', command: 'UPDATE', pos: sql.indexOf('UPDATE') },
    ]);
    assert.equal(sql.slice(parsed[0]!.start, parsed[0]!.end), `DELETE FROM t WHERE a IN (';', $$;$$, E'\\';', "a;b")`);
  });

  it('parseStatement: one statement, null for none, error for several', () => {
    assert.equal(parseStatement(''), null);
    assert.equal(parseStatement(' ; -- nothing'), null);
    assert.equal(parseStatement('SELECT 1;')!.statement.kind, 'query-statement');
    assert.throws(() => parseStatement('SELECT 1; SELECT 2'), (err: unknown) => {
      assert.ok(err instanceof SabotError);
      assert.equal(err.code, '42601');
      assert.equal(err.message, 'cannot insert multiple commands into a prepared statement');
      return true;
    });
  });

  it('caches parses by text', () => {
    clearParseCache();
    const a = parseScript('SELECT 42');
    const b = parseScript('SELECT 42');
    assert.equal(a, b);
    assert.notEqual(parseScript('SELECT 42 '), a);
    // Errors are not cached but thrown each time.
    assert.throws(() => parseScript('SELEC 1'), SabotError);
    assert.throws(() => parseScript('SELEC 1'), SabotError);
  });

  it('evicts the least recently used entry beyond 500', () => {
    clearParseCache();
    const first = parseScript('SELECT 0');
    for (let i = 1; i <= 500; i++) parseScript(`SELECT ${i}`);
    assert.notEqual(parseScript('SELECT 0'), first);
    const recent = parseScript('SELECT 500');
    assert.equal(parseScript('SELECT 500'), recent);
  });
});

describe('literals', () => {
  it('reads numbers with their text', () => {
    assert.deepEqual(exprs('1, 00, 1.5, .5, 1e10, 1., 1.5E-3, 2e+2'), [
      { kind: 'literal', type: 'integer', value: '1', pos: 7 },
      { kind: 'literal', type: 'integer', value: '00', pos: 10 },
      { kind: 'literal', type: 'decimal', value: '1.5', pos: 14 },
      { kind: 'literal', type: 'decimal', value: '.5', pos: 19 },
      { kind: 'literal', type: 'decimal', value: '1e10', pos: 23 },
      { kind: 'literal', type: 'decimal', value: '1.', pos: 29 },
      { kind: 'literal', type: 'decimal', value: '1.5E-3', pos: 33 },
      { kind: 'literal', type: 'decimal', value: '2e+2', pos: 41 },
    ]);
  });

  it('folds a minus into a numeric constant', () => {
    assert.deepEqual(expr('-1'), { kind: 'literal', type: 'integer', value: '-1', pos: 7 });
    assert.deepEqual(expr('- 2.5'), { kind: 'literal', type: 'decimal', value: '-2.5', pos: 7 });
    assert.equal(show(expr('- -1')), '(- -1)');
  });

  it('rejects a number followed by letters', () => {
    syntaxError('SELECT 1abc', 'syntax error at or near "1abc"', 8);
    syntaxError('SELECT 1.5e', /syntax error at or near "1.5e"/, 8);
  });

  it('reads strings in every quoting', () => {
    assert.deepEqual(exprs(`'it''s', '', E'a\\nb\\t\\\\\\'\\x41\\101\\u00e9\\U0001F600''', $$a'b$$, $tag$x$$y$tag$`).map(show), [
      "'it's'", "''", `'a\nb\t\\'AAé😀''`, "'a'b'", "'x$$y'",
    ]);
  });

  it('joins string literals separated by a newline', () => {
    assert.equal(show(expr(`'foo'\n  'bar'`)), "'foobar'");
    syntaxError(`SELECT 'foo' 'bar'`, `syntax error at or near "'bar'"`, 14);
  });

  it('reads booleans and null', () => {
    assert.deepEqual(exprs('TRUE, false, NULL'), [
      { kind: 'literal', type: 'boolean', value: true, pos: 7 },
      { kind: 'literal', type: 'boolean', value: false, pos: 13 },
      { kind: 'literal', type: 'null', value: null, pos: 20 },
    ]);
  });

  it('reads typed literals', () => {
    assert.deepEqual(expr(`TIMESTAMP '2024-01-01 00:00:00'`), {
      kind: 'typed-literal',
      type: { name: 'timestamp', modifiers: [], array: false, pos: 7 },
      value: '2024-01-01 00:00:00',
      pos: 7,
    });
    assert.deepEqual(
      exprs(`timestamp with time zone 'a', TIMESTAMP WITHOUT TIME ZONE 'b', DATE 'c', TIME 'd', jsonb '{}', `
        + `int '1', pg_catalog.int4 '2', double precision '3', timestamp(3) 'e', timestamptz 'f', bool 't'`).map(show),
      [
        "timestamp with time zone 'a'", "timestamp without time zone 'b'", "date 'c'", "time 'd'", "jsonb '{}'",
        "int '1'", "int4 '2'", "double precision '3'", "timestamp(3) 'e'", "timestamptz 'f'", "bool 't'",
      ],
    );
  });

  it('reads interval literals with units', () => {
    assert.deepEqual(expr(`INTERVAL '4' SECOND`), {
      kind: 'interval-literal', value: '4', unit: 'second', toUnit: null, pos: 7,
    });
    assert.deepEqual(
      exprs(`interval '1 day', INTERVAL '1:30' HOUR TO MINUTE, interval '2' days, INTERVAL '1' year to months`).map(show),
      ["interval '1 day'", "interval '1:30' hour to minute", "interval '2' day", "interval '1' year to month"],
    );
  });

  it('reads parameters', () => {
    assert.deepEqual(exprs('$1, $12'), [
      { kind: 'parameter', index: 1, pos: 7 },
      { kind: 'parameter', index: 12, pos: 11 },
    ]);
  });
});

describe('identifiers and keywords', () => {
  it('lowercases unquoted names and keeps quoted ones', () => {
    assert.deepEqual(exprs('MyCol, "MyCol", "a""b", T.Col, s.t.c, "T"."C"'), [
      { kind: 'column', table: null, name: 'mycol', pos: 7 },
      { kind: 'column', table: null, name: 'MyCol', pos: 14 },
      { kind: 'column', table: null, name: 'a"b', pos: 23 },
      { kind: 'column', table: 't', name: 'col', pos: 31 },
      { kind: 'column', table: 't', name: 'c', pos: 38 },
      { kind: 'column', table: 'T', name: 'C', pos: 45 },
    ]);
  });

  it('matches keywords case-insensitively and only as whole words', () => {
    assert.equal(statement('sElEcT 1').kind, 'query-statement');
    assert.equal(show(expr('selectx')), 'selectx');
    assert.equal(show(expr('nullable')), 'nullable');
    assert.deepEqual(items('SELECT 1 fromage'), [
      { kind: 'item', expr: { kind: 'literal', type: 'integer', value: '1', pos: 7 }, alias: 'fromage', pos: 7 },
    ]);
  });

  it('reads aliases, with AS taking any word', () => {
    assert.deepEqual(items('SELECT a b, c AS "D", d AS from, e AS Select').map((i) => (i.kind === 'item' ? i.alias : null)), [
      'b', 'D', 'from', 'select',
    ]);
  });

  it('rejects reserved words as bare aliases and names', () => {
    syntaxError('SELECT a table FROM t', 'syntax error at or near "table"', 10);
    syntaxError('SELECT * FROM t select', 'syntax error at or near "select"', 17);
    syntaxError('SELECT * FROM t AS order', 'syntax error at or near "order"', 20);
    syntaxError('SELECT select', 'syntax error at or near "select"', 8);
    syntaxError('SELECT * FROM where', 'syntax error at or near "where"', 15);
  });

  it('accepts reserved words as function names where Postgres does', () => {
    assert.deepEqual(exprs(`left('abc', 2), RIGHT('abc', 1)`).map(show), ["left('abc', 2)", "right('abc', 1)"]);
  });
});

describe('expressions', () => {
  const cases: [string, string][] = [
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['(1 + 2) * 3', '((1 + 2) * 3)'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['8 / 4 % 3', '((8 / 4) % 3)'],
    ['2 ^ 3 ^ 2', '((2 ^ 3) ^ 2)'],
    ['2 * 3 ^ 2', '(2 * (3 ^ 2))'],
    ['a OR b AND NOT c', '(a or (b and (not c)))'],
    ['a AND b OR c AND d', '((a and b) or (c and d))'],
    ['NOT a = b', '(not (a = b))'],
    ['NOT NOT a', '(not (not a))'],
    ['NOT a IS NULL', '(not (a is null))'],
    ['a = b IS NULL', '((a = b) is null)'],
    ['a IS NULL = b', '((a is null) = b)'],
    ['x BETWEEN 1 AND 2 AND y', '((x between 1 and 2) and y)'],
    ['x NOT BETWEEN SYMMETRIC a + 1 AND b * 2', '(x not between symmetric (a + 1) and (b * 2))'],
    ['x BETWEEN ASYMMETRIC 1 AND 2', '(x between 1 and 2)'],
    ['a = b BETWEEN 1 AND 2', '(a = (b between 1 and 2))'],
    ['-x::int', '(- (x::int))'],
    ['-x * 2', '((- x) * 2)'],
    ['+x', '(+ x)'],
    ['a - -1', '(a - -1)'],
    ['a-1', '(a - 1)'],
    ['a || b LIKE c', '((a || b) like c)'],
    ['a LIKE b || c', '(a like (b || c))'],
    ["a NOT LIKE 'x%' ESCAPE '!'", "(a not like 'x%' escape '!')"],
    ['a ILIKE b', '(a ilike b)'],
    ['a NOT ILIKE b', '(a not ilike b)'],
    ['a = b AND c LIKE d', '((a = b) and (c like d))'],
    ['a IS NOT DISTINCT FROM b + 1', '(a is not distinct from (b + 1))'],
    ['a IS DISTINCT FROM b AND c', '((a is distinct from b) and c)'],
    ['a ISNULL', '(a is null)'],
    ['a NOTNULL', '(a is not null)'],
    ['a IS NOT TRUE', '(a is not true)'],
    ['a IS FALSE', '(a is false)'],
    ['a IS UNKNOWN', '(a is unknown)'],
    ['a IS NOT NULL AND b', '((a is not null) and b)'],
    ['a != b', '(a <> b)'],
    ['a <> b', '(a <> b)'],
    ['a<=b', '(a <= b)'],
    ['a>=b', '(a >= b)'],
    ['a<b', '(a < b)'],
    ['a>b', '(a > b)'],
    ['a = b = c', '((a = b) = c)'],
    ['a + 1 < b * 2', '((a + 1) < (b * 2))'],
    [`j->'a'->>'b'`, `((j -> 'a') ->> 'b')`],
    [`j #> '{a}'`, `(j #> '{a}')`],
    [`j #>> '{a}'`, `(j #>> '{a}')`],
    ['j @> k', '(j @> k)'],
    ['j<@k', '(j <@ k)'],
    ['j->k', '(j -> k)'],
    [`a ~ 'x'`, `(a ~ 'x')`],
    [`a ~* 'x'`, `(a ~* 'x')`],
    [`a !~ 'x'`, `(a !~ 'x')`],
    [`a !~* 'x'`, `(a !~* 'x')`],
    ['a || b + c', '(a || (b + c))'],
    ['a + b || c', '((a + b) || c)'],
    ['a || b = c', '((a || b) = c)'],
    ['x IN (1, 2)', '(x in [1, 2])'],
    ['x NOT IN (1)', '(x not in [1])'],
    ['x IN (SELECT 1)', '(x in (query))'],
    ['x NOT IN ((SELECT 1) UNION (SELECT 2))', '(x not in (query))'],
    ['x IN ((SELECT 1), 2)', '(x in [(query), 2])'],
    ['EXISTS (SELECT 1)', 'exists(query)'],
    ['NOT EXISTS (SELECT 1)', '(not exists(query))'],
    ['(SELECT 1) + 1', '((query) + 1)'],
    ['((SELECT 1) + 1) * 2', '(((query) + 1) * 2)'],
    ['((((1))))', '1'],
    ['x::numeric(10, 2)', '(x::numeric(10,2))'],
    ['x::text::int', '((x::text)::int)'],
    ['x::varchar(20)[]', '(x::varchar(20)[])'],
    ['x::int[][]', '(x::int[])'],
    ['x::double precision', '(x::double precision)'],
    ['x::timestamp(3) with time zone', '(x::timestamp with time zone(3))'],
    ['x::timestamp without time zone', '(x::timestamp without time zone)'],
    ['x::time with time zone', '(x::time with time zone)'],
    ['x::character varying(3)', '(x::character varying(3))'],
    ['x::char varying', '(x::character varying)'],
    ['x::pg_catalog.int4', '(x::int4)'],
    ['x::"char"', '(x::char)'],
    ['x::float(53)', '(x::float(53))'],
    ['x::TIMESTAMPTZ', '(x::timestamptz)'],
    ['x::interval', '(x::interval)'],
    [`'1 day'::interval`, `('1 day'::interval)`],
    ['CAST(x AS bigint)', '(x::bigint)'],
    ['CAST(x AS timestamp with time zone)', '(x::timestamp with time zone)'],
    ['CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END', 'case when a then 1 when b then 2 else 3 end'],
    [`CASE x WHEN 1 THEN 'a' END`, `case x when 1 then 'a' end`],
    [`now() AT TIME ZONE 'UTC'`, `timezone('UTC', now())`],
    [`a + b AT TIME ZONE 'UTC'`, `(a + timezone('UTC', b))`],
    ['1 = NOT true', '(1 = (not true))'],
  ];
  for (const [input, expected] of cases) {
    it(input, () => assert.equal(show(expr(input)), expected));
  }

  it('gives infix nodes the position of their operator', () => {
    const e = expr('a + b * c');
    assert.equal(e.kind, 'binary');
    assert.equal(e.pos, 9);
    assert.deepEqual(expr('x::int'), {
      kind: 'cast',
      expr: { kind: 'column', table: null, name: 'x', pos: 7 },
      type: { name: 'int', modifiers: [], array: false, pos: 10 },
      pos: 8,
    });
    assert.deepEqual(expr('a IS NULL'), {
      kind: 'is', expr: { kind: 'column', table: null, name: 'a', pos: 7 }, negated: false, test: 'null', pos: 9,
    });
  });
});

describe('function calls', () => {
  it('reads plain, star, distinct and ordered calls', () => {
    assert.deepEqual(expr('count(*)'), {
      kind: 'function', name: ['count'], args: [], star: true, distinct: false, orderBy: [], filter: null, over: null, pos: 7,
    });
    assert.deepEqual(
      exprs(`now(), count(DISTINCT x), string_agg(x, ',' ORDER BY y DESC, z), pg_catalog.now(), "MyFunc"(1), coalesce(a, b, 1)`).map(show),
      ['now()', 'count(distinct x)', `string_agg(x, ',' order by y desc, z)`, 'pg_catalog.now()', 'MyFunc(1)', 'coalesce(a, b, 1)'],
    );
  });

  it('reads FILTER and OVER', () => {
    assert.deepEqual(
      exprs('count(*) FILTER (WHERE x > 1), row_number() OVER (PARTITION BY a, b ORDER BY c), sum(x) OVER ()').map(show),
      ['count(*) filter (x > 1)', 'row_number() over(partition [a, b] order [c])', 'sum(x) over(partition [] order [])'],
    );
    const e = expr('rank() OVER (ORDER BY a DESC NULLS FIRST)');
    assert.equal(e.kind, 'function');
    if (e.kind === 'function') {
      assert.deepEqual(e.over, {
        partitionBy: [],
        orderBy: [{ expr: { kind: 'column', table: null, name: 'a', pos: 29 }, descending: true, nullsFirst: true }],
        pos: 14,
      });
    }
  });

  it('reads the special forms as plain calls', () => {
    const cases: [string, string][] = [
      ['EXTRACT(epoch FROM x)', `extract('epoch', x)`],
      ['extract(YEAR from x)', `extract('year', x)`],
      [`EXTRACT('day' FROM x)`, `extract('day', x)`],
      ['SUBSTRING(s FROM 2 FOR 3)', 'substring(s, 2, 3)'],
      ['substring(s from 2)', 'substring(s, 2)'],
      ['substring(s for 2)', 'substring(s, 1, 2)'],
      ['substring(s, 1, 2)', 'substring(s, 1, 2)'],
      [`POSITION('a' IN s)`, `position('a', s)`],
      [`TRIM(BOTH 'x' FROM s)`, `btrim(s, 'x')`],
      [`trim(leading 'x' from s)`, `ltrim(s, 'x')`],
      [`trim(trailing from s)`, `rtrim(s)`],
      ['trim(s)', 'btrim(s)'],
      ['trim(FROM s)', 'btrim(s)'],
      ['CURRENT_TIMESTAMP', 'current_timestamp()'],
      ['current_timestamp(3)', 'current_timestamp(3)'],
      ['CURRENT_DATE', 'current_date()'],
      ['CURRENT_TIME', 'current_time()'],
      ['LOCALTIMESTAMP', 'localtimestamp()'],
      ['localtime', 'localtime()'],
      ['CURRENT_USER', 'current_user()'],
      ['USER', 'current_user()'],
      ['SESSION_USER', 'session_user()'],
      ['CURRENT_SCHEMA', 'current_schema()'],
      ['current_schema()', 'current_schema()'],
      ['CURRENT_CATALOG', 'current_catalog()'],
      ['current_timestamp::date', '(current_timestamp()::date)'],
    ];
    for (const [input, expected] of cases) assert.equal(show(expr(input)), expected, input);
  });
});

describe('queries', () => {
  it('reads a full SELECT', () => {
    const sql = 'SELECT DISTINCT a, t.* FROM t WHERE a > 1 GROUP BY a, b HAVING count(*) > 1 '
      + 'ORDER BY a DESC, b NULLS LAST LIMIT 10 OFFSET 5';
    const at = (text: string, from = 0): number => {
      const i = sql.indexOf(text, from);
      assert.ok(i >= 0, text);
      return i;
    };
    const column = (name: string, pos: number) => ({ kind: 'column', table: null, name, pos });
    const int = (value: string, pos: number) => ({ kind: 'literal', type: 'integer', value, pos });
    assert.deepEqual(query(sql), {
      kind: 'query',
      with: [],
      body: {
        kind: 'select',
        distinct: true,
        distinctOn: [],
        items: [
          { kind: 'item', expr: column('a', 16), alias: null, pos: 16 },
          { kind: 'star', table: 't', pos: 19 },
        ],
        from: [{ kind: 'table', name: ['t'], alias: null, pos: at('t WHERE') }],
        where: { kind: 'binary', op: '>', left: column('a', at('a >')), right: int('1', at('1 GROUP')), pos: at('> 1') },
        groupBy: [column('a', at('a, b')), column('b', at('b HAVING'))],
        having: {
          kind: 'binary',
          op: '>',
          left: { kind: 'function', name: ['count'], args: [], star: true, distinct: false, orderBy: [], filter: null, over: null, pos: at('count') },
          right: int('1', at('1 ORDER')),
          pos: at('> 1 ORDER'),
        },
        pos: 0,
      },
      orderBy: [
        { expr: column('a', at('a DESC')), descending: true, nullsFirst: null },
        { expr: column('b', at('b NULLS')), descending: false, nullsFirst: false },
      ],
      limit: int('10', at('10')),
      offset: int('5', at('5', at('OFFSET'))),
      pos: 0,
    });
  });

  it('reads star forms and an empty select list', () => {
    assert.deepEqual(items('SELECT *, t.*, s.t.*'), [
      { kind: 'star', table: null, pos: 7 },
      { kind: 'star', table: 't', pos: 10 },
      { kind: 'star', table: 't', pos: 15 },
    ]);
    assert.deepEqual(items('SELECT FROM t'), []);
  });

  it('reads DISTINCT ON and ALL', () => {
    const s = select('SELECT DISTINCT ON (a, b) a FROM t');
    assert.equal(s.distinct, true);
    assert.deepEqual(s.distinctOn.map(show), ['a', 'b']);
    assert.equal(select('SELECT ALL a').distinct, false);
  });

  it('reads LIMIT ALL, OFFSET ROWS and FETCH FIRST', () => {
    const q1 = query('SELECT a FROM t LIMIT ALL');
    assert.equal(q1.limit, null);
    const q2 = query('SELECT a FROM t OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY');
    assert.equal(show(q2.limit), '3');
    assert.equal(show(q2.offset), '2');
    const q3 = query('SELECT a FROM t FETCH NEXT ROW ONLY');
    assert.equal(show(q3.limit), '1');
    const q4 = query('SELECT a FROM t OFFSET 1 LIMIT $1');
    assert.equal(show(q4.limit), '$1');
    assert.equal(show(q4.offset), '1');
  });

  it('reads VALUES and TABLE', () => {
    assert.deepEqual(query(`VALUES (1, 'a'), (2, 'b')`).body, {
      kind: 'values',
      rows: [
        [{ kind: 'literal', type: 'integer', value: '1', pos: 8 }, { kind: 'literal', type: 'string', value: 'a', pos: 11 }],
        [{ kind: 'literal', type: 'integer', value: '2', pos: 18 }, { kind: 'literal', type: 'string', value: 'b', pos: 21 }],
      ],
      pos: 0,
    });
    const s = select('TABLE sabot.jobs');
    assert.deepEqual(s.items, [{ kind: 'star', table: null, pos: 0 }]);
    assert.deepEqual(s.from, [{ kind: 'table', name: ['sabot', 'jobs'], alias: null, pos: 6 }]);
  });

  it('reads WITH', () => {
    const q = query('WITH x (a, b) AS (SELECT 1, 2), y AS MATERIALIZED (VALUES (3)) SELECT * FROM x, y');
    assert.deepEqual(q.with.map((c) => [c.name, c.columns, c.query.body.kind, c.pos]), [
      ['x', ['a', 'b'], 'select', 5],
      ['y', [], 'values', 32],
    ]);
    assert.equal(q.body.kind, 'select');
  });

  it('reads set operations with INTERSECT binding tighter', () => {
    const q = query('SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT ALL SELECT 4 ORDER BY 1');
    const render = (e: Query['body']): string => {
      switch (e.kind) {
        case 'set-operation': return `(${render(e.left)} ${e.op}${e.all ? ' all' : ''} ${render(e.right)})`;
        case 'select': return show((e.items[0] as Extract<SelectItem, { kind: 'item' }>).expr);
        case 'values': return 'values';
        case 'query': return `[${render(e.body)}]`;
      }
    };
    assert.equal(render(q.body), '((1 union (2 intersect 3)) except all 4)');
    assert.equal(q.orderBy.length, 1);
    assert.equal(render(query('SELECT 1 UNION DISTINCT SELECT 2 UNION ALL SELECT 3').body), '((1 union 2) union all 3)');
    // A parenthesised query with its own LIMIT stays a query; a bare one is unwrapped.
    assert.equal(render(query('(SELECT 1) UNION ALL (SELECT 2 LIMIT 1)').body), '(1 union all [2])');
    assert.equal(query('(SELECT 1)').body.kind, 'select');
    const inner = query('(SELECT 1 ORDER BY 1) LIMIT 3');
    assert.equal(inner.body.kind, 'query');
    assert.equal(show(inner.limit), '3');
  });
});

describe('FROM', () => {
  function from(sql: string): FromItem[] {
    return select(sql).from;
  }

  it('reads tables with aliases', () => {
    assert.deepEqual(from('SELECT * FROM sabot.jobs AS j (a, b), t u, "T"'), [
      { kind: 'table', name: ['sabot', 'jobs'], alias: { name: 'j', columns: ['a', 'b'] }, pos: 14 },
      { kind: 'table', name: ['t'], alias: { name: 'u', columns: [] }, pos: 38 },
      { kind: 'table', name: ['T'], alias: null, pos: 43 },
    ]);
  });

  it('reads table functions (windows)', () => {
    assert.deepEqual(from(`SELECT * FROM TUMBLE(bids, date_time, INTERVAL '10' SECOND) AS w`), [{
      kind: 'table-function',
      name: 'tumble',
      args: [
        { kind: 'column', table: null, name: 'bids', pos: 21 },
        { kind: 'column', table: null, name: 'date_time', pos: 27 },
        { kind: 'interval-literal', value: '10', unit: 'second', toUnit: null, pos: 38 },
      ],
      alias: { name: 'w', columns: [] },
      pos: 14,
    }]);
    const hop = from(`SELECT * FROM hop(bids, t, INTERVAL '1' SECOND, INTERVAL '5' SECOND) h, generate_series(1, 3) g(n)`);
    assert.deepEqual(hop.map((f) => (f.kind === 'table-function' ? [f.name, f.args.length, f.alias] : null)), [
      ['hop', 4, { name: 'h', columns: [] }],
      ['generate_series', 2, { name: 'g', columns: ['n'] }],
    ]);
  });

  it('reads subqueries, LATERAL and parenthesised joins', () => {
    const f = from('SELECT * FROM (SELECT 1) AS s (x), LATERAL (SELECT 2) l, ((SELECT 3) UNION (SELECT 4)) u, (a JOIN b ON true)');
    assert.deepEqual(f.map((i) => i.kind), ['subquery', 'subquery', 'subquery', 'join']);
    assert.deepEqual(f.map((i) => (i.kind === 'subquery' ? [i.lateral, i.alias] : null)), [
      [false, { name: 's', columns: ['x'] }],
      [true, { name: 'l', columns: [] }],
      [false, { name: 'u', columns: [] }],
      null,
    ]);
  });

  it('reads joins left to right', () => {
    const [j] = from('SELECT * FROM a JOIN b ON a.x = b.x LEFT OUTER JOIN c USING (id, k) CROSS JOIN d NATURAL FULL JOIN e RIGHT JOIN f ON true INNER JOIN g ON false');
    const render = (i: FromItem): string => {
      switch (i.kind) {
        case 'table': return i.name.join('.');
        case 'join':
          return `(${render(i.left)} ${i.natural ? 'natural ' : ''}${i.type} ${render(i.right)}`
            + `${i.on === null ? '' : ' on ' + show(i.on)}${i.using.length === 0 ? '' : ' using ' + i.using.join(',')})`;
        default: return i.kind;
      }
    };
    assert.equal(
      render(j!),
      '((((((a inner b on (a.x = b.x)) left c using id,k) cross d) natural full e) right f on true) inner g on false)',
    );
    assert.equal(render(from('SELECT * FROM a NATURAL JOIN b')[0]!), '(a natural inner b)');
  });
});

describe('SET, SHOW, RESET', () => {
  const cases: [string, unknown][] = [
    ['SET search_path TO "$user", public', { name: 'search_path', values: ['$user', 'public'], local: false }],
    ['SET LOCAL myapp.flag = 1', { name: 'myapp.flag', values: ['1'], local: true }],
    ['SET SESSION statement_timeout = -5', { name: 'statement_timeout', values: ['-5'], local: false }],
    ['set extra_float_digits = +3', { name: 'extra_float_digits', values: ['3'], local: false }],
    ['SET client_encoding = DEFAULT', { name: 'client_encoding', values: null, local: false }],
    ['SET DateStyle TO ISO, MDY', { name: 'datestyle', values: ['iso', 'mdy'], local: false }],
    [`SET x = 'a', 1.5, off, on, true`, { name: 'x', values: ['a', '1.5', 'off', 'on', 'true'], local: false }],
    [`SET TIME ZONE 'UTC'`, { name: 'timezone', values: ['UTC'], local: false }],
    ['SET TIME ZONE LOCAL', { name: 'timezone', values: null, local: false }],
    ['set local time zone default', { name: 'timezone', values: null, local: true }],
    ['SET TRANSACTION ISOLATION LEVEL READ COMMITTED', { name: 'transaction_isolation', values: ['read committed'], local: false }],
    ['SET TRANSACTION READ ONLY', { name: 'transaction_read_only', values: ['on'], local: false }],
    [
      'SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE',
      { name: 'default_transaction_isolation', values: ['serializable'], local: false },
    ],
    ['SET SESSION AUTHORIZATION DEFAULT', { name: 'session_authorization', values: null, local: false }],
    ['SET ROLE admin', { name: 'role', values: ['admin'], local: false }],
    [`SET NAMES 'UTF8'`, { name: 'client_encoding', values: ['UTF8'], local: false }],
    [`SET SCHEMA 'public'`, { name: 'search_path', values: ['public'], local: false }],
  ];
  for (const [sql, expected] of cases) {
    it(sql, () => assert.deepEqual(statement(sql), { kind: 'set', ...(expected as object), pos: 0 }));
  }

  it('reads SHOW and RESET', () => {
    assert.deepEqual(statements('SHOW ALL; SHOW TIME ZONE; show Transaction Isolation Level; SHOW server_version; SHOW "X".y'), [
      { kind: 'show', name: 'all', pos: 0 },
      { kind: 'show', name: 'timezone', pos: 10 },
      { kind: 'show', name: 'transaction_isolation', pos: 26 },
      { kind: 'show', name: 'server_version', pos: 60 },
      { kind: 'show', name: 'X.y', pos: 81 },
    ]);
    assert.deepEqual(statements('RESET ALL; reset TimeZone; RESET TIME ZONE'), [
      { kind: 'reset', name: 'all', pos: 0 },
      { kind: 'reset', name: 'timezone', pos: 11 },
      { kind: 'reset', name: 'timezone', pos: 27 },
    ]);
  });

  it('rejects incomplete settings', () => {
    syntaxError('SET x', 'syntax error at end of input', 6);
    syntaxError('SHOW', 'syntax error at end of input', 5);
  });
});

describe('transactions', () => {
  it('reads BEGIN and START TRANSACTION with modes', () => {
    const begin = (isolationLevel: string | null, readOnly: boolean | null) => ({ kind: 'begin', isolationLevel, readOnly, pos: 0 });
    assert.deepEqual(statement('BEGIN'), begin(null, null));
    assert.deepEqual(statement('begin work'), begin(null, null));
    assert.deepEqual(statement('BEGIN TRANSACTION READ ONLY'), begin(null, true));
    assert.deepEqual(statement('START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ WRITE'), begin('repeatable read', false));
    assert.deepEqual(statement('BEGIN ISOLATION LEVEL SERIALIZABLE NOT DEFERRABLE'), begin('serializable', null));
    assert.deepEqual(statement('begin isolation level read uncommitted deferrable'), begin('read uncommitted', null));
    assert.deepEqual(statement('BEGIN ISOLATION LEVEL READ COMMITTED'), begin('read committed', null));
    syntaxError('BEGIN ISOLATION LEVEL FOO', 'syntax error at or near "FOO"', 23);
  });

  it('reads COMMIT, END, ROLLBACK and ABORT', () => {
    assert.deepEqual(statements('COMMIT; commit work; END TRANSACTION; COMMIT AND NO CHAIN'), [
      { kind: 'commit', pos: 0 }, { kind: 'commit', pos: 8 }, { kind: 'commit', pos: 21 }, { kind: 'commit', pos: 38 },
    ]);
    assert.deepEqual(statements('ROLLBACK; rollback transaction; ABORT; ABORT WORK AND NO CHAIN'), [
      { kind: 'rollback', pos: 0 }, { kind: 'rollback', pos: 10 }, { kind: 'rollback', pos: 32 }, { kind: 'rollback', pos: 39 },
    ]);
  });

  it('marks the transaction variants Sabot lacks as unsupported', () => {
    assert.deepEqual(statements(`COMMIT AND CHAIN; ROLLBACK TO SAVEPOINT a; ROLLBACK TO b; COMMIT PREPARED 'x'`).map((s) => s.kind === 'unsupported' && s.command), [
      'COMMIT AND CHAIN', 'ROLLBACK TO SAVEPOINT', 'ROLLBACK TO SAVEPOINT', 'COMMIT PREPARED',
    ]);
  });
});

describe('DISCARD', () => {
  it('reads every target', () => {
    assert.deepEqual(statements('DISCARD ALL; discard plans; DISCARD SEQUENCES; DISCARD TEMP; discard temporary').map((s) => s.kind === 'discard' && s.target), [
      'all', 'plans', 'sequences', 'temp', 'temp',
    ]);
    syntaxError('DISCARD everything', 'syntax error at or near "everything"', 9);
  });
});

describe('COPY', () => {
  it('reads COPY (query) TO STDOUT with options', () => {
    const s = statement(`COPY (SELECT 1) TO STDOUT WITH (FORMAT csv, HEADER, DELIMITER ',', NULL 'x', QUOTE '"', ESCAPE '\\')`);
    assert.equal(s.kind, 'copy-to');
    if (s.kind !== 'copy-to') return;
    assert.equal(s.source.kind, 'query');
    assert.deepEqual(s.options, [
      { name: 'format', value: 'csv' },
      { name: 'header', value: true },
      { name: 'delimiter', value: ',' },
      { name: 'null', value: 'x' },
      { name: 'quote', value: '"' },
      { name: 'escape', value: '\\' },
    ]);
  });

  it('reads COPY relation TO STDOUT', () => {
    assert.deepEqual(statement('COPY sabot.jobs (job_id, status) TO STDOUT'), {
      kind: 'copy-to',
      source: { kind: 'relation', name: ['sabot', 'jobs'], columns: ['job_id', 'status'] },
      options: [],
      pos: 0,
    });
    const s = statement('COPY t TO STDOUT (HEADER true, FORMAT CSV)');
    assert.deepEqual(s.kind === 'copy-to' && s.options, [{ name: 'header', value: 'true' }, { name: 'format', value: 'csv' }]);
  });

  it('reads the old option syntax', () => {
    const s = statement(`copy t to stdout with csv header delimiter as ';' null as ''`);
    assert.deepEqual(s.kind === 'copy-to' && s.options, [
      { name: 'format', value: 'csv' },
      { name: 'header', value: true },
      { name: 'delimiter', value: ';' },
      { name: 'null', value: '' },
    ]);
    const b = statement('COPY t TO STDOUT BINARY');
    assert.deepEqual(b.kind === 'copy-to' && b.options, [{ name: 'format', value: 'binary' }]);
  });

  it('marks COPY FROM as unsupported', () => {
    assert.deepEqual(statement('COPY t (a) FROM STDIN WITH CSV'), { kind: 'unsupported', command: 'COPY FROM', pos: 0 });
  });
});

describe('unsupported statements', () => {
  const cases: [string, string][] = [
    ['CREATE TABLE t (a int, b text)', 'CREATE TABLE'],
    ['create unique index i on t (a)', 'CREATE INDEX'],
    ['CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql', 'CREATE FUNCTION'],
    ['CREATE MATERIALIZED VIEW m AS SELECT 1', 'CREATE MATERIALIZED VIEW'],
    ['CREATE TEMP TABLE x ()', 'CREATE TABLE'],
    ['CREATE GLOBAL TEMPORARY TABLE x ()', 'CREATE TABLE'],
    ['CREATE FOREIGN TABLE f ()', 'CREATE FOREIGN TABLE'],
    ['DROP TABLE IF EXISTS t', 'DROP TABLE'],
    ['DROP INDEX i', 'DROP INDEX'],
    ['ALTER TABLE t ADD COLUMN c int', 'ALTER TABLE'],
    ['MERGE INTO t USING s ON true WHEN MATCHED THEN DO NOTHING', 'MERGE'],
    ['UPDATE t SET a = 1', 'UPDATE'],
    ['DELETE FROM t', 'DELETE'],
    ['MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE', 'MERGE'],
    ['TRUNCATE t', 'TRUNCATE'],
    ['GRANT ALL ON t TO u', 'GRANT'],
    ['REVOKE ALL ON t FROM u', 'REVOKE'],
    ['VACUUM', 'VACUUM'],
    ['ANALYZE t', 'ANALYZE'],
    ['analyse t', 'ANALYZE'],
    ['CLUSTER t', 'CLUSTER'],
    ['REINDEX TABLE t', 'REINDEX'],
    ['LISTEN chan', 'LISTEN'],
    [`NOTIFY chan, 'x;y'`, 'NOTIFY'],
    ['UNLISTEN *', 'UNLISTEN'],
    ['PREPARE p AS SELECT 1', 'PREPARE'],
    ['EXECUTE p (1)', 'EXECUTE'],
    ['DEALLOCATE ALL', 'DEALLOCATE'],
    ['EXPLAIN SELECT 1', 'EXPLAIN'],
    ['LOCK TABLE t', 'LOCK'],
    ['DO $$ BEGIN NULL; END $$', 'DO'],
    ['CALL p()', 'CALL'],
    ['CHECKPOINT', 'CHECKPOINT'],
    [`LOAD 'x'`, 'LOAD'],
    [`COMMENT ON TABLE t IS 'x'`, 'COMMENT'],
    ['REFRESH MATERIALIZED VIEW m', 'REFRESH MATERIALIZED VIEW'],
    ['DECLARE c CURSOR FOR SELECT 1', 'DECLARE CURSOR'],
    ['FETCH 10 FROM c', 'FETCH'],
    ['MOVE c', 'MOVE'],
    ['CLOSE c', 'CLOSE'],
    ['SAVEPOINT a', 'SAVEPOINT'],
    ['RELEASE SAVEPOINT a', 'RELEASE'],
    ['IMPORT FOREIGN SCHEMA s FROM SERVER x INTO y', 'IMPORT FOREIGN SCHEMA'],
    ['REASSIGN OWNED BY a TO b', 'REASSIGN OWNED'],
    [`SECURITY LABEL ON TABLE t IS 'x'`, 'SECURITY LABEL'],
  ];
  for (const [sql, command] of cases) {
    it(sql, () => assert.deepEqual(statement(sql), { kind: 'unsupported', command, pos: 0 }));
  }

  it('still fails on statements Postgres does not have', () => {
    syntaxError('SELEC 1', 'syntax error at or near "SELEC"', 1);
    syntaxError('  frobnicate everything', 'syntax error at or near "frobnicate"', 3);
    syntaxError('CREATE', 'syntax error at end of input', 7);
  });
});

describe('syntax errors', () => {
  it('points at the token where parsing failed', () => {
    syntaxError('SELECT 1 +* 2', 'syntax error at or near "*"', 11);
    syntaxError('SELECT * FROM', 'syntax error at end of input', 14);
    syntaxError('SELECT * FROM   -- nothing', 'syntax error at end of input', 27);
    syntaxError('SELECT a b c', 'syntax error at or near "c"', 12);
    syntaxError('SELECT 1 2', 'syntax error at or near "2"', 10);
    syntaxError('SELECT (1', 'syntax error at end of input', 10);
    syntaxError('SELECT f(1,)', 'syntax error at or near ")"', 12);
    syntaxError('SELECT 1,\n  2 +\n  ;', 'syntax error at or near ";"', 19);
    syntaxError('SELECT 1 FROM t ORDER a', 'syntax error at or near "a"', 23);
    syntaxError('select * from t where x in ()', 'syntax error at or near ")"', 29);
    syntaxError('SELECT 1; SELEC 2', 'syntax error at or near "SELEC"', 11);
    syntaxError(`SELECT 'x' || ||`, 'syntax error at or near "||"', 15);
    syntaxError('SELECT a::', 'syntax error at end of input', 11);
    syntaxError(`SELECT 'é' + )`, 'syntax error at or near ")"', 14);
  });

  it('reports unterminated quotes and comments', () => {
    syntaxError(`SELECT 'abc`, `unterminated quoted string at or near "'abc"`, 8);
    syntaxError(`SELECT E'abc\\'`, `unterminated quoted string at or near "E'abc\\'"`, 8);
    syntaxError('SELECT "abc', 'unterminated quoted identifier at or near ""abc"', 8);
    syntaxError('SELECT $$abc', 'unterminated dollar-quoted string at or near "$$abc"', 8);
    syntaxError('SELECT 1 /* abc /* def */', 'unterminated /* comment at or near "/* abc /* def */"', 10);
    syntaxError(`INSERT INTO t VALUES ('abc`, `unterminated quoted string at or near "'abc"`, 23);
    syntaxError('SELECT ""', 'zero-length delimited identifier at or near """"', 8);
    syntaxError(`SELECT E'\\U00110000'`, `invalid Unicode escape value at or near "E'\\U00110000'"`, 8);
  });

  it('reports a syntax error before a later unterminated string', () => {
    syntaxError(`SELECT 1 +* 2; SELECT 'abc`, 'syntax error at or near "*"', 11);
  });

  it('survives very deep nesting', () => {
    const deep = 'SELECT ' + '('.repeat(100_000) + '1' + ')'.repeat(100_000);
    assert.throws(() => parseScriptUncached(deep), (err: unknown) => err instanceof SabotError && err.code === '54001');
    const ok = 'SELECT ' + '('.repeat(200) + '1' + ')'.repeat(200);
    assert.equal(show(expr(ok.slice('SELECT '.length))), '1');
  });
});
